import polyglotI18nProvider from 'ra-i18n-polyglot';
import { deMessages } from '../i18n/de';

export const i18nProvider = polyglotI18nProvider(() => deMessages, 'de', [{ locale: 'de', name: 'Deutsch' }], { allowMissing: true });
