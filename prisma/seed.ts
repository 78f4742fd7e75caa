/**
 * Demo data: two communes with sites and the demo users (password from KIM_DEMO_PASSWORD, default
 * "kim-demo"). Idempotent: existing rows are left as they are.
 */
import type { Db } from '../server/db/prisma';
import { hashPassword } from '../server/auth/auth.service';
import type { RoleName } from '../server/auth/policy';
import { seedHistory } from './seed-history';
import { seedSteering } from './seed-steering';

export interface DemoUser {
  username: string;
  displayName: string;
  role: RoleName;
  kommuneId: string | null;
  siteId: string | null;
  groups: string[];
}

export const KOMMUNEN = [
  { id: 'duisburg', name: 'Stadt Duisburg' },
  { id: 'mettmann', name: 'Kreis Mettmann' },
];

export const SITES = [
  { id: 'duisburg-nord', kommuneId: 'duisburg', name: 'Regional Support Center Nord (Hamborn)' },
  { id: 'duisburg-mitte', kommuneId: 'duisburg', name: 'Regional Support Center Mitte' },
  { id: 'duisburg-sued', kommuneId: 'duisburg', name: 'Regional Support Center Süd (Rheinhausen)' },
  { id: 'mettmann-ratingen', kommuneId: 'mettmann', name: 'KIM Ratingen' },
  { id: 'mettmann-velbert', kommuneId: 'mettmann', name: 'KIM Velbert' },
];

export const DEMO_USERS: DemoUser[] = [
  { username: 'cm.duisburg', displayName: 'Aylin Demir', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-nord', groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-nord'] },
  { username: 'cm2.duisburg', displayName: 'Jonas Becker', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-sued', groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-sued'] },
  { username: 'koord.duisburg', displayName: 'Dr. Miriam Hoffmann', role: 'coordinator', kommuneId: 'duisburg', siteId: null, groups: ['coordinator', 'coordinator:duisburg'] },
  // A second coordinator so the four-eyes release of a model change can be tried with demo data.
  { username: 'koord2.duisburg', displayName: 'Jonas Berger', role: 'coordinator', kommuneId: 'duisburg', siteId: null, groups: ['coordinator', 'coordinator:duisburg'] },
  { username: 'abh.duisburg', displayName: 'Thomas Wagner', role: 'abh', kommuneId: 'duisburg', siteId: null, groups: ['abh', 'abh:duisburg'] },
  { username: 'ebh.duisburg', displayName: 'Sabine Krüger', role: 'ebh', kommuneId: 'duisburg', siteId: null, groups: ['ebh', 'ebh:duisburg'] },
  { username: 'admin.duisburg', displayName: 'Markus Schulz', role: 'admin', kommuneId: 'duisburg', siteId: null, groups: [] },
  { username: 'cm.mettmann', displayName: 'Elif Yıldız', role: 'case_manager', kommuneId: 'mettmann', siteId: 'mettmann-ratingen', groups: ['case-manager', 'case-manager:mettmann', 'case-manager:mettmann-ratingen'] },
  { username: 'koord.mettmann', displayName: 'Stefan Lange', role: 'coordinator', kommuneId: 'mettmann', siteId: null, groups: ['coordinator', 'coordinator:mettmann'] },
  { username: 'land.nrw', displayName: 'Landescontrolling NRW (MKJFGFI)', role: 'land', kommuneId: null, siteId: null, groups: [] },
];

export async function seed(db: Db, password = process.env.KIM_DEMO_PASSWORD || 'kim-demo'): Promise<{ users: number; organisations: number; cases: number }> {
  for (const k of KOMMUNEN) await db.kommune.upsert({ where: { id: k.id }, create: k, update: {} });
  for (const s of SITES) await db.site.upsert({ where: { id: s.id }, create: s, update: {} });
  let created = 0;
  const hash = await hashPassword(password);
  for (const u of DEMO_USERS) {
    const exists = await db.user.findUnique({ where: { username: u.username }, select: { id: true } });
    if (exists) continue;
    await db.user.create({ data: { ...u, passwordHash: hash } });
    created++;
  }
  const organisations = await seedOrganisations(db);
  const cases = await seedCases(db);
  await seedSteering(db); // steering group, meetings, themes and measures (prisma/seed-steering.ts)
  if (process.env.KIM_DEMO_HISTORY !== 'false') await seedHistory(db); // a year of anonymous history for the dashboards (prisma/seed-history.ts)
  return { users: created, organisations, cases };
}

