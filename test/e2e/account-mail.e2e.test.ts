/**
 * Mail, sign-in and sessions in the real web app on the real stack – with no mail server configured,
 * so the embedded mail catcher is the transport (what `npm start` does out of the box):
 * - the administrator's "Postausgang" lists what was sent (recipient, subject, time, state) and opens a
 *   mail with its text and attachment names; a case manager sees a pending send in the case file;
 * - the sign-in page states the lock rule; five wrong passwords are allowed, the sixth locks with
 *   the time and the way out;
 * - an expired session asks for the password in place; the typed task form stays and its draft is
 *   saved afterwards;
 * - signing out in one tab takes every other tab of the browser to the login page, without client data.
 * Screenshots at 1440 and 390 px; axe on the new screens.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, PASSWORD, SHOTS, signIn, UiBrowser } from '../support/browser';
import { openTask, processesDirWith } from '../support/processes';
import { login, startTestStack, testConfig, until } from '../support/stack';
import { fillNewUser, firstSignIn } from '../support/users';

const UI_TIMEOUT = 60_000;
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const tag = `${process.pid}-${Date.now()}`;

let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  // Out of the box: no mail server configured.
  delete process.env.KIM_SMTP_URL;
  stack = await startTestStack({ processesDir: processesDirWith(['kim-intake', 'kim-case']), workerDefs: registry, config: testConfig() });
  ui = await launchBrowser(UI_TIMEOUT);
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** A case of cm.duisburg's site with a client whose name the test looks for. */
async function caseOf(lastName: string) {
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${lastName}`, firstName: 'Samira', lastName } });
  return stack.db.case.create({ data: { reference: `KIM-E2E-${lastName}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
}

test('Postausgang: the administrator sees what was sent through the embedded mail catcher; the case shows a pending send', async () => {
  const c = await caseOf(`Postausgang${tag}`);
  const recipient = `beratung-${tag}@partner.test`;
  // Queued as the conference service queues an invitation (in a transaction, with an .ics).
  await stack.db.$transaction((tx) =>
    stack.services.mail.enqueue(tx, {
      key: `e2e:${tag}:invitation`,
      kommuneId: 'duisburg',
      caseId: c.id,
      kind: 'invitation',
      recipient,
      subject: `Einladung zur Fallkonferenz ${tag}`,
      body: 'Guten Tag,\n\nwir laden Sie zur Fallkonferenz ein.\n\nMit freundlichen Grüßen\nIhr KIM-Team Duisburg',
      attachments: [{ filename: 'fallkonferenz.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', text: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' }],
    }),
  );
  stack.services.mail.kick();
  const sent = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId: c.id, status: 'sent' } }), 'über den Mail-Catcher versendet');
  // A mail that could not go out yet (mail server refused): shown as pending with the next attempt.
  await stack.db.mailOutbox.create({
    data: { key: `e2e:${tag}:referral`, kommuneId: 'duisburg', caseId: c.id, kind: 'referral', recipient: `jmd-${tag}@partner.test`, subject: `Vermittlung ${tag}`, body: 'Guten Tag', attempts: 2, lastError: 'ECONNREFUSED', nextAttemptAt: new Date(Date.now() + 3_600_000) },
  });

  for (const [vp, suffix] of [[WIDE, '1440'], [PHONE, '390']] as const) {
    const page = await ui.newPage(vp);
    await signIn(page, stack.url, 'admin.duisburg', { awaitIdentity: true });
    await page.goto(`${stack.url}/#/outbox`);
    await page.getByRole('heading', { name: 'Postausgang' }).first().waitFor();
    // A table on wide screens, one block per mail on phones – never wider than the screen.
    const row = vp === WIDE ? page.getByRole('row').filter({ hasText: recipient }) : page.getByRole('link').filter({ hasText: recipient });
    await row.waitFor();
    await row.getByText(/versendet \(lokaler Mail-Catcher, keine echte Zustellung\)/).waitFor();
    await row.getByText(/fallkonferenz\.ics/).waitFor();
    const other = vp === WIDE ? page.getByRole('row').filter({ hasText: `jmd-${tag}@partner.test` }) : page.getByRole('link').filter({ hasText: `jmd-${tag}@partner.test` });
    await other.getByText(/Versand ausstehend, nächster Versuch um \d{2}:\d{2} Uhr$/).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
    await shot(page, `postausgang-liste-${suffix}`);
    await expectNoSevereA11yViolations(page);
    await row.getByText(`Einladung zur Fallkonferenz ${tag}`).click();
    await page.waitForURL(new RegExp(`#/outbox/${sent.id}/show`));
    await page.getByText('wir laden Sie zur Fallkonferenz ein.').waitFor();
    await page.getByText('fallkonferenz.ics').waitFor();
    await page.getByText('Einladung zur Fallkonferenz', { exact: true }).waitFor();
    await shot(page, `postausgang-mail-${suffix}`);
    await expectNoSevereA11yViolations(page);
  }
  expect(await stack.db.auditLog.count({ where: { action: 'outbox.read', entityId: sent.id } })).toBe(2);

  // The case manager: no Postausgang in the menu; the case file says what is still waiting to go out.
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'cm.duisburg', { awaitIdentity: true });
  expect(await page.getByRole('menuitem', { name: 'Postausgang' }).count()).toBe(0);
  await page.goto(`${stack.url}/#/cases/${c.id}/show`);
  const status = page.getByTestId('case-mail-status');
  await status.getByText(/Vermittlung an jmd-.*: Versand ausstehend, nächster Versuch um \d{2}:\d{2} Uhr – Der Mailserver ist nicht erreichbar \(Verbindung abgelehnt\)\./).waitFor();
  await shot(page, 'fallakte-versand-ausstehend-1440');
  await expectNoSevereA11yViolations(page);
}, 300_000);

