/**
 * Start page: a work overview per role (GET /api/home) – case managers their tasks, follow-ups,
 * the residence deadlines of the next 90 days (GET /api/fristen), cases and partners' answers;
 * coordinators the commune's tasks and cases (pseudonyms only); ABH/EBH their authority's tasks
 * (the ABH also the commune's residence deadlines); the state a pointer to the anonymised
 * statistics; administrators the system status (and only they).
 */
import { useQuery } from '@tanstack/react-query';
import { Title, useTranslate } from 'react-admin';
import { Alert, Box, Card, CardContent, Typography } from '@mui/material';
import { apiCall } from './providers/http';
import { roleLabel } from './roles';
import { CasesSection, FollowUpsSection, PartnerAnswersSection, StatisticsSection, TasksSection } from './home/HomeSections';
import { SystemStatus } from './home/SystemStatus';
import { UpcomingDeadlinesSection } from './resources/residence/UpcomingDeadlines';
import type { HomeData } from './home/types';

function Greeting({ home }: { home: HomeData }) {
  const translate = useTranslate();
  const where = [home.kommune, home.site].filter(Boolean).join(', ');
  return (
    <Box component="header" sx={{ gridColumn: '1 / -1' }}>
      <Typography component="h1" variant="h5" data-testid="home-welcome">
        {translate('kim.dashboard.welcome', { name: home.displayName })}
      </Typography>
      <Typography color="text.secondary" data-testid="home-where">
        <span data-testid="identity-role">{roleLabel(home.role)}</span>
        {where ? ` · ${where}` : ''}
      </Typography>
    </Box>
  );
}

export function Dashboard() {
  const home = useQuery({ queryKey: ['kim-home'], queryFn: () => apiCall<HomeData>('/api/home'), refetchInterval: 60_000 });
  const h = home.data;
  return (
    <Box sx={{ mt: 2, mb: 2, display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'repeat(2, minmax(0, 1fr))' }, alignItems: 'start' }} data-testid="home">
      <Title title="Startseite" />
      {home.isError ? (
        <Alert severity="error" sx={{ gridColumn: '1 / -1' }}>
          {(home.error as Error).message}
        </Alert>
      ) : !h ? (
        <Card sx={{ gridColumn: '1 / -1' }}>
          <CardContent>
            <Typography role="status">Ihre Übersicht wird geladen …</Typography>
          </CardContent>
        </Card>
      ) : (
        <>
          <Greeting home={h} />
          {h.tasks ? <TasksSection tasks={h.tasks} linkCase={h.role === 'case_manager' || h.role === 'coordinator'} /> : null}
          {h.followUps ? <FollowUpsSection followUps={h.followUps} /> : null}
          {h.role === 'case_manager' || h.role === 'abh' ? <UpcomingDeadlinesSection linkCase={h.role === 'case_manager'} /> : null}
          {h.cases ? <CasesSection cases={h.cases} canStartIntake={h.role === 'case_manager'} /> : null}
          {h.partnerAnswers ? <PartnerAnswersSection answers={h.partnerAnswers} /> : null}
          {h.statistics ? <StatisticsSection statistics={h.statistics} /> : null}
          {h.systemStatus ? <SystemStatus /> : null}
        </>
      )}
    </Box>
  );
}
