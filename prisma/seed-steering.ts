/**
 * Demo steering history (Baustein 1) for Duisburg and Mettmann: the steering group's members, one
 * past meeting each with agenda, minutes and decisions, themes in every state with their gaps
 * (linked to demo cases through the conferences and referrals that reported them) and measures in
 * different states – one in implementation, one waiting for approval, one overdue, one done. Plus
 * one freshly reported gap in Duisburg that nobody has filed yet (it shows up in the coordination's
 * inbox). The themes have no process instance here: the steering intake takes each open one in at
 * the point its state says when the engine runs. No personal data; texts are generic.
 * Idempotent: keyed by commune and title (members by organisation, meetings by title).
 */
import type { Db } from '../server/db/prisma';

type LifeArea = 'Aufenthalt' | 'Sprache' | 'Bildung' | 'Arbeit' | 'Wohnen' | 'Gesundheit' | 'FamilieKitaSchule' | 'Finanzen' | 'Sonstiges';
type MeasureState = 'entwurf' | 'freigegeben' | 'in_umsetzung' | 'umgesetzt' | 'zurueckgewiesen';
const DAY = 86_400_000;

interface GapSeed {
  title: string;
  lifeArea: LifeArea;
  description: string;
  /** Which demo case reported it: the n-th conference or referral of the commune (by case reference). */
  from?: { conference: number } | { referral: number };
}
interface ThemeSeed {
  title: string;
  description: string;
  state: 'offen' | 'priorisiert' | 'in_bearbeitung' | 'geschlossen';
  priority?: 'hoch' | 'mittel' | 'niedrig';
  result?: string;
  gaps: GapSeed[];
  measure?: { title: string; ownerOrganisation: string; targetInDays: number; expectedEffect: string; state: MeasureState; description?: string };
  /** Decision of the demo meeting on this theme (and on its measure). */
  decided?: { theme?: 'projektgruppe' | 'zurueckstellen' | 'schliessen'; measure?: 'freigeben' | 'zurueckweisen'; text?: string };
}
interface CommuneSeed {
  members: Array<{ organisation: string; kind: string; function?: string; representative?: string }>;
  meeting: { title: string; daysAgo: number; location: string; minutes: string };
  themes: ThemeSeed[];
  unfiled: GapSeed[];
}

