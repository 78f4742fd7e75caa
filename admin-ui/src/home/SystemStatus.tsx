/** The platform's technical status (GET /api/health): shown to administrators only. */
import { useQuery } from '@tanstack/react-query';
import { useTranslate } from 'react-admin';
import { Alert, Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { apiGetAnyStatus } from '../providers/http';

interface Part {
  status: 'UP' | 'DOWN';
  error?: string;
}
interface Health {
  status: 'UP' | 'DOWN';
  version?: string;
  database: Part;
  engine: Part & { kind?: string };
  workers: Part & { workers?: Array<{ type: string; running: boolean }> };
}

function StatusChip({ part }: { part?: Part }) {
  const translate = useTranslate();
  const up = part?.status === 'UP';
  return <Chip size="small" color={up ? 'success' : 'error'} label={translate(up ? 'kim.dashboard.up' : 'kim.dashboard.down')} />;
}

export function SystemStatus() {
  const translate = useTranslate();
  const health = useQuery({
    queryKey: ['kim-health'],
    queryFn: async () => (await apiGetAnyStatus<Health>('/api/health')).body,
    refetchInterval: 30_000,
  });
  const h = health.data;
  const rows: Array<{ key: string; label: string; part?: Part; detail?: string }> = [
    { key: 'database', label: translate('kim.dashboard.database'), part: h?.database, detail: h?.database?.error },
    { key: 'engine', label: translate('kim.dashboard.engine'), part: h?.engine, detail: h?.engine?.error ?? h?.engine?.kind },
    {
      key: 'workers',
      label: translate('kim.dashboard.workers'),
      part: h?.workers,
      detail: h?.workers?.workers ? `${h.workers.workers.filter((w) => w.running).length} von ${h.workers.workers.length} aktiv` : undefined,
    },
  ];
  return (
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
  );
}
