/**
 * Shared by the browser tests that work real tasks through their forms (intake journey, the role
 * days): reaching a task from the inbox or from the previous completion, completing it and checking
 * the database, and the form-js and MUI controls a user clicks.
 */
import type { Locator, Page } from 'playwright-core';
import type { Stack } from '../../server/stack';
import { openView } from './browser';
import { openTask } from './processes';

export const form = (page: Page) => page.getByTestId('camunda-form');
export const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });

/**
 * The inbox: waits (live list) for the case's task and opens it by its "Öffnen" link – in "Meine
 * Aufgaben" when it is the user's, else in the group view. Works with the table (wide screens) and
 * the cards (narrow screens).
 */
export async function openFromInbox(page: Page, reference: string, taskName: string, view: 'Meine Aufgaben' | 'Gruppenaufgaben' | 'Alle Aufgaben') {
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, view);
  const row = page.locator('tbody tr, [data-testid="task-card"]').filter({ hasText: reference }).filter({ hasText: taskName });
  await row.first().waitFor();
  await row.first().getByRole('link', { name: `Öffnen: ${taskName}` }).click();
}

/**
 * The next task of the case: waits until the engine created it, then takes it where the app put the
 * user after the last completion – already opened ("next task of the same case") or from the inbox.
 */
export async function reachTask(stack: Stack, page: Page, c: { reference: string; caseId: string }, elementId: string, name: string) {
  const t = await openTask(stack, c.caseId, elementId);
  expect(t.name).toBe(name);
  if (!page.url().includes(`#/tasks/${t.id}/show`)) await openFromInbox(page, c.reference, name, t.assignee ? 'Meine Aufgaben' : 'Gruppenaufgaben');
  await page.waitForURL(new RegExp(`#/tasks/${t.id}/show`));
  await heading(page, name).waitFor();
  await form(page).locator('.fjs-form').waitFor();
  return t;
}

/** "Abschließen" (or another completing button); the task must be COMPLETED by the user and the page must move on. */
export async function completeTask(stack: Stack, page: Page, taskId: string, username: string, button = 'Abschließen') {
  // A select's option list still open (its field kept the focus) lies over the buttons: a user
  // clicks beside it first, which takes the focus away and closes it.
  const openList = page.locator('.fjs-dropdownlist:visible');
  if (await openList.count()) {
    await page.getByRole('heading', { level: 1 }).first().click();
    await openList.first().waitFor({ state: 'hidden' });
  }
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForURL((u) => !u.hash.startsWith(`#/tasks/${taskId}/`));
  const t = await stack.db.task.findUniqueOrThrow({ where: { id: taskId } });
  expect(t.state).toBe('COMPLETED');
  expect(t.completedBy).toBe(username);
}

export async function check(scope: Locator, name: string) {
  await scope.getByRole('checkbox', { name, exact: true }).check();
}

/** A form-js select: opens its list with a click and picks the option. */
export async function pick(field: Locator, option: string) {
  // Reaching the field with Tab may already have opened its list; a click would close it again.
  if (!(await field.locator('.fjs-dropdownlist').isVisible())) await field.locator('.fjs-input-group').click();
  await field.locator('.fjs-dropdownlist-item', { hasText: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).click();
  await field.locator('.fjs-select-display', { hasText: option }).waitFor();
}

/**
 * A form-js date field: the German date typed and confirmed with Enter; Escape closes its calendar
 * and the field is left without moving into the next one (whose calendar or list would open).
 */
export async function typeDate(scope: Locator, label: string | RegExp, value: string) {
  const field = scope.getByLabel(label);
  await field.fill(value);
  await field.press('Enter');
  await field.press('Escape');
  await field.blur();
  await scope.locator('.flatpickr-calendar.open').waitFor({ state: 'detached' });
  expect(await field.inputValue()).toBe(value);
}

/** An MUI select (combobox) by its label; waits until the menu has faded out (axe must not see it half transparent). */
export async function choose(page: Page, label: string | RegExp, option: string | RegExp) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
  await page.locator('.MuiMenu-root, [role="listbox"]').first().waitFor({ state: 'detached' });
}