test('lockout: five wrong passwords are allowed, the sixth locks and the message says until when and how to get unlocked', async () => {
  await stack.db.user.update({ where: { username: 'ebh.duisburg' }, data: { failedLogins: 0, lockedUntil: null } });
  const page = await ui.newPage(PHONE);
  await page.goto(stack.url);
  await page.getByText('Fünf falsche Passwörter hintereinander sind erlaubt; beim sechsten wird das Konto für 15 Minuten gesperrt.').waitFor();
  for (let i = 1; i <= 6; i++) {
    await page.getByLabel('Benutzername').fill('ebh.duisburg');
    await page.getByLabel('Passwort').fill(`falsch-${i}`);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    const expected = i <= 5 ? 'Benutzername oder Passwort ist falsch.' : /bis \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr gesperrt\. Danach können Sie sich wieder anmelden – oder die Administration Ihrer Kommune hebt die Sperre vorher auf\./;
    await page.getByRole('alert').getByText(expected).waitFor();
    if (i <= 5) expect(await stack.db.user.findUniqueOrThrow({ where: { username: 'ebh.duisburg' } })).toMatchObject({ lockedUntil: null });
  }
  expect((await stack.db.user.findUniqueOrThrow({ where: { username: 'ebh.duisburg' } })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());
  await shot(page, 'anmeldung-gesperrt-390');
  await expectNoSevereA11yViolations(page);
  await stack.db.user.update({ where: { username: 'ebh.duisburg' }, data: { failedLogins: 0, lockedUntil: null } });
});

test('session expired while typing a task: sign in again in the dialog, the input stays and the draft is saved', async () => {
  const cm = await login(stack.url, 'cm.duisburg');
  const res = await cm.post('/api/cases', { client: { firstName: 'Lina', lastName: `Sitzung ${tag}`, languages: ['Arabisch'] } });
  expect(res.status).toBe(201);
  const { caseId } = (await res.json()) as { caseId: string };
  const task = await openTask(stack, caseId, INTAKE.documentFirstContact);

  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'cm.duisburg', { awaitIdentity: true });
  await page.goto(`${stack.url}/#/tasks/${encodeURIComponent(task.id)}/show`);
  const interpreter = page.getByRole('checkbox', { name: 'Dolmetschung wird benötigt' });
  const work = page.getByRole('checkbox', { name: 'Arbeit' });
  await interpreter.check();
  await work.check();

  // The session ends on the server (expired) while the form is open.
  await stack.db.session.updateMany({ where: { user: { username: 'cm.duisburg' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
  await page.getByRole('button', { name: 'Entwurf speichern' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sitzung abgelaufen' });
  await dialog.waitFor();
  await dialog.getByText('Die Seite und Ihre Eingaben bleiben erhalten').waitFor();
  expect(await dialog.getByLabel('Benutzername').inputValue()).toBe('cm.duisburg');
  await shot(page, 'sitzung-abgelaufen-1440');
  await expectNoSevereA11yViolations(page);
  // A wrong password is reported in the dialog; the right one continues the interrupted step.
  await dialog.getByLabel('Passwort').fill('falsch');
  await dialog.getByRole('button', { name: 'Wieder anmelden' }).click();
  await dialog.getByRole('alert').getByText('Benutzername oder Passwort ist falsch.').waitFor();
  await dialog.getByLabel('Passwort').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Wieder anmelden' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('Entwurf gespeichert.').waitFor();
  expect(page.url()).toContain(`#/tasks/${encodeURIComponent(task.id)}/show`);
  expect(await interpreter.isChecked()).toBe(true);
  expect(await work.isChecked()).toBe(true);
  const draft = await until(() => stack.db.taskDraft.findFirst({ where: { taskId: task.id } }), 'Entwurf gespeichert');
  expect(draft.data).toMatchObject({ dolmetschBedarf: true, lebensbereiche: ['Arbeit'] });
});

test('sign-out in one tab: the other tab of the same browser goes to the login page and shows no client data', async () => {
  const c = await caseOf(`Zweitfenster${tag}`);
  const first = await ui.newPage(WIDE);
  await signIn(first, stack.url, 'cm.duisburg', { awaitIdentity: true });
  const second = await first.context().newPage();
  await second.goto(`${stack.url}/#/cases/${c.id}/show`);
  await second.getByText(`Zweitfenster${tag}`).first().waitFor();

  await first.getByRole('button', { name: 'Profil' }).click();
  await first.getByRole('menuitem', { name: 'Abmelden' }).click();
  await first.getByRole('heading', { name: 'Anmeldung' }).waitFor();

  await second.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  expect(await second.getByText(`Zweitfenster${tag}`).count()).toBe(0);
  expect(await second.evaluate(() => document.body.innerText)).not.toContain('Samira');
  await shot(second, 'abmeldung-zweites-fenster-1440');
  // Back in the other tab's history nothing of the case comes back without signing in.
  await second.goto(`${stack.url}/#/cases/${c.id}/show`);
  await second.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  expect(await second.getByText(`Zweitfenster${tag}`).count()).toBe(0);
});

test('user management: the administrator creates a case manager in the browser; the new person signs in, replaces the one-time password on the sign-in page and works', async () => {
  const username = `neu.${process.pid}`;
  for (const [vp, suffix] of [[WIDE, '1440'], [PHONE, '390']] as const) {
    const page = await ui.newPage(vp);
    await signIn(page, stack.url, 'admin.duisburg', { awaitIdentity: true });
    await page.goto(`${stack.url}/#/users`);
    if (vp === WIDE) {
      await page.getByRole('row').filter({ hasText: 'cm.duisburg' }).getByText('Fallmanagement').waitFor();
      await page.getByRole('row').filter({ hasText: 'cm.duisburg' }).getByText('Regional Support Center Nord (Hamborn)').waitFor();
    } else await page.getByText('cm.duisburg · Fallmanagement').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
    await shot(page, `benutzer-liste-${suffix}`);
    await expectNoSevereA11yViolations(page);
  }
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'admin.duisburg', { awaitIdentity: true });
  await fillNewUser(page, stack.url, { username, displayName: 'Nora Feld', role: 'Fallmanagement', site: 'Regional Support Center Mitte', oneTimePassword: 'Einmal-Start-2026' });
  await shot(page, 'benutzer-anlegen-1440');
  await expectNoSevereA11yViolations(page);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByRole('row').filter({ hasText: username }).getByText('aktiv – Einmalpasswort noch nicht ersetzt').waitFor();
  const created = await stack.db.user.findUniqueOrThrow({ where: { username } });
  expect(created).toMatchObject({ kommuneId: 'duisburg', siteId: 'duisburg-mitte', role: 'case_manager', mustChangePassword: true, groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-mitte'] });
  expect(await stack.db.auditLog.count({ where: { action: 'users.create', entityId: created.id } })).toBe(1);
  // The account page: state and the account actions.
  await page.getByRole('row').filter({ hasText: username }).getByText('Nora Feld').click();
  await page.getByTestId('account-state').getByText(`Benutzername: ${username} · Konto: aktiv – Einmalpasswort noch nicht ersetzt`).waitFor();
  await page.getByRole('button', { name: 'Passwort zurücksetzen' }).waitFor();
  await shot(page, 'benutzer-bearbeiten-1440');
  await expectNoSevereA11yViolations(page);

  // The new person signs in with the one-time password and sets an own one on the sign-in page.
  const person = await ui.newPage(PHONE);
  await firstSignIn(person, stack.url, username, 'Einmal-Start-2026', 'Mein-eigenes-Passwort', () => shot(person, 'eigenes-passwort-390'));
  expect(await stack.db.user.findUniqueOrThrow({ where: { username } })).toMatchObject({ mustChangePassword: false });
  // Case managers have no user management.
  expect(await person.getByRole('menuitem', { name: 'Benutzer*innen' }).count()).toBe(0);
}, 300_000);
