/**
 * Keyboard only ("keyboard alone reaches everything; labels and focus order correct"): a
 * case manager signs in, skips to the content, reaches the inbox through the menu, opens a task from
 * the group inbox, fills and completes its form-js form, lands on the next task of the case, opens the
 * case file, moves through its sections, opens a start dialog and closes it with Escape (focus back on
 * the trigger), writes a note, reaches the upload and signs out – with Tab, Shift+Tab, Enter, Space,
 * arrow keys and Escape only. Every focus stop must have a name; the stops the walkthrough relies on
 * are asserted by role and name and must show a visible focus indicator.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, PASSWORD, SHOTS, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { CaseFixture, caseFixture } from '../api/fixtures';
import { FIXTURES, startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 30_000;

let stack: Stack;
let ui: UiBrowser;
let fx: CaseFixture;
let taskIds: string[];

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'keyboard'), workerDefs: registry });
  ui = await launchBrowser(UI_TIMEOUT);
  fx = await caseFixture(stack, 'duisburg-nord');
  taskIds = [];
  for (let i = 0; i < 2; i++) {
    const pik = (await stack.engine.runtime.start('kim-test-keyboard', 'duisburg', { caseId: fx.caseId, kommuneId: 'duisburg' })).processInstanceKey;
    taskIds.push((await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik } }), 'Aufgabe in der Projektion')).id);
  }
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

interface Focus {
  /** ARIA role and accessible name as Playwright computes them ('' when nothing is focused). */
  role: string;
  name: string;
  /** A short description of the element for failure messages. */
  what: string;
  inMain: boolean;
  inDialog: boolean;
  /** aria-label of the closest <section>, if any. */
  section: string | null;
}

/** The focused element: its role and accessible name (from Playwright's aria snapshot) and where it sits. */
async function focus(page: Page): Promise<Focus> {
  const where = await page.evaluate(() => {
    const el = document.activeElement;
    document.querySelectorAll('[data-kbd-focus]').forEach((e) => e.removeAttribute('data-kbd-focus'));
    if (!el || el === document.body || el === document.documentElement) return null;
    el.setAttribute('data-kbd-focus', '');
    return {
      what: `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('role') ? ` role=${el.getAttribute('role')}` : ''}> ${(el.textContent ?? '').trim().slice(0, 40)}`,
      inMain: !!el.closest('#main-content'),
      inDialog: !!el.closest('[role="dialog"]'),
      section: el.closest('section')?.getAttribute('aria-label') ?? null,
    };
  });
  if (!where) return { role: '', name: '', what: '<body>', inMain: false, inDialog: false, section: null };
  const snapshot = await page.locator('[data-kbd-focus]').ariaSnapshot({ timeout: 2_000 });
  const first = snapshot.split('\n')[0];
  // `- button "Name"`, YAML-quoted when the line holds a colon: `- 'button "Name: x"': text`.
  const m = /^- '?([a-z]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(first);
  return { role: m?.[1] ?? '', name: (m?.[2] ?? '').replace(/\\"/g, '"'), ...where, what: `${where.what} [${first}]` };
}

type Want = { role: string; name: string | RegExp };
const matches = (f: Focus, w: Want) => f.role === w.role && (typeof w.name === 'string' ? f.name === w.name : w.name.test(f.name));
const show = (w: Want) => `${w.role} "${String(w.name)}"`;

/** Every stop on the way must be labelled: an interactive element without a name is a failure. */
function expectLabelled(f: Focus, trail: string[]) {
  if (!f.name.trim()) throw new Error(`Fokus auf einem Element ohne Namen: ${f.what}\nWeg: ${trail.join(' → ')}`);
}

/** Presses `key` until the wanted element has the focus; fails after `max` presses or at an unlabelled stop. */
async function pressUntil(page: Page, want: Want, max: number, key = 'Tab'): Promise<number> {
  const trail: string[] = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(key);
    const f = await focus(page);
    trail.push(f.what);
    if (f.role) expectLabelled(f, trail);
    if (matches(f, want)) return i;
  }
  throw new Error(`${show(want)} nicht nach ${max}× ${key} erreicht.\nWeg: ${trail.join('\n  → ')}`);
}

async function expectFocus(page: Page, want: Want) {
  const f = await focus(page);
  if (!matches(f, want)) throw new Error(`Erwartet: Fokus auf ${show(want)}, tatsächlich: ${f.what}`);
  return f;
}

async function press(page: Page, key: string, want: Want) {
  await page.keyboard.press(key);
  return expectFocus(page, want);
}

/**
 * A visible focus indicator on the focused control: an outline or box-shadow on the element or on the
 * control it belongs to (MUI button base, MUI input root, form-js input group), or MUI's focused
 * underline / outline of a text field. Waits for the indicator's transition.
 */
async function expectFocusIndicator(page: Page) {
  const ok = await page
    .waitForFunction(
      () => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return false;
        const drawn = (s: CSSStyleDeclaration) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow !== 'none' && s.boxShadow !== '');
        const controls = [el, el.closest('.MuiButtonBase-root'), el.closest('.MuiInputBase-root'), el.closest('.fjs-input-group')].filter(Boolean) as HTMLElement[];
        if (controls.some((c) => drawn(getComputedStyle(c)))) return true;
        const root = el.closest('.MuiInputBase-root.Mui-focused');
        if (!root) return false;
        // Filled / standard: the underline scales in; outlined: the outline gets thicker.
        const after = getComputedStyle(root, '::after').transform;
        if (after && after !== 'none' && !after.startsWith('matrix(0,')) return true;
        const fieldset = root.querySelector('fieldset');
        return !!fieldset && parseFloat(getComputedStyle(fieldset).borderTopWidth) >= 2;
      },
      undefined,
      { timeout: 3_000, polling: 50 },
    )
    .then(() => true)
    .catch(() => false);
  if (!ok) throw new Error(`Kein sichtbarer Fokusrahmen auf ${(await focus(page)).what}`);
}

