/**
 * What the kim-steuerung tasks show (coordination only), read from the app database by the task's
 * instance – the gap the instance took in, or the theme it carries – never from process variables:
 * the gap with its life area and origin and the open themes to choose from; the theme with how many
 * gaps and cases it has and which life areas it touches (never persons); the steering group's
 * decision, a measure sent back with the reason, the measure with owner and target date; and for
 * closing, how many cases will get the notice.
 */
import { DECISION_DE, ELEMENT, GAP_SOURCE_DE, MEASURE_STATE_DE, PRIORITY_DE, PROCESS_ID, labelOf } from '../../processes/kim-steuerung/contract';
import { deDate, deDateTime, facts, type StepContext, type StepProvider } from '../inbox/step-context';
import { LIFE_AREA_DE } from '../referrals/referral.service';
import { SteeringRepository } from './steering.repository';

const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const steeringStep: StepProvider = async (db, { task, actor }) => {
  if (task.processDefinitionId !== PROCESS_ID || actor.role !== 'coordinator' || !task.kommuneId || task.kommuneId !== actor.kommuneId) return null;
  const repo = new SteeringRepository(db);

  if (task.elementId === ELEMENT.assignGap) {
    const gap = await repo.gapOfInstance(task.processInstanceKey, task.kommuneId);
    if (!gap) return null;
    const [source, themes] = await Promise.all([repo.sourceOfGap(gap.id), repo.openThemes(task.kommuneId)]);
    const reach = await repo.reach(themes.map((t) => t.id));
    return {
      title: 'Gemeldete Systemlücke',
      facts: facts([
        ['Systemlücke', gap.title],
        ['Lebensbereich', labelOf(LIFE_AREA_DE, gap.lifeArea)],
        ['Herkunft', GAP_SOURCE_DE[source]],
        ['Gemeldet am', deDateTime(gap.createdAt)],
        ['Beschreibung', gap.description],
      ]),
      lists: themes.length ? [{ title: 'Offene Themen', items: themes.map((t) => `${t.title} (${plural(reach.get(t.id)?.gapCount ?? 0, 'Systemlücke', 'Systemlücken')})`) }] : [],
      hints: themes.length ? [] : ['Es gibt noch kein offenes Thema: Legen Sie ein neues an.'],
      data: {
        lueckeTitel: gap.title,
        lueckeLebensbereich: labelOf(LIFE_AREA_DE, gap.lifeArea),
        lueckeHerkunft: GAP_SOURCE_DE[source],
        offeneThemen: themes.map((t) => ({ value: t.id, label: t.title })),
      },
    };
  }

  const theme = await repo.themeOfInstance(task.processInstanceKey, task.kommuneId);
  if (!theme) return null;
  const reach = (await repo.reach([theme.id])).get(theme.id)!;
  const areas = reach.lifeAreas.map((l) => labelOf(LIFE_AREA_DE, l)).join(', ');
  const scope = `${plural(reach.gapCount, 'Systemlücke', 'Systemlücken')} aus ${plural(reach.caseCount, 'Fall', 'Fällen')}${areas ? `, Lebensbereiche: ${areas}` : ''}`;
  const themeFacts = facts([
    ['Thema', theme.title],
    ['Umfang', scope],
    ['Priorität', theme.priority ? labelOf(PRIORITY_DE, theme.priority) : null],
    ['Beschreibung', theme.description],
  ]);
  const measure = await repo.latestMeasure(theme.id);
  const measureFacts = measure
    ? facts([
        ['Maßnahme', measure.title],
        ['Verantwortlich', measure.ownerOrganisation],
        ['Zieldatum', deDate(measure.targetDate)],
        ['Erwartete Wirkung', measure.expectedEffect],
        ['Stand', labelOf(MEASURE_STATE_DE, measure.state)],
        ['Letzte Notiz zum Stand', measure.progressNote],
      ])
    : [];
  const out: Partial<StepContext> = { title: 'Thema der Steuerung', facts: themeFacts, data: { themaTitel: theme.title, themaUmfang: scope } };

  switch (task.elementId) {
    case ELEMENT.prioritiseTheme: {
      const gaps = await repo.gapsOfTheme(theme.id);
      out.lists = [{ title: 'Systemlücken in diesem Thema', items: gaps.map((g) => `${g.title} (${labelOf(LIFE_AREA_DE, g.lifeArea)}, ${GAP_SOURCE_DE[g.source]})`) }];
      return out;
    }
    case ELEMENT.draftMeasure: {
      const decision = (await repo.decisionsOfTheme(theme.id)).filter((d) => d.measureId === null).pop();
      const sentBack = measure?.state === 'zurueckgewiesen';
      const members = await db.steeringGroupMember.findMany({ where: { kommuneId: task.kommuneId, active: true }, select: { organisation: true } });
      const orgs = await repo.organisationNames(task.kommuneId);
      const owners = [...new Set([...members.map((m) => m.organisation), ...orgs.map((o) => o.name), ...(measure ? [measure.ownerOrganisation] : [])])].sort((x, y) => x.localeCompare(y, 'de'));
      out.title = 'Auftrag der Lenkungsgruppe';
      out.facts = [...themeFacts, ...facts([['Beschluss', decision ? `${labelOf(DECISION_DE, decision.code)} (Sitzung am ${deDate(decision.meeting.date)})${decision.text ? `: ${decision.text}` : ''}` : null]])];
      out.hints = sentBack ? [`Die Lenkungsgruppe hat die Maßnahme zur Überarbeitung zurückgegeben${measure?.sentBackNote ? `: ${measure.sentBackNote}` : '.'}`] : [];
      out.data = {
        ...out.data,
        rueckgabeHinweis: sentBack ? 'Die Lenkungsgruppe hat die Maßnahme zur Überarbeitung zurückgegeben – der Grund steht daneben.' : '',
        verantwortlicheStellen: owners.map((name) => ({ value: name, label: name })),
        ...(measure ? { massnahmeTitel: measure.title, verantwortlicheStelle: measure.ownerOrganisation, zieldatum: isoDay(measure.targetDate), erwarteteWirkung: measure.expectedEffect, massnahmeBeschreibung: measure.description } : {}),
      };
      return out;
    }
    case ELEMENT.reportProgress:
    case ELEMENT.escalateMeasure: {
      if (!measure) return out;
      out.title = task.elementId === ELEMENT.escalateMeasure ? 'Überfällige Maßnahme' : 'Maßnahme in Umsetzung';
      out.facts = [...measureFacts, ...facts([['Thema', theme.title]])];
      out.hints = task.elementId === ELEMENT.escalateMeasure ? [`Das Zieldatum ${deDate(measure.targetDate)} ist überschritten.`] : [];
      out.data = { ...out.data, massnahmeTitel: measure.title, verantwortlicheStelle: measure.ownerOrganisation, zieldatumText: deDate(measure.targetDate) };
      return out;
    }
    case ELEMENT.closeTheme: {
      const decision = await repo.latestThemeDecision(theme.id);
      const reason =
        measure?.state === 'umgesetzt'
          ? `Die Maßnahme „${measure.title}“ ist umgesetzt.`
          : decision?.code === 'schliessen'
            ? 'Die Lenkungsgruppe hat beschlossen, das Thema ohne Maßnahme zu schließen.'
            : 'Das Thema wird ohne Maßnahme geschlossen.';
      const cases = reach.caseCount;
      out.title = 'Thema abschließen';
      out.facts = [...themeFacts, ...measureFacts];
      out.data = {
        ...out.data,
        abschlussGrund: reason,
        rueckmeldungText: cases
          ? `Die Fallverantwortlichen der ${plural(cases, 'meldenden Fallakte', 'meldenden Fallakten')} bekommen eine Rückmeldung in der Fallakte – ohne Personendaten anderer Fälle.`
          : 'Keine Fallakte hat Lücken dieses Themas gemeldet: Es geht keine Rückmeldung an Fallverantwortliche.',
      };
      return out;
    }
    default:
      return out;
  }
};