// ---------------------------------------------------------------------------------------------
// Demo case data: partner organisations, clients and cases in every phase. Deterministic (a fixed
// pseudo-random sequence), keyed by pseudonym / reference, so a second run adds nothing.
// ---------------------------------------------------------------------------------------------

type OrgType = 'Jobcenter' | 'AgenturFuerArbeit' | 'Jugendamt' | 'Sozialamt' | 'Auslaenderbehoerde' | 'Einbuergerungsbehoerde' | 'MBE' | 'JMD' | 'Sprachkurstraeger' | 'Schule' | 'Beratungsstelle' | 'Sonstige';
type LifeArea = 'Aufenthalt' | 'Sprache' | 'Bildung' | 'Arbeit' | 'Wohnen' | 'Gesundheit' | 'FamilieKitaSchule' | 'Finanzen' | 'Sonstiges';
type Phase = 'Zugang' | 'Clearing' | 'Foerderplanung' | 'Umsetzung' | 'Abschluss';

export const ORGANISATIONS: Record<string, Array<{ name: string; type: OrgType; email: string; phone: string; address: string }>> = {
  duisburg: [
    { name: 'Jobcenter Duisburg', type: 'Jobcenter', email: 'kim@jobcenter-duisburg.example', phone: '0203 3020', address: 'Wintgensstraße 29–33, 47058 Duisburg' },
    { name: 'Agentur für Arbeit Duisburg', type: 'AgenturFuerArbeit', email: 'duisburg@arbeitsagentur.example', phone: '0800 4555500', address: 'Wintgensstraße 29–33, 47058 Duisburg' },
    { name: 'Ausländerbehörde Duisburg', type: 'Auslaenderbehoerde', email: 'auslaenderbehoerde@stadt-duisburg.example', phone: '0203 2830', address: 'Ludgeristraße 12, 47057 Duisburg' },
    { name: 'Einbürgerungsbehörde Duisburg', type: 'Einbuergerungsbehoerde', email: 'einbuergerung@stadt-duisburg.example', phone: '0203 2831', address: 'Ludgeristraße 12, 47057 Duisburg' },
    { name: 'Jugendamt Duisburg', type: 'Jugendamt', email: 'jugendamt@stadt-duisburg.example', phone: '0203 2832', address: 'Schwanenstraße 5–7, 47051 Duisburg' },
    { name: 'Sozialamt Duisburg', type: 'Sozialamt', email: 'sozialamt@stadt-duisburg.example', phone: '0203 2833', address: 'Schwanenstraße 5–7, 47051 Duisburg' },
    { name: 'MBE Caritas Duisburg', type: 'MBE', email: 'mbe@caritas-duisburg.example', phone: '0203 93070', address: 'Mülheimer Straße 2, 47057 Duisburg' },
    { name: 'JMD Diakonie Duisburg', type: 'JMD', email: 'jmd@diakonie-duisburg.example', phone: '0203 29560', address: 'Paul-Rücker-Straße 7, 47059 Duisburg' },
    { name: 'VHS Duisburg – Sprachkurse', type: 'Sprachkurstraeger', email: 'integrationskurse@vhs-duisburg.example', phone: '0203 2833800', address: 'Steinsche Gasse 26, 47051 Duisburg' },
    { name: 'Gesamtschule Duisburg-Marxloh', type: 'Schule', email: 'sekretariat@gs-marxloh.example', phone: '0203 2833900', address: 'Kaiser-Wilhelm-Straße 200, 47169 Duisburg' },
    { name: 'AWO Schuldnerberatung Duisburg', type: 'Beratungsstelle', email: 'schuldnerberatung@awo-duisburg.example', phone: '0203 30950', address: 'Düsseldorfer Straße 517, 47055 Duisburg' },
  ],
  mettmann: [
    { name: 'Jobcenter Kreis Mettmann', type: 'Jobcenter', email: 'kim@jobcenter-me.example', phone: '02104 6960', address: 'Düsseldorfer Straße 26, 40822 Mettmann' },
    { name: 'Agentur für Arbeit Mettmann', type: 'AgenturFuerArbeit', email: 'mettmann@arbeitsagentur.example', phone: '0800 4555500', address: 'Harkortstraße 4, 40822 Mettmann' },
    { name: 'Ausländerbehörde Kreis Mettmann', type: 'Auslaenderbehoerde', email: 'auslaenderamt@kreis-mettmann.example', phone: '02104 990', address: 'Düsseldorfer Straße 26, 40822 Mettmann' },
    { name: 'Einbürgerungsbehörde Kreis Mettmann', type: 'Einbuergerungsbehoerde', email: 'einbuergerung@kreis-mettmann.example', phone: '02104 991', address: 'Düsseldorfer Straße 26, 40822 Mettmann' },
    { name: 'MBE Caritas Kreis Mettmann', type: 'MBE', email: 'mbe@caritas-mettmann.example', phone: '02102 40920', address: 'Düsseldorfer Straße 7, 40878 Ratingen' },
    { name: 'JMD Diakonie Kreis Mettmann', type: 'JMD', email: 'jmd@diakonie-mettmann.example', phone: '02051 28350', address: 'Friedrichstraße 132, 42551 Velbert' },
    { name: 'VHS Ratingen – Integrationskurse', type: 'Sprachkurstraeger', email: 'integration@vhs-ratingen.example', phone: '02102 5504300', address: 'Lintorfer Straße 2, 40878 Ratingen' },
    { name: 'Jugendamt Velbert', type: 'Jugendamt', email: 'jugendamt@velbert.example', phone: '02051 260', address: 'Thomasstraße 1, 42551 Velbert' },
  ],
};