const STEERING: Record<string, CommuneSeed> = {
  duisburg: {
    members: [
      { organisation: 'Stadt Duisburg – Kommunales Integrationszentrum', kind: 'Kommune', function: 'vorsitz' },
      { organisation: 'Jobcenter Duisburg', kind: 'Jobcenter' },
      { organisation: 'Agentur für Arbeit Duisburg', kind: 'AgenturFuerArbeit' },
      { organisation: 'Caritasverband Duisburg', kind: 'Wohlfahrtsverband' },
      { organisation: 'Diakoniewerk Duisburg', kind: 'Wohlfahrtsverband' },
      { organisation: 'AWO Duisburg', kind: 'Wohlfahrtsverband', function: 'stellvertretung' },
      { organisation: 'BAMF, Regionalkoordination', kind: 'BAMF', function: 'beratend' },
      { organisation: 'Ausländerbehörde Duisburg', kind: 'Auslaenderbehoerde' },
    ],
    meeting: {
      title: 'Sitzung der Lenkungsgruppe (Frühjahr)',
      daysAgo: 75,
      location: 'Rathaus Duisburg, Ratssaal',
      minutes: 'Anwesend: alle Mitgliedsorganisationen außer BAMF. Die Koordination stellt die priorisierten Themen vor. Die Projektgruppe „Sprachkurse“ berichtet im Herbst.',
    },
    themes: [
      {
        title: 'Integrationskurse mit Kinderbetreuung fehlen',
        description: 'Eltern kleiner Kinder warten lange auf einen Kursplatz, weil kaum Kurse mit Kinderbetreuung angeboten werden.',
        state: 'in_bearbeitung',
        priority: 'hoch',
        gaps: [
          { title: 'Keine Integrationskurse mit Kinderbetreuung im Duisburger Norden', lifeArea: 'Sprache', description: 'Mütter kleiner Kinder warten über sechs Monate auf einen Kursplatz mit Betreuung.' },
          { title: 'Kursplatz mit Kinderbetreuung in Rheinhausen nicht verfügbar', lifeArea: 'Sprache', description: 'Kein Träger im Bezirk bietet Betreuung während des Kurses an.', from: { conference: 0 } },
          { title: 'Berufssprachkurs scheitert an fehlender Betreuung', lifeArea: 'Arbeit', description: 'Teilnahme am Berufssprachkurs nicht möglich, weil keine Betreuung für das Kleinkind gefunden wurde.', from: { referral: 0 } },
        ],
        measure: {
          title: 'Zwei zusätzliche Kurse mit Kinderbetreuung (VHS Hamborn und Rheinhausen)',
          ownerOrganisation: 'Volkshochschule Duisburg',
          targetInDays: 120,
          expectedEffect: 'Wartezeit auf einen Kursplatz mit Betreuung unter drei Monate.',
          state: 'in_umsetzung',
        },
        decided: { theme: 'projektgruppe', measure: 'freigeben', text: 'Projektgruppe aus VHS, Jobcenter und Caritas; Finanzierung über Landesmittel.' },
      },
      {
        title: 'Therapieplätze mit Sprachmittlung',
        description: 'Für psychotherapeutische Behandlung mit Sprachmittlung gibt es lange Wartezeiten.',
        state: 'priorisiert',
        priority: 'mittel',
        gaps: [
          { title: 'Therapieplätze mit Sprachmittlung fehlen', lifeArea: 'Gesundheit', description: 'Wartezeit im psychosozialen Zentrum über ein Jahr.' },
          { title: 'Keine Sprachmittlung für Traumatherapie', lifeArea: 'Gesundheit', description: 'Die Krankenkasse übernimmt die Kosten der Sprachmittlung nicht.', from: { conference: 1 } },
        ],
      },
      {
        title: 'Schulplätze für neu zugewanderte Jugendliche',
        description: 'Jugendliche ab 16 Jahren finden nach der Zuweisung lange keinen Platz in einer internationalen Förderklasse.',
        state: 'in_bearbeitung',
        priority: 'hoch',
        gaps: [{ title: 'Kein Platz in einer internationalen Förderklasse', lifeArea: 'Bildung', description: 'Wartezeit von mehreren Monaten nach der Zuweisung.', from: { referral: 1 } }],
        measure: {
          title: 'Zusätzliche internationale Förderklasse am Berufskolleg',
          ownerOrganisation: 'Stadt Duisburg – Kommunales Integrationszentrum',
          targetInDays: 200,
          expectedEffect: 'Jeder zugewiesene Jugendliche hat innerhalb von vier Wochen einen Schulplatz.',
          state: 'entwurf',
        },
        decided: { theme: 'projektgruppe' },
      },
      {
        title: 'Anerkennung ausländischer Berufsabschlüsse dauert zu lange',
        description: 'Zwischen Antrag und Bescheid vergehen oft mehr als sechs Monate; Beratung zum Verfahren fehlte.',
        state: 'geschlossen',
        priority: 'mittel',
        result: 'Seit Juni berät die IQ-Anerkennungsberatung zweimal im Monat im Integrationszentrum; Termine vergibt das Jobcenter.',
        gaps: [{ title: 'Keine Anerkennungsberatung vor Ort', lifeArea: 'Arbeit', description: 'Die nächste Beratungsstelle hat Wartezeiten von drei Monaten.', from: { conference: 2 } }],
        measure: {
          title: 'Sprechstunde der Anerkennungsberatung im Integrationszentrum',
          ownerOrganisation: 'Jobcenter Duisburg',
          targetInDays: -30,
          expectedEffect: 'Beratung innerhalb von zwei Wochen.',
          state: 'umgesetzt',
        },
      },
    ],
    unfiled: [{ title: 'Keine Schuldnerberatung auf Arabisch', lifeArea: 'Finanzen', description: 'Die Schuldnerberatung hat keine arabischsprachige Beratung und keine Sprachmittlung.', from: { referral: 2 } }],
  },
  mettmann: {
    members: [
      { organisation: 'Kreis Mettmann – Kommunales Integrationszentrum', kind: 'Kommune', function: 'vorsitz' },
      { organisation: 'Jobcenter ME-aktiv', kind: 'Jobcenter' },
      { organisation: 'AWO Kreisverband Mettmann', kind: 'Wohlfahrtsverband' },
      { organisation: 'Ausländerbehörde Kreis Mettmann', kind: 'Auslaenderbehoerde' },
    ],
    meeting: {
      title: 'Sitzung der Lenkungsgruppe (Frühjahr)',
      daysAgo: 100,
      location: 'Kreishaus Mettmann',
      minutes: 'Die Lenkungsgruppe beauftragt eine Projektgruppe Wohnen mit den Wohnungsbaugesellschaften.',
    },
    themes: [
      {
        title: 'Wohnraum für große Familien',
        description: 'Für Familien ab fünf Personen gibt es im Kreis kaum bezahlbare Wohnungen.',
        state: 'in_bearbeitung',
        priority: 'hoch',
        gaps: [
          { title: 'Kaum Sozialwohnungen für große Familien in Velbert', lifeArea: 'Wohnen', description: 'Für Familien ab fünf Personen gibt es praktisch kein Angebot.' },
          { title: 'Große Familie seit einem Jahr in der Unterkunft', lifeArea: 'Wohnen', description: 'Keine passende Wohnung in Ratingen.', from: { conference: 0 } },
        ],
        measure: {
          title: 'Kooperationsvereinbarung mit den Wohnungsbaugesellschaften',
          ownerOrganisation: 'Kreis Mettmann – Kommunales Integrationszentrum',
          targetInDays: -20,
          expectedEffect: 'Jährlich zehn große Wohnungen für Familien aus dem Integrationsmanagement.',
          state: 'in_umsetzung',
        },
        decided: { theme: 'projektgruppe', measure: 'freigeben' },
      },
      {
        title: 'Kita-Plätze für Kinder von Sprachkursteilnehmenden',
        description: 'Ohne Kita-Platz können Eltern den Integrationskurs nicht besuchen.',
        state: 'offen',
        gaps: [{ title: 'Kein Kita-Platz während des Integrationskurses', lifeArea: 'FamilieKitaSchule', description: 'Kurs musste abgebrochen werden.', from: { referral: 0 } }],
      },
    ],
    unfiled: [],
  },
};

