/** Start page: who is signed in, and the platform's health (GET /api/health). */
import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router-dom';
import { Title, useGetIdentity, useTranslate } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { apiGetAnyStatus } from './providers/http';
import { roleLabel } from './roles';

interface Part {
  status: 'UP' | 'DOWN';
  error?: string;
}
interface Health {
  status: 'UP' | 'DOWN';
  version?: string;
  database: Part;
  engine: Part & { brokers?: number; partitions?: number; gatewayVersion?: string };
  workers: Part & { workers?: Array<{ type: string; running: boolean }> };
}

function StatusChip({ part }: { part?: Part }) {
  const translate = useTranslate();
  const up = part?.status === 'UP';
  return <Chip size="small" color={up ? 'success' : 'error'} label={translate(up ? 'kim.dashboard.up' : 'kim.dashboard.down')} />;
}

export function Dashboard() {
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  const health = useQuery({
    queryKey: ['kim-health'],
    queryFn: async () => (await apiGetAnyStatus<Health>('/api/health')).body,
    refetchInterval: 30_000,
  });
  const h = health.data;
  const rows: Array<{ key: string; label: string; part?: Part; detail?: string }> = [
    { key: 'database', label: translate('kim.dashboard.database'), part: h?.database, detail: h?.database?.error },
    {
      key: 'engine',
      label: translate('kim.dashboard.engine'),
      part: h?.engine,
      detail: h?.engine?.error ?? (h?.engine?.gatewayVersion ? `Camunda ${h.engine.gatewayVersion}` : undefined),
    },
    {
      key: 'workers',
      label: translate('kim.dashboard.workers'),
      part: h?.workers,
      detail: h?.workers?.workers ? `${h.workers.workers.filter((w) => w.running).length} von ${h.workers.workers.length} aktiv` : undefined,
    },
  ];

  return (
    <Box sx={{ mt: 2, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
      <Title title="kim.title" />
      <Card component="section" aria-labelledby="kim-user-heading">
        <CardContent>
          <Typography id="kim-user-heading" component="h2" variant="h6" gutterBottom>
            {identity ? translate('kim.dashboard.welcome', { name: identity.fullName }) : translate('kim.dashboard.signedInAs')}
          </Typography>
          <dl style={{ margin: 0 }}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {translate('kim.dashboard.signedInAs')}
            </Typography>
            <Typography component="dd" sx={{ m: 0, mb: 1 }} data-testid="identity-name">
              {identity ? `${identity.fullName} (${identity.username})` : '…'}
            </Typography>
            <Typography component="dt" variant="body2" color="text.secondary">
              {translate('kim.dashboard.role')}
            </Typography>
            <Typography component="dd" sx={{ m: 0, mb: 1 }} data-testid="identity-role">
              {identity ? roleLabel(identity.role as string) : '…'}
            </Typography>
            {identity?.kommuneId ? (
              <>
                <Typography component="dt" variant="body2" color="text.secondary">
                  {translate('kim.dashboard.kommune')}
                </Typography>
                <Typography component="dd" sx={{ m: 0, mb: 1 }}>
                  {String(identity.kommuneId)}
                </Typography>
              </>
            ) : null}
          </dl>
          <Button component={RouterLink} to="/tasks" variant="outlined" sx={{ mt: 1 }}>
            {translate('kim.dashboard.toInbox')}
          </Button>
        </CardContent>
      </Card>
      <Card component="section" aria-labelledby="kim-health-heading">
        <CardContent>
          <Typography id="kim-health-heading" component="h2" variant="h6" gutterBottom>
            {translate('kim.dashboard.health')}
          </Typography>
          {health.isError ? (
            <Alert severity="error">{(health.error as Error).message}</Alert>
          ) : !h ? (
            <Typography role="status">{translate('kim.dashboard.loading')}</Typography>
          ) : (
            <>
              <Table size="small" aria-labelledby="kim-health-heading">
                <TableHead>
                  <TableRow>
                    <TableCell component="th" scope="col">{translate('kim.dashboard.component')}</TableCell>
                    <TableCell component="th" scope="col">{translate('kim.dashboard.status')}</TableCell>
                    <TableCell component="th" scope="col">Details</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {rows.map((r) => (
                    <TableRow key={r.key} data-testid={`health-${r.key}`}>
                      <TableCell component="th" scope="row">{r.label}</TableCell>
                      <TableCell>
                        <StatusChip part={r.part} />
                      </TableCell>
                      <TableCell>{r.detail ?? ''}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              {h.version ? (
                <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                  {translate('kim.dashboard.version', { version: h.version })}
                </Typography>
              ) : null}
            </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
