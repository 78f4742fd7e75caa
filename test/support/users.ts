/**
 * Shared by the browser tests of the user administration (account-mail, the administrator's day):
 * creating a person in the web app and that person's first sign-in with the one-time password.
 */
import type { Page } from 'playwright-core';
import { signIn } from './browser';

export interface NewUser {
  username: string;
  displayName: string;
  /** German role name as the form offers it, e.g. "Fallmanagement". */
  role: string;
  /** Site name as the form offers it, e.g. "Regional Support Center Mitte". */
  site: string;
  oneTimePassword: string;
}

/** Fills "Benutzer*in anlegen" (the page must be the administrator's, signed in); does not save. */
export async function fillNewUser(page: Page, url: string, u: NewUser) {
  await page.goto(`${url}/#/users/create`);
  await page.getByLabel('Benutzername').fill(u.username);
  await page.getByRole('textbox', { name: /^Name/ }).fill(u.displayName);
  await page.getByRole('combobox', { name: 'Rolle' }).click();
  await page.getByRole('option', { name: u.role }).click();
  await page.getByRole('combobox', { name: 'Standort' }).click();
  await page.getByRole('option', { name: u.site }).click();
  await page.getByLabel('Einmalpasswort').fill(u.oneTimePassword);
  await page.getByText('Bei der ersten Anmeldung legt sie ihr eigenes Passwort fest.').waitFor();
}

/**
 * The new person's first sign-in: the one-time password, then an own one on the sign-in page.
 * `beforeSave` runs with the filled form (screenshots, checks); afterwards the app is signed in.
 */
export async function firstSignIn(person: Page, url: string, username: string, oneTimePassword: string, ownPassword: string, beforeSave?: () => Promise<void>) {
  await signIn(person, url, username, { password: oneTimePassword });
  await person.getByRole('heading', { name: 'Eigenes Passwort festlegen' }).waitFor();
  await person.locator('#kim-new-password').fill(ownPassword);
  await person.locator('#kim-new-password-repeat').fill(ownPassword);
  await beforeSave?.();
  await person.getByRole('button', { name: 'Passwort speichern und anmelden' }).click();
  await person.getByTestId('identity-role').waitFor();
}
