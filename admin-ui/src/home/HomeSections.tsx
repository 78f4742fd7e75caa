/**
 * The cards of the start page's work overview. Every entry links to where the work is done (task,
 * case file, filtered inbox or case list); every list says clearly when it is empty.
 */
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { Box, Button, Card, CardContent, Chip, Link, List, ListItem, Typography } from '@mui/material';
import { inboxLink, processName } from '../resources/tasks/processes';
import { HomeData, HomeTask, HomeTasks, PHASE_LABELS } from './types';

const dateFmt = new Intl.DateTimeFormat('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
export const formatDate = (iso: string | null | undefined) => (iso ? dateFmt.format(new Date(iso)) : '');

export function Section({ id, title, children, actions }: { id: string; title: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <Card component="section" aria-labelledby={`home-${id}-heading`} data-testid={`home-${id}`} sx={{ display: 'flex', flexDirection: 'column' }}>
      <CardContent sx={{ flex: 1 }}>
        <Typography id={`home-${id}-heading`} component="h2" variant="h6" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
      {actions ? <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, px: 2, pb: 2 }}>{actions}</Box> : null}
    </Card>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary" data-testid="home-empty">
      {children}
    </Typography>
  );
}

/** One task: its name opens it; below, process, due date and (where the role may see it) the case. */
function TaskLine({ t, linkCase }: { t: HomeTask; linkCase: boolean }) {
  return (
    <ListItem disableGutters sx={{ display: 'block', py: 0.75 }} data-testid="home-task">
      <Link component={RouterLink} to={`/tasks/${encodeURIComponent(t.id)}/show`} sx={{ fontWeight: 500 }}>
        {t.name}
      </Link>
      <Typography component="div" variant="body2" color="text.secondary" sx={{ mt: 0.25 }}>
        {processName(t.processDefinitionId)}
        {t.caseReference ? (
          <>
            {' · Fall '}
            {linkCase && t.caseId ? (
              <Link component={RouterLink} to={`/cases/${t.caseId}/show`}>
                {t.caseReference}
              </Link>
            ) : (
              t.caseReference
            )}
            {t.pseudonym ? ` (${t.pseudonym})` : ''}
          </>
        ) : null}
        {t.dueDate ? (
          <>
            {' · '}
            <Box component="span" sx={{ color: t.overdue ? 'error.main' : undefined, whiteSpace: 'nowrap' }}>{`fällig ${formatDate(t.dueDate)}`}</Box>
          </>
        ) : null}
        {t.followUpDate ? (
          <>
            {' · '}
            <Box component="span" sx={{ whiteSpace: 'nowrap' }}>{`Wiedervorlage ${formatDate(t.followUpDate)}`}</Box>
          </>
        ) : null}
        {t.overdue ? <Chip size="small" color="error" variant="outlined" label="überfällig" sx={{ ml: 1 }} /> : null}
      </Typography>
    </ListItem>
  );
}

export function TaskLines({ tasks, linkCase, empty, label }: { tasks: HomeTask[]; linkCase: boolean; empty: string; label: string }) {
  if (!tasks.length) return <Empty>{empty}</Empty>;
  return (
    <List dense disablePadding aria-label={label}>
      {tasks.map((t) => (
        <TaskLine key={t.id} t={t} linkCase={linkCase} />
      ))}
    </List>
  );
}

const SCOPE_TITLE: Record<HomeTasks['scope'], string> = { mine: 'Meine Aufgaben', group: 'Aufgaben Ihrer Behörde', commune: 'Aufgaben der Kommune' };

/** Open and overdue tasks of the role's scope, with links into the inbox. */
export function TasksSection({ tasks, linkCase }: { tasks: HomeTasks; linkCase: boolean }) {
  const view = tasks.scope === 'mine' ? 'mine' : tasks.scope === 'commune' ? 'all' : 'group';
  const openText = tasks.open === 1 ? '1 offene Aufgabe' : `${tasks.open.toLocaleString('de-DE')} offene Aufgaben`;
  const overdueText = tasks.overdue === 1 ? '1 überfällig' : `${tasks.overdue.toLocaleString('de-DE')} überfällig`;
  return (
    <Section
      id="tasks"
      title={SCOPE_TITLE[tasks.scope]}
      actions={
        <>
          <Button component={RouterLink} to={inboxLink({ view })} variant="outlined" size="small">
            Alle anzeigen
          </Button>
          {tasks.overdue > 0 ? (
            <Button component={RouterLink} to={inboxLink({ view, overdue: true })} variant="outlined" color="error" size="small">
              Überfällige anzeigen
            </Button>
          ) : null}
          {tasks.unassignedInGroups !== undefined ? (
            <Button component={RouterLink} to={inboxLink({ view: 'group' })} size="small">
              {`Gruppenaufgaben (${tasks.unassignedInGroups.toLocaleString('de-DE')})`}
            </Button>
          ) : null}
        </>
      }
    >
      <Typography sx={{ mb: 1 }} data-testid="home-task-counts">
        <strong>{openText}</strong>
        {', '}
        <Box component="strong" sx={{ color: tasks.overdue ? 'error.main' : 'inherit' }}>
          {overdueText}
        </Box>
      </Typography>
      <Typography component="h3" variant="subtitle2" sx={{ mt: 1 }}>
        Überfällig
      </Typography>
      <TaskLines tasks={tasks.overdueTasks} linkCase={linkCase} empty="Keine überfälligen Aufgaben." label="Überfällige Aufgaben" />
      <Typography component="h3" variant="subtitle2" sx={{ mt: 2 }}>
        Als Nächstes fällig
      </Typography>
      <TaskLines tasks={tasks.upcomingTasks} linkCase={linkCase} empty={tasks.open ? 'Keine weiteren Aufgaben mit Frist.' : 'Keine offenen Aufgaben.'} label="Als Nächstes fällige Aufgaben" />
    </Section>
  );
}

