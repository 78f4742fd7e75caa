/**
 * /api/bleiberecht – the residence path (§§ 25a, 25b AufenthG). POST /vorpruefung evaluates the
 * engine's decision kim-bleiberecht-vorpruefung without starting a process. The body holds only the
 * decision inputs: any other field (a name, a file number) is rejected, so no personal data reaches
 * the engine or the log.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AUFENTHALTSSTATUS, INPUT_NAMES, SPRACHNIVEAUS } from '../../processes/kim-bleiberecht/contract';
import type { AppDeps } from '../http/deps';
import { asyncRoute, parseBody } from '../http/http';
import { caseProcessRoutes, caseStartSchema } from '../http/case-process';
import { countInput, decisionInputs, isoDateInput, languageLevelInput, quickCheckRoute, yesNoInputs } from '../http/quick-check';
import { requireActor } from '../http/session';

const isoDate = isoDateInput('2008-02-29');

export const bleiberechtVorpruefungSchema = decisionInputs(
  {
    stichtag: isoDate.optional(),
    geburtsdatum: isoDate.nullable().optional(),
    aufenthaltSeit: isoDate.nullable().optional(),
    duldungSeit: isoDate.nullable().optional(),
    nichtAnrechenbareTage: countInput('Nicht anrechenbare Tage', { max: 36500, negative: 'Nicht anrechenbare Tage dürfen nicht negativ sein.' }),
    aufenthaltsstatus: z.enum(AUFENTHALTSSTATUS, { error: `Aufenthaltsstatus muss einer dieser Werte sein: ${AUFENTHALTSSTATUS.join(', ')} (oder leer bleiben).` }).nullable().optional(),
    sprachniveauMuendlich: languageLevelInput(SPRACHNIVEAUS),
    ...yesNoInputs(['schulbesuchOderAbschluss', 'minderjaehrigesKindImHaushalt', 'lebensunterhaltUeberwiegendGesichert', 'ausnahmeKrankheitBehinderungAlter']),
    ...yesNoInputs(['bekenntnisFdgo', 'schulpflichtigeKinderOhneSchulbesuch', 'identitaetstaeuschung', 'ausweisungsinteresseSchwer']),
  },
  INPUT_NAMES,
);

/** POST /api/bleiberecht/start: only the case id; everything else is asked in the process's forms. */
export const startBleiberechtSchema = caseStartSchema;

export function bleiberechtRoutes(deps: AppDeps): Router {
  const { residence, residenceCheck } = deps.services;
  // kim-bleiberecht: started by the case manager of the case's site, who also reads the case's path.
  return caseProcessRoutes({ quickCheck: quickCheckRoute(bleiberechtVorpruefungSchema, residenceCheck), start: (a, input, id) => residence.start(a, input, id), ofCase: (a, c, id) => residence.pathOfCase(a, c, id) });
}

/** GET /api/fristen?tage=N: at most a year ahead. */
export const fristenQuerySchema = z.strictObject({
  tage: z.coerce.number({ error: 'tage: bitte eine Zahl angeben.' }).int({ error: 'tage: bitte eine ganze Zahl angeben.' }).min(1, { error: 'tage: mindestens 1.' }).max(366, { error: 'tage: höchstens 366.' }).default(90),
});

/** The deadline tracker's reads: a case's dates, and the overview of the next days. */
export function fristenRoutes(deps: AppDeps): Router {
  const r = Router();
  const residence = deps.services.residence;
  r.get(
    '/cases/:id/fristen',
    asyncRoute(async (req, res) => {
      res.json(await residence.deadlinesOfCase(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  r.get(
    '/fristen',
    asyncRoute(async (req, res) => {
      const actor = requireActor(req);
      const { tage } = parseBody(fristenQuerySchema, req.query);
      res.json(await residence.upcoming(actor, tage, req.requestId));
    }),
  );
  return r;
}