/** The demo steering history; returns how many themes it added. */
export async function seedSteering(db: Db, now = new Date()): Promise<number> {
  let added = 0;
  for (const [kommuneId, s] of Object.entries(STEERING)) {
    if (!(await db.kommune.findUnique({ where: { id: kommuneId } }))) continue;
    for (const m of s.members) {
      if (await db.steeringGroupMember.findFirst({ where: { kommuneId, organisation: m.organisation } })) continue;
      await db.steeringGroupMember.create({ data: { kommuneId, organisation: m.organisation, kind: m.kind, function: m.function ?? 'mitglied', representative: m.representative ?? null } });
    }
    // The demo cases whose conferences and referrals reported gaps (stable order by reference).
    const conferences = await db.conference.findMany({ where: { case: { kommuneId } }, orderBy: { case: { reference: 'asc' } }, select: { id: true } });
    const referrals = await db.referral.findMany({ where: { case: { kommuneId } }, orderBy: [{ case: { reference: 'asc' } }, { createdAt: 'asc' }], select: { id: true } });
    const gap = async (g: GapSeed, themeId: string | null, status: 'gemeldet' | 'in_pruefung' | 'erledigt') => {
      const existing = await db.systemGap.findFirst({ where: { kommuneId, title: g.title } });
      const row = existing
        ? await db.systemGap.update({ where: { id: existing.id }, data: { themeId, status } })
        : await db.systemGap.create({ data: { kommuneId, lifeArea: g.lifeArea, title: g.title, description: g.description, themeId, status, createdAt: new Date(now.getTime() - 120 * DAY) } });
      if (g.from && 'conference' in g.from && conferences[g.from.conference]) {
        const conferenceId = conferences[g.from.conference].id;
        // Positions after the protocol's own gaps (the demo conferences have none).
        await db.conferenceGap.create({ data: { conferenceId, position: 100 + (await db.conferenceGap.count({ where: { conferenceId } })), systemGapId: row.id } });
      } else if (g.from && 'referral' in g.from && referrals[g.from.referral]) {
        await db.referralEvent.createMany({ data: [{ referralId: referrals[g.from.referral].id, kind: 'system-gap', reason: g.description, systemGapId: row.id }], skipDuplicates: true });
      }
      return row;
    };

    let meeting = await db.steeringMeeting.findFirst({ where: { kommuneId, title: s.meeting.title } });
    const newMeeting = !meeting;
    meeting ??= await db.steeringMeeting.create({ data: { kommuneId, title: s.meeting.title, date: new Date(`${new Date(now.getTime() - s.meeting.daysAgo * DAY).toISOString().slice(0, 10)}T08:00:00Z`), location: s.meeting.location, status: 'durchgefuehrt', minutes: s.meeting.minutes } });
    let position = newMeeting ? 0 : await db.steeringAgendaItem.count({ where: { meetingId: meeting.id } });

    for (const t of s.themes) {
      if (await db.steeringTheme.findFirst({ where: { kommuneId, title: t.title } })) continue;
      const theme = await db.steeringTheme.create({
        data: {
          kommuneId,
          title: t.title,
          description: t.description,
          state: t.state,
          priority: t.priority ?? null,
          result: t.result ?? null,
          closedAt: t.state === 'geschlossen' ? new Date(now.getTime() - 10 * DAY) : null,
          createdAt: new Date(now.getTime() - 110 * DAY),
        },
      });
      added++;
      for (const g of t.gaps) await gap(g, theme.id, t.state === 'geschlossen' ? 'erledigt' : 'in_pruefung');
      const measure = t.measure
        ? await db.steeringMeasure.create({
            data: {
              themeId: theme.id,
              kommuneId,
              title: t.measure.title,
              description: t.measure.description ?? '',
              ownerOrganisation: t.measure.ownerOrganisation,
              targetDate: new Date(`${new Date(now.getTime() + t.measure.targetInDays * DAY).toISOString().slice(0, 10)}T00:00:00Z`),
              expectedEffect: t.measure.expectedEffect,
              state: t.measure.state,
              approvedAt: t.measure.state === 'entwurf' ? null : new Date(now.getTime() - (s.meeting.daysAgo - 1) * DAY),
              startedAt: t.measure.state === 'in_umsetzung' || t.measure.state === 'umgesetzt' ? new Date(now.getTime() - (s.meeting.daysAgo - 2) * DAY) : null,
              doneAt: t.measure.state === 'umgesetzt' ? new Date(now.getTime() - 12 * DAY) : null,
            },
          })
        : null;
      if (t.decided?.theme) {
        const item = await db.steeringAgendaItem.create({ data: { meetingId: meeting.id, position: ++position, kind: 'thema', themeId: theme.id, title: t.title, notes: 'Die Koordination stellt die gemeldeten Lücken und die betroffenen Lebensbereiche vor.' } });
        await db.steeringDecision.create({ data: { meetingId: meeting.id, agendaItemId: item.id, kommuneId, themeId: theme.id, code: t.decided.theme, text: t.decided.text ?? null, createdAt: meeting.date } });
      }
      if (t.decided?.measure && measure) {
        const item = await db.steeringAgendaItem.create({ data: { meetingId: meeting.id, position: ++position, kind: 'massnahme', themeId: theme.id, measureId: measure.id, title: `Freigabe: ${measure.title}` } });
        await db.steeringDecision.create({ data: { meetingId: meeting.id, agendaItemId: item.id, kommuneId, themeId: theme.id, measureId: measure.id, code: t.decided.measure, createdAt: meeting.date } });
      }
    }
    for (const g of s.unfiled) if (!(await db.systemGap.findFirst({ where: { kommuneId, title: g.title } }))) await gap(g, null, 'gemeldet');
  }
  return added;
}
