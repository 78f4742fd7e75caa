/**
 * German names of the kinds of partner organisation (Prisma enum OrganisationType). Plain data
 * without imports: the web app uses the same names for its choices and lists.
 */
export const ORGANISATION_TYPE_DE: Record<string, string> = {
  Jobcenter: 'Jobcenter',
  AgenturFuerArbeit: 'Agentur für Arbeit',
  Jugendamt: 'Jugendamt',
  Sozialamt: 'Sozialamt',
  Auslaenderbehoerde: 'Ausländerbehörde',
  Einbuergerungsbehoerde: 'Einbürgerungsbehörde',
  MBE: 'Migrationsberatung für Erwachsene (MBE)',
  JMD: 'Jugendmigrationsdienst (JMD)',
  Sprachkurstraeger: 'Sprachkursträger',
  Schule: 'Schule',
  Beratungsstelle: 'Beratungsstelle',
  Sonstige: 'Sonstige Stelle',
};