export function FollowUpsSection({ followUps }: { followUps: HomeTask[] }) {
  return (
    <Section id="follow-ups" title="Wiedervorlagen dieser Woche">
      <TaskLines tasks={followUps} linkCase empty="Keine Wiedervorlagen in dieser Woche." label="Wiedervorlagen dieser Woche" />
    </Section>
  );
}

const caseListLink = (filter: Record<string, unknown>) => `/cases?filter=${encodeURIComponent(JSON.stringify(filter))}`;

/** Open cases per phase, each phase a link to the filtered case list. */
export function CasesSection({ cases, canStartIntake }: { cases: NonNullable<HomeData['cases']>; canStartIntake: boolean }) {
  const mine = cases.scope === 'mine' && cases.caseManagerId ? { caseManagerId: cases.caseManagerId } : {};
  return (
    <Section
      id="cases"
      title={cases.scope === 'mine' ? 'Meine Fälle nach Phase' : 'Offene Fälle der Kommune nach Phase'}
      actions={
        <>
          <Button component={RouterLink} to={caseListLink(mine)} variant="outlined" size="small">
            {cases.scope === 'mine' ? 'Meine Fälle anzeigen' : 'Alle Fälle anzeigen'}
          </Button>
          {canStartIntake ? (
            <Button component={RouterLink} to="/cases/create" variant="contained" size="small">
              Neue Erstberatung
            </Button>
          ) : null}
        </>
      }
    >
      {cases.total === 0 ? (
        <Empty>{cases.scope === 'mine' ? 'Sie haben keine offenen Fälle.' : 'Keine offenen Fälle.'}</Empty>
      ) : (
        <List dense disablePadding aria-label="Fälle nach Phase">
          {cases.byPhase.map((p) => (
            <ListItem key={p.phase} disableGutters sx={{ display: 'flex', justifyContent: 'space-between', gap: 2, py: 0.5 }} data-testid={`home-phase-${p.phase}`}>
              {p.count > 0 ? (
                <Link component={RouterLink} to={caseListLink({ ...mine, phase: p.phase })}>
                  {PHASE_LABELS[p.phase] ?? p.phase}
                </Link>
              ) : (
                <Typography variant="body2" color="text.secondary">
                  {PHASE_LABELS[p.phase] ?? p.phase}
                </Typography>
              )}
              <Typography component="span" sx={{ fontWeight: 600 }} aria-label={`${p.count} ${p.count === 1 ? 'Fall' : 'Fälle'}`}>
                {p.count.toLocaleString('de-DE')}
              </Typography>
            </ListItem>
          ))}
        </List>
      )}
    </Section>
  );
}

const ANSWER_TEXT: Record<string, string> = {
  'referral:angenommen': 'hat die Vermittlung angenommen',
  'referral:abgelehnt': 'hat die Vermittlung abgelehnt',
  'conference:zugesagt': 'hat die Teilnahme an der Fallkonferenz zugesagt',
  'conference:abgesagt': 'hat die Teilnahme an der Fallkonferenz abgesagt',
};

export function PartnerAnswersSection({ answers }: { answers: NonNullable<HomeData['partnerAnswers']> }) {
  return (
    <Section id="answers" title="Neue Antworten von Partnern">
      {answers.length === 0 ? (
        <Empty>Keine Antworten von Partnern in den letzten 14 Tagen.</Empty>
      ) : (
        <List dense disablePadding aria-label="Antworten von Partnern">
          {answers.map((x, i) => (
            <ListItem key={`${x.caseId}-${x.kind}-${i}`} disableGutters sx={{ display: 'block', py: 0.75 }} data-testid="home-answer">
              <Typography variant="body2">
                <strong>{x.organisation}</strong> {ANSWER_TEXT[`${x.kind}:${x.answer}`] ?? 'hat geantwortet'}
                {x.purpose ? ` („${x.purpose}“)` : ''}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {`${formatDate(x.at)} · Fall `}
                <Link component={RouterLink} to={`/cases/${x.caseId}/show`}>
                  {x.caseReference}
                </Link>
              </Typography>
            </ListItem>
          ))}
        </List>
      )}
    </Section>
  );
}

export function StatisticsSection({ statistics }: { statistics: NonNullable<HomeData['statistics']> }) {
  return (
    <Section id="statistics" title="Statistik der Kommunen">
      <Typography variant="body2" sx={{ mb: 1 }}>
        Das Land sieht ausschließlich anonymisierte Zahlen je Kommune und Monat (§ 19 TIntG), keine Personen- oder Falldaten. Werte unter {statistics.minCount} werden
        nicht ausgewiesen.
      </Typography>
      {statistics.communes.length === 0 ? (
        <Empty>Noch keine Kommunen angelegt.</Empty>
      ) : (
        <List dense disablePadding aria-label="Offene Fälle je Kommune">
          {statistics.communes.map((c) => (
            <ListItem key={c.name} disableGutters sx={{ display: 'flex', justifyContent: 'space-between', gap: 2 }}>
              <span>{c.name}</span>
              <span>{c.openCases === null ? `weniger als ${statistics.minCount} offene Fälle` : `${c.openCases.toLocaleString('de-DE')} offene Fälle`}</span>
            </ListItem>
          ))}
        </List>
      )}
    </Section>
  );
}
