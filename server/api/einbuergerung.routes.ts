/**
 * /api/einbuergerung – the naturalisation quick check of the web app. POST /vorpruefung evaluates the
 * engine's decision kim-einbuergerung-vorpruefung without starting a process. The body holds only
 * the decision inputs: any other field (a name, a file number) is rejected, so no personal data
 * reaches the engine or the log.
 */
import { Router } from 'express';
import { z } from 'zod';
import { INPUT_NAMES, SPRACHNIVEAUS } from '../../processes/kim-einbuergerung/contract';
import type { AppDeps } from '../app';
import { EinbuergerungRepository } from '../data/einbuergerung.repository';
import { EinbuergerungProcessService } from '../domain/einbuergerung-process.service';
import { assertMayRunVorpruefung, EinbuergerungService } from '../domain/einbuergerung.service';
import { asyncRoute, parseBody } from './http';
import { requireActor } from './session';

const DATE_MSG = 'Bitte ein gültiges Datum im Format JJJJ-MM-TT angeben, z. B. 2020-02-29.';

/** A calendar date YYYY-MM-DD that exists (no 2023-02-29, no 2024-13-01). */
const isoDate = z.string({ error: DATE_MSG }).refine((s) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, DATE_MSG);

const yesNo = z.boolean({ error: 'Bitte ja oder nein angeben (true/false).' }).optional();
const count = (what: string, max?: number) => {
  let n = z.number({ error: `${what}: bitte eine Zahl angeben.` }).int({ error: `${what}: bitte eine ganze Zahl angeben.` }).min(0, { error: `${what} darf nicht negativ sein.` });
  if (max !== undefined) n = n.max(max, { error: `${what}: höchstens ${max}.` });
  return n.optional();
};

export const vorpruefungSchema = z.strictObject(
  {
    stichtag: isoDate.optional(),
    aufenthaltSeit: isoDate.nullable().optional(),
    aufenthaltstitelGeeignet: yesNo,
    sprachniveau: z.enum(SPRACHNIVEAUS, { error: 'Sprachniveau muss A1, A2, B1, B2, C1 oder C2 sein (oder leer bleiben).' }).nullable().optional(),
    deutscherSchulabschluss: yesNo,
    befreiungSpracheUndTest: yesNo,
    einreiseAlsGastarbeiter: yesNo,
    einbuergerungstestBestanden: yesNo,
    bezugSgb2oder12: yesNo,
    vollzeitMonateLetzte24: count('Vollzeitmonate in den letzten 24 Monaten', 24),
    ehegatteVollzeitMitKind: yesNo,
    freiheitsstrafeOhneBewaehrung: yesNo,
    rassistischeMotivation: yesNo,
    bewaehrungsstrafeMonate: count('Bewährungsstrafe in Monaten'),
    verurteilungTagessaetze: count('Tagessätze'),
    bekenntnisAbgegeben: yesNo,
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Nur die Angaben der Vorprüfung sind erlaubt, keine personenbezogenen Daten. Unbekannt: ${iss.keys.join(', ')}. Erlaubt: ${INPUT_NAMES.join(', ')}.`
        : undefined,
  },
);

/** POST /api/einbuergerung/start: only the case id; everything else is asked in the process's forms. */
export const startEinbuergerungSchema = z.strictObject({ caseId: z.uuid({ error: 'Bitte eine gültige Fall-ID angeben.' }) });

export function einbuergerungRoutes(deps: AppDeps): Router {
  const r = Router();
  const service = new EinbuergerungService(deps.zeebe, deps.audit);
  r.post(
    '/vorpruefung',
    asyncRoute(async (req, res) => {
      const actor = requireActor(req);
      assertMayRunVorpruefung(actor);
      const input = parseBody(vorpruefungSchema, req.body);
      res.json(await service.vorpruefung(actor, input, req.requestId));
    }),
  );
  // kim-einbuergerung (issue 5): start the preparation for a case; read a case's naturalisation (role-minimised).
  const process = new EinbuergerungProcessService(new EinbuergerungRepository(deps.db), deps.zeebe, { taskDue: deps.config.KIM_TASK_DUE });
  r.post(
    '/start',
    asyncRoute(async (req, res) => {
      const actor = requireActor(req);
      const input = parseBody(startEinbuergerungSchema, req.body);
      res.status(201).json(await process.start(actor, input, req.requestId));
    }),
  );
  r.get(
    '/cases/:caseId',
    asyncRoute(async (req, res) => {
      res.json(await process.view(requireActor(req), String(req.params.caseId), req.requestId));
    }),
  );
  return r;
}
