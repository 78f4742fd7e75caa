/**
 * In the case file: e-mails of the case that did not go out yet ("Versand ausstehend, nächster Versuch
 * um …"), so a mail server outage shows where the work is – not as an engine incident. Renders nothing
 * when every mail went out.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, AlertTitle, Box } from '@mui/material';
import { apiCall } from '../../providers/http';

interface Pending {
  id: string;
  kind: string;
  recipient: string;
  state: string;
  error: string | null;
}

export function CaseMailStatus({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['case-mail-status', caseId],
    queryFn: () => apiCall<Pending[]>(`/api/cases/${caseId}/mail-status`),
    // A retry is due within minutes: keep the shown time current while the file is open.
    refetchInterval: 30_000,
    retry: false,
  });
  if (!q.data?.length) return null;
  return (
    <Alert severity="warning" sx={{ mb: 2 }} data-testid="case-mail-status">
      <AlertTitle>E-Mails noch nicht versendet</AlertTitle>
      <Box component="ul" sx={{ m: 0, pl: 2 }}>
        {q.data.map((m) => (
          <li key={m.id}>
            {`${m.kind} an ${m.recipient}: ${m.state}`}
            {m.error ? ` – ${m.error}` : ''}
          </li>
        ))}
      </Box>
    </Alert>
  );
}
