/**
 * The start variable that names who started a process instance by their own action (intake,
 * referral, conference, naturalisation started in the case file): the staff member's username,
 * which is staff data, not client data. The models use it as `camunda:assignee` of the first user
 * tasks – `${execution.getVariable('gestartetVon')}`, which is null (task stays a group task) when
 * an instance was started without it, e.g. by a call activity or from the modeler.
 */
export const STARTER_VARIABLE = 'gestartetVon';

export const starterVariables = (a: { username: string }): Record<string, string> => ({ [STARTER_VARIABLE]: a.username });