const PEOPLE: Array<[string, string, string, string, string[]]> = [
  // firstName, lastName, gender, nationality, languages
  ['Ahmad', 'Haddad', 'm', 'syrisch', ['Arabisch']],
  ['Lina', 'Al-Khatib', 'w', 'syrisch', ['Arabisch', 'Englisch']],
  ['Olena', 'Kovalenko', 'w', 'ukrainisch', ['Ukrainisch', 'Russisch']],
  ['Dmytro', 'Shevchenko', 'm', 'ukrainisch', ['Ukrainisch']],
  ['Mohammad', 'Rahimi', 'm', 'afghanisch', ['Dari', 'Paschtu']],
  ['Zahra', 'Ahmadi', 'w', 'afghanisch', ['Dari']],
  ['Elif', 'Kaya', 'w', 'türkisch', ['Türkisch', 'Deutsch']],
  ['Murat', 'Yılmaz', 'm', 'türkisch', ['Türkisch']],
  ['Ioana', 'Popescu', 'w', 'rumänisch', ['Rumänisch']],
  ['Gheorghe', 'Lăcătuș', 'm', 'rumänisch', ['Rumänisch', 'Romanes']],
  ['Desislava', 'Ivanova', 'w', 'bulgarisch', ['Bulgarisch', 'Türkisch']],
  ['Hasan', 'Mehmedov', 'm', 'bulgarisch', ['Türkisch', 'Bulgarisch']],
  ['Semhar', 'Tesfay', 'w', 'eritreisch', ['Tigrinya']],
  ['Yonas', 'Gebremedhin', 'm', 'eritreisch', ['Tigrinya', 'Englisch']],
  ['Chinedu', 'Okafor', 'm', 'nigerianisch', ['Englisch', 'Igbo']],
  ['Amaka', 'Nwosu', 'w', 'nigerianisch', ['Englisch']],
  ['Dilan', 'Aydın', 'w', 'irakisch', ['Kurmandschi', 'Arabisch']],
  ['Rawand', 'Hussein', 'm', 'irakisch', ['Sorani', 'Arabisch']],
  ['Arta', 'Krasniqi', 'w', 'kosovarisch', ['Albanisch']],
  ['Besnik', 'Berisha', 'm', 'kosovarisch', ['Albanisch', 'Deutsch']],
  ['Marta', 'Nowak', 'w', 'polnisch', ['Polnisch']],
  ['Farid', 'Karimi', 'm', 'iranisch', ['Persisch', 'Englisch']],
  ['Niloofar', 'Hosseini', 'w', 'iranisch', ['Persisch']],
  ['Samir', 'El Amrani', 'm', 'marokkanisch', ['Arabisch', 'Französisch']],
  ['Fatima', 'Benali', 'w', 'marokkanisch', ['Arabisch', 'Tamazight']],
  ['Abdirahman', 'Warsame', 'm', 'somalisch', ['Somali']],
  ['Hodan', 'Abdi', 'w', 'somalisch', ['Somali', 'Englisch']],
  ['Giorgi', 'Beridze', 'm', 'georgisch', ['Georgisch', 'Russisch']],
  ['Aylin', 'Özdemir', 'w', 'türkisch', ['Türkisch', 'Deutsch']],
  ['Kateryna', 'Melnyk', 'w', 'ukrainisch', ['Ukrainisch']],
  ['Bashir', 'Noori', 'm', 'afghanisch', ['Paschtu']],
  ['Rana', 'Saleh', 'w', 'syrisch', ['Arabisch']],
  ['Vasile', 'Rusu', 'm', 'moldauisch', ['Rumänisch', 'Russisch']],
  ['Adwoa', 'Mensah', 'w', 'ghanaisch', ['Englisch', 'Twi']],
  ['Jamal', 'Darwish', 'm', 'palästinensisch (ungeklärt)', ['Arabisch']],
  ['Svetlana', 'Petrova', 'w', 'russisch', ['Russisch']],
];