/** WCAG contrast ratio of the focused element's text colour against its own background colour. */
function contrastOfFocused(page: Page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement!);
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

test('a case manager does the whole walkthrough with the keyboard alone', async () => {
  const page = await ui.newPage();
  // Playwright turns file choosers into events only once someone listens; listen from the start so
  // the one the upload opens later is never missed (a key press is faster than that switch).
  page.on('filechooser', () => undefined);

  // Sign-in: the user name has the focus, Tab leads to the password and the button, Enter submits.
  await page.goto(stack.url);
  await page.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  await expectFocus(page, { role: 'textbox', name: 'Benutzername' });
  await expectFocusIndicator(page);
  await page.keyboard.type('cm.duisburg');
  await press(page, 'Tab', { role: 'textbox', name: 'Passwort' });
  await page.keyboard.type(PASSWORD);
  await press(page, 'Tab', { role: 'button', name: 'Anmelden' });
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.getByTestId('identity-role').waitFor();

  // The first Tab stop is the skip link; it is visible when focused and leads into the main content.
  await press(page, 'Tab', { role: 'button', name: 'Zum Inhalt springen' });
  await expectFocusIndicator(page);
  await page.waitForFunction(() => {
    const r = document.activeElement!.getBoundingClientRect();
    return r.top >= 0 && r.height > 0 && r.top < window.innerHeight;
  });
  // axe leaves the fixed skip link over the app bar out of its contrast check; check it here.
  expect(await contrastOfFocused(page)).toBeGreaterThanOrEqual(4.5);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-skip-link.png') });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const first = await focus(page);
  if (!first.inMain) throw new Error(`Nach dem Sprunglink liegt der Fokus nicht im Hauptinhalt: ${first.what}`);

  // Back into the menu with Shift+Tab: "Aufgaben".
  await pressUntil(page, { role: 'menuitem', name: 'Aufgaben' }, 8, 'Shift+Tab');
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();

  // Inbox: the view tabs are one Tab stop, arrow keys move between them, Enter selects.
  await pressUntil(page, { role: 'tab', name: 'Meine Aufgaben' }, 25);
  await expectFocusIndicator(page);
  await press(page, 'ArrowRight', { role: 'tab', name: 'Gruppenaufgaben' });
  await page.keyboard.press('Enter');
  await page.getByRole('tab', { name: 'Gruppenaufgaben', selected: true }).waitFor();
  const status = page.getByTestId('task-list-status');
  await page
    .locator('[data-testid="task-list-status"][data-view="group"][data-loaded="true"]')
    .waitFor()
    .catch(async (e: Error) => {
      throw new Error(`Gruppenaufgaben nicht geladen: ${await status.evaluate((el) => el.outerHTML).catch(() => 'kein Status')} (${e.message})`);
    });
  const caseRef = (await stack.db.case.findUniqueOrThrow({ where: { id: fx.caseId } })).reference;
  await page.locator('tbody tr', { hasText: caseRef }).nth(1).waitFor();

  // Through the filters to the first row: its actions name the task; "Öffnen" opens it.
  await pressUntil(page, { role: 'button', name: 'Übernehmen: Gespräch festhalten' }, 30);
  await expectFocusIndicator(page);
  await pressUntil(page, { role: 'link', name: /^Öffnen/ }, 3);
  await expectFocusIndicator(page);
  const href = await page.locator('[data-kbd-focus]').getAttribute('href');
  const opened = taskIds.find((id) => href?.includes(id));
  expect(opened).toBeTruthy();
  const next = taskIds.find((id) => id !== opened)!;
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-inbox.png') });
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`#/tasks/${opened}/show`));
  await page.getByRole('heading', { name: 'Gespräch festhalten', level: 1 }).waitFor();
  await page.getByLabel('Ergebnis des Gesprächs').waitFor();

  // The form-js form: type into the text field, tick the checkbox with Space, complete with Enter.
  await pressUntil(page, { role: 'textbox', name: /^Ergebnis des Gesprächs/ }, 25);
  await expectFocusIndicator(page);
  await page.keyboard.type('Sprachkurs gewünscht');
  await press(page, 'Tab', { role: 'checkbox', name: /^Mit der Person besprochen/ });
  await expectFocusIndicator(page);
  await page.keyboard.press('Space');
  expect(await page.getByLabel(/^Mit der Person besprochen/).isChecked()).toBe(true);
  // form-js' own "Powered by bpmn.io" link is the one stop between the form and its buttons.
  await pressUntil(page, { role: 'button', name: 'Entwurf speichern' }, 2);
  await expectFocusIndicator(page);
  await press(page, 'Tab', { role: 'button', name: 'Abschließen' });
  await expectFocusIndicator(page);
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-task-form.png') });
  await page.keyboard.press('Enter');

  // The next task of the case opens.
  await page.waitForURL(new RegExp(`#/tasks/${next}/show`));
  await page.getByText(/Nächste Aufgabe/).waitFor();
  await page.getByLabel('Ergebnis des Gesprächs').waitFor();
  const done = await stack.db.task.findUniqueOrThrow({ where: { id: opened! } });
  expect(done.state).toBe('COMPLETED');

  // The case file from the case context (once the task view has loaded its context: a re-render
  // would take the focused link away).
  await page.getByRole('link', { name: 'Fallakte öffnen' }).waitFor();
  // Quiet network is the usual sign of a settled view; a live-update request may keep it busy. If a
  // late re-render takes the focus away, pressUntil simply keeps tabbing (up to its limit).
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  await pressUntil(page, { role: 'link', name: 'Fallakte öffnen' }, 40);
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /^Fall T-/, level: 1 }).waitFor();
  // The case file is a workspace with tabs (their keyboard use is MUI's: arrow keys between tabs).
  await page.getByRole('tab', { name: 'Dokumente', exact: true }).waitFor();

  // Start dialog: Enter opens it with the focus inside, Tab stays inside, Escape closes it and the
  // focus is back on the button that opened it.
  await pressUntil(page, { role: 'button', name: 'Vermittlung starten' }, 40);
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Vermittlung starten' });
  await dialog.waitFor();
  await page.waitForFunction(() => !!document.activeElement?.closest('[role="dialog"]'));
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const f = await focus(page);
    if (!f.inDialog) throw new Error(`Der Fokus hat den offenen Dialog verlassen: ${f.what}`);
    expectLabelled(f, [f.what]);
  }
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-case-dialog.png') });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Vermittlung starten');
  await expectFocus(page, { role: 'button', name: 'Vermittlung starten' });

  // The case file's tabs: the selected tab is in the Tab order, the arrow keys move along the tabs
  // (the focus follows, wrapping at the end) and Enter opens one – the focus stays on it and Tab
  // then leads into its panel. Every tab is reached this way.
  const tabs = page.getByRole('tablist', { name: 'Bereiche der Fallakte' }).getByRole('tab');
  const tabNames = (await tabs.allInnerTexts()).map((t) => t.trim());
  expect(tabNames).toEqual(expect.arrayContaining(['Bedarfe und Ziele', 'Aufgaben', 'Vermittlungen', 'Einwilligungen', 'Dokumente', 'Notizen', 'Verlauf', 'Prozessansicht']));
  const openTab = async (name: string) => {
    const inPanel = await page.evaluate(() => !!document.activeElement?.closest('[role="tabpanel"]'));
    await pressUntil(page, { role: 'tab', name: /./ }, 40, inPanel ? 'Shift+Tab' : 'Tab');
    await pressUntil(page, { role: 'tab', name }, tabNames.length + 1, 'ArrowRight');
    await expectFocusIndicator(page);
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name, exact: true, selected: true }).waitFor();
    await page.getByRole('tabpanel', { name }).waitFor();
    // The focus stays on the opened tab while the panel's content loads beside it; the next Tab
    // goes into the content once it is there (a keyboard user hears "… werden geladen" first).
    await page.waitForFunction(() => !/(wird|werden) geladen/.test(document.querySelector('[role="tabpanel"]')?.textContent ?? ''), null, { timeout: 30_000 });
    await expectFocus(page, { role: 'tab', name });
  };
  await openTab('Einwilligungen');
  await pressUntil(page, { role: 'button', name: 'Einwilligung erfassen' }, 10);
  await expectFocusIndicator(page);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'keyboard-case.png'), fullPage: true });

  // A note, written and saved with the keyboard.
  await openTab('Notizen');
  await pressUntil(page, { role: 'textbox', name: 'Neue Notiz' }, 10);
  await expectFocusIndicator(page);
  const note = `Per Tastatur notiert ${Date.now()}`;
  await page.keyboard.type(note);
  await press(page, 'Tab', { role: 'button', name: 'Notiz speichern' });
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.getByRole('tabpanel').getByRole('cell', { name: note }).waitFor();
  await until(async () => (await stack.db.note.count({ where: { caseId: fx.caseId, text: note } })) === 1, 'Notiz gespeichert');

  // The upload: the dialog opens with Enter, its file button opens the file chooser with Enter.
  await openTab('Dokumente');
  await pressUntil(page, { role: 'button', name: 'Dokument hochladen' }, 10);
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  const upload = page.getByRole('dialog', { name: 'Dokument hochladen' });
  await upload.waitFor();
  await page.waitForFunction(() => !!document.activeElement?.closest('[role="dialog"]'));
  const chooser = page.waitForEvent('filechooser');
  await pressUntil(page, { role: 'button', name: 'Datei wählen' }, 6);
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await chooser;
  await page.keyboard.press('Escape');
  await upload.waitFor({ state: 'detached' });

  // The remaining tabs, each opened with the keyboard.
  for (const name of tabNames.filter((n) => !['Einwilligungen', 'Notizen', 'Dokumente'].includes(n))) await openTab(name);

  // The case list: back to the menu, "Fälle", and each case opens from its file number.
  const reference = (await stack.db.case.findUniqueOrThrow({ where: { id: fx.caseId } })).reference;
  await pressUntil(page, { role: 'menuitem', name: 'Fälle' }, 80, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('columnheader', { name: 'Aktenzeichen' }).waitFor();
  await pressUntil(page, { role: 'link', name: reference }, 30);
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`#/cases/${fx.caseId}/show`));
  await page.getByRole('heading', { name: `Fall ${reference}`, level: 1 }).waitFor();

  // Sign out through the user menu in the app bar.
  await pressUntil(page, { role: 'button', name: 'Profil' }, 80, 'Shift+Tab');
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.getByRole('menu').waitFor();
  await page.waitForFunction(() => !!document.activeElement?.closest('[role="menu"]'));
  await expectFocus(page, { role: 'menuitem', name: 'Abmelden' });
  await expectFocusIndicator(page);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  await expectFocus(page, { role: 'textbox', name: 'Benutzername' });
}, 300_000);
