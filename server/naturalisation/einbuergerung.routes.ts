/**
 * /api/einbuergerung – the naturalisation quick check of the web app. POST /vorpruefung evaluates the
 * engine's decision kim-einbuergerung-vorpruefung without starting a process. The body holds only
 * the decision inputs: any other field (a name, a file number) is rejected, so no personal data
 * reaches the engine or the log. POST /start and GET /cases/:caseId: kim-einbuergerung of a case.
 */
import type { Router } from 'express';
import { INPUT_NAMES, SPRACHNIVEAUS } from '../../processes/kim-einbuergerung/contract';
import type { AppDeps } from '../http/deps';
import { caseProcessRoutes, caseStartSchema } from '../http/case-process';
import { countInput, decisionInputs, isoDateInput, languageLevelInput, quickCheckRoute, yesNoInputs } from '../http/quick-check';

const isoDate = isoDateInput('2020-02-29');

export const vorpruefungSchema = decisionInputs(
  {
    stichtag: isoDate.optional(),
    aufenthaltSeit: isoDate.nullable().optional(),
    sprachniveau: languageLevelInput(SPRACHNIVEAUS),
    vollzeitMonateLetzte24: countInput('Vollzeitmonate in den letzten 24 Monaten', { max: 24 }),
    bewaehrungsstrafeMonate: countInput('Bewährungsstrafe in Monaten'),
    verurteilungTagessaetze: countInput('Tagessätze'),
    ...yesNoInputs(['aufenthaltstitelGeeignet', 'deutscherSchulabschluss', 'befreiungSpracheUndTest', 'einreiseAlsGastarbeiter', 'einbuergerungstestBestanden']),
    ...yesNoInputs(['bezugSgb2oder12', 'ehegatteVollzeitMitKind', 'freiheitsstrafeOhneBewaehrung', 'rassistischeMotivation', 'bekenntnisAbgegeben']),
  },
  INPUT_NAMES,
);

/** POST /api/einbuergerung/start: only the case id; everything else is asked in the process's forms. */
export const startEinbuergerungSchema = caseStartSchema;

export function einbuergerungRoutes(deps: AppDeps): Router {
  const { naturalisation, naturalisationCheck } = deps.services;
  // kim-einbuergerung: start the preparation for a case; read a case's naturalisation (role-minimised).
  return caseProcessRoutes({ quickCheck: quickCheckRoute(vorpruefungSchema, naturalisationCheck), start: (a, input, id) => naturalisation.start(a, input, id), ofCase: (a, c, id) => naturalisation.view(a, c, id) });
}