const STREETS: Record<string, string[]> = {
  'duisburg-nord': ['Weseler Straße', 'Kaiser-Wilhelm-Straße', 'Duisburger Straße', 'Warbruckstraße'],
  'duisburg-mitte': ['Mülheimer Straße', 'Friedrich-Wilhelm-Straße', 'Hochfelder Markt', 'Wanheimer Straße'],
  'duisburg-sued': ['Friedrich-Alfred-Straße', 'Atroper Straße', 'Krefelder Straße', 'Hochemmericher Markt'],
  'mettmann-ratingen': ['Lintorfer Straße', 'Düsseldorfer Straße', 'Bahnstraße', 'Am Sandbach'],
  'mettmann-velbert': ['Friedrichstraße', 'Heiligenhauser Straße', 'Nedderstraße', 'Kopernikusstraße'],
};
const PLZ: Record<string, string> = { 'duisburg-nord': '47169 Duisburg', 'duisburg-mitte': '47053 Duisburg', 'duisburg-sued': '47226 Duisburg', 'mettmann-ratingen': '40878 Ratingen', 'mettmann-velbert': '42551 Velbert' };

/** Situations: the needs found in the clearing, with the partner a referral goes to. */
const SITUATIONS: Array<Array<{ lifeArea: LifeArea; description: string; goal: string; partner: OrgType }>> = [
  [
    { lifeArea: 'Aufenthalt', description: 'Aufenthaltserlaubnis läuft in vier Monaten ab; Verlängerung nach § 25b AufenthG prüfen.', goal: 'Verlängerungsantrag vollständig bei der Ausländerbehörde eingereicht', partner: 'Auslaenderbehoerde' },
    { lifeArea: 'Sprache', description: 'Deutsch auf A2-Niveau, B1 für Niederlassung nötig.', goal: 'B1-Prüfung (DTZ) bestanden', partner: 'Sprachkurstraeger' },
  ],
  [
    { lifeArea: 'Arbeit', description: 'Pflegeausbildung im Herkunftsland, Anerkennung in Deutschland offen.', goal: 'Anerkennungsverfahren eingeleitet, Anpassungslehrgang begonnen', partner: 'AgenturFuerArbeit' },
    { lifeArea: 'Finanzen', description: 'Bezieht Bürgergeld, Mietschulden von rund 900 €.', goal: 'Ratenzahlungsvereinbarung mit Vermieter geschlossen', partner: 'Beratungsstelle' },
  ],
  [
    { lifeArea: 'FamilieKitaSchule', description: 'Zwei Kinder (4 und 9 Jahre) ohne Kita- bzw. Schulplatz seit Zuzug.', goal: 'Beide Kinder haben einen Platz in Kita und Grundschule', partner: 'Jugendamt' },
    { lifeArea: 'Wohnen', description: 'Familie lebt zu fünft in einer Zweizimmerwohnung, Schimmel.', goal: 'Wohnberechtigungsschein beantragt, Wohnungssuche begleitet', partner: 'Sozialamt' },
  ],
  [
    { lifeArea: 'Bildung', description: '19 Jahre, ohne anerkannten Schulabschluss; möchte Ausbildung im Handwerk.', goal: 'Hauptschulabschluss nachgeholt, Ausbildungsplatz gefunden', partner: 'JMD' },
    { lifeArea: 'Sprache', description: 'Alltagssprache gut, Schriftsprache schwach.', goal: 'Berufssprachkurs B2 abgeschlossen', partner: 'Sprachkurstraeger' },
  ],
  [
    { lifeArea: 'Aufenthalt', description: 'Lebt seit acht Jahren in Deutschland, möchte sich einbürgern lassen.', goal: 'Einbürgerungsantrag mit allen Unterlagen gestellt', partner: 'Einbuergerungsbehoerde' },
    { lifeArea: 'Sonstiges', description: 'Geburtsurkunde fehlt, Beschaffung über Botschaft mit Apostille nötig.', goal: 'Übersetzte und beglaubigte Geburtsurkunde liegt vor', partner: 'MBE' },
  ],
  [
    { lifeArea: 'Gesundheit', description: 'Psychische Belastung nach Flucht; keine Anbindung an Ärztin oder Therapie.', goal: 'Termin in psychosozialem Zentrum wahrgenommen', partner: 'Beratungsstelle' },
    { lifeArea: 'Arbeit', description: 'Sucht Minijob neben Sprachkurs; Jobcenter-Termin versäumt.', goal: 'Eingliederungsvereinbarung mit Jobcenter abgeschlossen', partner: 'Jobcenter' },
  ],
];

