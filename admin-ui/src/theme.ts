/**
 * react-admin's default theme with darker brand colours: the stock app bar (#2196f3 with white text,
 * contrast 3.1:1) fails WCAG AA; these reach at least 4.5:1 against white. Every keyboard-focused
 * control gets a visible outline (MUI shows only a faint ripple on text buttons, menu items and tabs).
 */
import { defaultTheme, RaThemeOptions } from 'react-admin';

export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    ...defaultTheme.palette,
    primary: { main: '#1a4f8b', contrastText: '#ffffff' },
    secondary: { main: '#154273', contrastText: '#ffffff' },
    // MUI's stock warning orange (#ed6c02) and info blue (#0288d1) carry white text at 3.1:1 and
    // 3.9:1 (chips "Versand ausstehend", alerts); these darker tones reach 5:1 and 7.4:1.
    warning: { main: '#b45309', contrastText: '#ffffff' },
    info: { main: '#01579b', contrastText: '#ffffff' },
  },
  components: {
    ...defaultTheme.components,
    // German words in capitals read badly ("ABSCHLIESSEN"); keep their normal spelling.
    MuiButton: { ...defaultTheme.components?.MuiButton, styleOverrides: { root: { textTransform: 'none' } } },
    MuiTab: { styleOverrides: { root: { textTransform: 'none' } } },
    // Drawn inside the control in its own text colour, so it shows on light and dark fills and is
    // not clipped by menus and scroll containers.
    MuiButtonBase: { styleOverrides: { root: { '&.Mui-focusVisible': { outline: '2px solid currentColor', outlineOffset: -2 } } } },
    // react-admin's skip link is white text on the light page background when it appears.
    RaSkipNavigationButton: { styleOverrides: { root: { color: '#1a4f8b' } } },
  },
};