const PHASES: Phase[] = ['Zugang', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Umsetzung', 'Abschluss'];
const KIND = ['CaseManagement', 'CaseManagement', 'CaseManagement', 'Verweisberatung', 'Kurzberatung', 'Einbuergerung'] as const;
const CASES_PER_SITE: Record<string, number> = { 'duisburg-nord': 14, 'duisburg-mitte': 10, 'duisburg-sued': 12, 'mettmann-ratingen': 13, 'mettmann-velbert': 11 };

async function seedOrganisations(db: Db): Promise<number> {
  let created = 0;
  for (const [kommuneId, orgs] of Object.entries(ORGANISATIONS)) {
    const existing = new Set((await db.organisation.findMany({ where: { kommuneId }, select: { name: true } })).map((o) => o.name));
    const missing = orgs.filter((o) => !existing.has(o.name)).map((o) => ({ ...o, kommuneId }));
    if (missing.length) created += (await db.organisation.createMany({ data: missing, skipDuplicates: true })).count;
  }
  return created;
}

const DAY = 86_400_000;

async function seedCases(db: Db): Promise<number> {
  let created = 0;
  const managers = new Map((await db.user.findMany({ where: { role: 'case_manager' }, select: { id: true, siteId: true } })).map((u) => [u.siteId, u.id]));
  // Fixed reference date so the demo data (and its references) do not depend on the day of seeding.
  const base = Date.UTC(2026, 9, 1);
  let n = 0;
  for (const site of SITES) {
    const prefix = site.kommuneId === 'duisburg' ? 'DU' : 'ME';
    const orgs = await db.organisation.findMany({ where: { kommuneId: site.kommuneId }, select: { id: true, type: true } });
    const orgOf = (t: OrgType) => (orgs.find((o) => o.type === t) ?? orgs.find((o) => o.type === 'MBE') ?? orgs[0]).id;
    const count = CASES_PER_SITE[site.id] ?? 10;
    const wanted = Array.from({ length: count }, (_, i) => `${prefix}-${site.id.split('-')[1].slice(0, 3).toUpperCase()}-${String(i + 1).padStart(3, '0')}`);
    const have = new Set((await db.client.findMany({ where: { pseudonym: { in: wanted } }, select: { pseudonym: true } })).map((c) => c.pseudonym));
    for (let i = 0; i < count; i++) {
      n++;
      const pseudonym = wanted[i];
      if (have.has(pseudonym)) continue;
      const [firstName, lastName, gender, nationality, languages] = PEOPLE[(n * 7 + i) % PEOPLE.length];
      const phase = PHASES[(n * 5) % PHASES.length];
      const kindOfHelp = phase === 'Zugang' || phase === 'Clearing' ? 'CaseManagement' : KIND[n % KIND.length];
      const situation = SITUATIONS[n % SITUATIONS.length];
      const openedAt = new Date(base - ((n * 37) % 400) * DAY - (phase === 'Abschluss' ? 200 * DAY : 0));
      const birthYear = 1965 + ((n * 13) % 40);
      const streets = STREETS[site.id] ?? ['Hauptstraße'];
      const caseManagerId = managers.get(site.id) ?? null;
      const phaseIdx = ['Zugang', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Abschluss'].indexOf(phase);
      const closedAt = phase === 'Abschluss' ? new Date(openedAt.getTime() + 180 * DAY) : null;
      await db.$transaction(async (tx) => {
        const client = await tx.client.create({
          data: {
            kommuneId: site.kommuneId,
            siteId: site.id,
            pseudonym,
            firstName,
            lastName,
            gender,
            nationality,
            languages,
            interpreterNeeded: !languages.includes('Deutsch') && n % 3 === 0,
            birthDate: new Date(Date.UTC(birthYear, (n * 5) % 12, 1 + ((n * 11) % 28))),
            phone: `0${157 + (n % 20)} ${String(1000000 + n * 7919).slice(0, 7)}`,
            address: `${streets[n % streets.length]} ${1 + ((n * 17) % 120)}, ${PLZ[site.id] ?? site.name}`,
          },
        });
        const kase = await tx.case.create({
          data: {
            reference: `${prefix}-2026-${String(n).padStart(4, '0')}`,
            clientId: client.id,
            kommuneId: site.kommuneId,
            siteId: site.id,
            phase,
            kindOfHelp,
            caseManagerId,
            openedAt,
            closedAt,
            outcome: closedAt ? (n % 2 ? 'Ziele überwiegend erreicht; Person selbstständig angebunden.' : 'Vorzeitig beendet: Wegzug in andere Kommune.') : null,
            deletionDate: closedAt ? new Date(Date.UTC(closedAt.getUTCFullYear() + 3, closedAt.getUTCMonth(), closedAt.getUTCDate())) : null,
          },
        });
        if (phaseIdx >= 1) {
          for (const s of situation) {
            const need = await tx.need.create({ data: { caseId: kase.id, lifeArea: s.lifeArea, description: s.description, createdAt: new Date(openedAt.getTime() + 7 * DAY) } });
            if (phaseIdx >= 2) {
              await tx.goal.create({
                data: {
                  caseId: kase.id,
                  needId: need.id,
                  lifeArea: s.lifeArea,
                  description: s.goal,
                  dueDate: new Date(openedAt.getTime() + 180 * DAY),
                  status: phase === 'Abschluss' ? (n % 2 ? 'erreicht' : 'nicht_erreicht') : phaseIdx === 3 ? 'laufend' : 'offen',
                },
              });
            }
          }
        }
        if (phaseIdx >= 2) {
          const partners = situation.map((s) => orgOf(s.partner));
          const consent = await tx.consent.create({
            data: {
              caseId: kase.id,
              recipients: [...new Set(partners)],
              dataCategories: ['Stammdaten', 'Aufenthaltsstatus', 'Bedarfe'],
              purposes: ['Vermittlung', 'Fallkonferenz'],
              validFrom: new Date(openedAt.getTime() + 14 * DAY),
              validUntil: new Date(openedAt.getTime() + 380 * DAY),
              revokedAt: n % 11 === 0 ? new Date(openedAt.getTime() + 60 * DAY) : null,
              revokeReason: n % 11 === 0 ? 'Klientin/Klient möchte keine Datenweitergabe an das Jobcenter mehr.' : null,
            },
          });
          if (phaseIdx >= 3) {
            for (const [j, s] of situation.entries()) {
              await tx.referral.create({
                data: {
                  caseId: kase.id,
                  organisationId: partners[j],
                  lifeArea: s.lifeArea,
                  purpose: s.goal,
                  withData: !consent.revokedAt,
                  consentId: consent.revokedAt ? null : consent.id,
                  status: phase === 'Abschluss' ? 'abgeschlossen' : j === 0 ? 'angenommen' : 'gesendet',
                  sentAt: new Date(openedAt.getTime() + 30 * DAY),
                  answeredAt: j === 0 || phase === 'Abschluss' ? new Date(openedAt.getTime() + 40 * DAY) : null,
                  dueDate: new Date(openedAt.getTime() + 60 * DAY),
                },
              });
            }
            if (n % 3 === 0) {
              await tx.conference.create({
                data: {
                  caseId: kase.id,
                  title: 'Fallkonferenz Integration in Arbeit und Sprache',
                  scheduledAt: new Date(openedAt.getTime() + 75 * DAY + 10 * 3600_000),
                  location: site.name,
                  status: phase === 'Abschluss' ? 'durchgefuehrt' : 'eingeladen',
                  participants: { create: partners.map((organisationId, k) => ({ organisationId, name: k ? 'Fachberatung' : 'Arbeitsvermittlung' })) },
                  agreements: {
                    create: situation.map((s, k) => ({ organisationId: partners[k], description: `Nächster Schritt: ${s.goal}`, dueDate: new Date(openedAt.getTime() + 120 * DAY), status: phase === 'Abschluss' ? 'erledigt' : 'offen' })),
                  },
                },
              });
            }
          }
        }
        await tx.note.create({
          data: {
            caseId: kase.id,
            authorId: caseManagerId,
            text: phaseIdx === 0 ? 'Erstkontakt über Empfehlung der Moscheegemeinde; Termin mit Dolmetscher vereinbart.' : `Gespräch geführt: ${situation[0].description}`,
            createdAt: new Date(openedAt.getTime() + 2 * DAY),
          },
        });
      });
      created++;
    }
  }
  if (created) {
    const gaps = [
      { kommuneId: 'duisburg', lifeArea: 'Sprache' as const, title: 'Keine Integrationskurse mit Kinderbetreuung im Duisburger Norden', description: 'Mütter kleiner Kinder warten über sechs Monate auf einen Kursplatz mit Betreuung.' },
      { kommuneId: 'duisburg', lifeArea: 'Gesundheit' as const, title: 'Therapieplätze mit Sprachmittlung fehlen', description: 'Wartezeit im psychosozialen Zentrum über ein Jahr.' },
      { kommuneId: 'mettmann', lifeArea: 'Wohnen' as const, title: 'Kaum Sozialwohnungen für große Familien in Velbert', description: 'Für Familien ab fünf Personen gibt es praktisch kein Angebot.' },
    ];
    for (const g of gaps) if (!(await db.systemGap.findFirst({ where: { kommuneId: g.kommuneId, title: g.title } }))) await db.systemGap.create({ data: g });
  }
  return created;
}
