/**
 * "Prozesse": the list (versions, running instances, draft), one process (versions with who/when/why,
 * heatmap of where running instances wait, incidents with retry, migration preview) and the review of a
 * submitted draft with a visual diff against the deployed version (bpmn-js-differ) and approval.
 */
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Title, useNotify } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Card, CardContent, Chip, CircularProgress, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { diff } from 'bpmn-js-differ';
import { session } from '../providers/http';
import { dateTime, modelsApi, ProcessModel, WatchSource } from './api';
import { Diagram } from './Diagram';

const STATUS: Record<string, string> = { draft: 'Entwurf in Bearbeitung', in_review: 'zur Freigabe eingereicht', deploying: 'wird bereitgestellt' };

/** The engine's incident types, in words. */
const ERROR_TYPES: Record<string, string> = {
  JOB_NO_RETRIES: 'Schritt ohne weitere Versuche',
  CONDITION_ERROR: 'Bedingung nicht auswertbar',
  EXTRACT_VALUE_ERROR: 'Ausdruck nicht auswertbar',
  IO_MAPPING_ERROR: 'Variablenzuordnung fehlgeschlagen',
  CALLED_ELEMENT_ERROR: 'Aufgerufener Prozess fehlt',
  CALLED_DECISION_ERROR: 'Aufgerufene Entscheidung fehlt',
  DECISION_EVALUATION_ERROR: 'Entscheidung nicht auswertbar',
  UNHANDLED_ERROR_EVENT: 'BPMN-Fehler ohne Fangereignis',
  MESSAGE_SIZE_EXCEEDED: 'Nachricht zu groß',
  FORM_NOT_FOUND: 'Formular fehlt',
  RESOURCE_NOT_FOUND: 'Ressource fehlt',
  EXECUTION_LISTENER_NO_RETRIES: 'Ausführungs-Listener ohne weitere Versuche',
  TASK_LISTENER_NO_RETRIES: 'Aufgaben-Listener ohne weitere Versuche',
};

/** Shown when the engine history was unavailable and the app database answered instead. */
function ProjectionHint({ source }: { source?: WatchSource }) {
  if (source !== 'projection') return null;
  return (
    <Alert severity="warning" sx={{ my: 1 }} data-testid="watch-projection-hint">
      Die Verlaufsdaten der Engine sind gerade nicht erreichbar. Gezählt werden deshalb nur Instanzen, die an einer Benutzeraufgabe warten, und Vorfälle nur, soweit die eigenen Worker sie erfasst haben.
    </Alert>
  );
}

export function ProcessList() {
  const q = useQuery({ queryKey: ['models'], queryFn: modelsApi.list });
  return (
    <Box sx={{ mt: 1 }}>
      <Title title="Prozesse" />
      <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
        Prozesse
      </Typography>
      {q.error && <Alert severity="error">{(q.error as Error).message}</Alert>}
      {q.isLoading && <CircularProgress aria-label="Prozesse werden geladen" />}
      <ProjectionHint source={q.data?.find((p) => p.watchSource === 'projection')?.watchSource} />
      {q.data && (
        <Card>
          <Table size="small" aria-label="Prozesse">
            <TableHead>
              <TableRow>
                <TableCell>Prozess</TableCell>
                <TableCell>Neueste Version</TableCell>
                <TableCell>Laufende Instanzen</TableCell>
                <TableCell>Entwurf</TableCell>
                <TableCell>Aktion</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {q.data.map((p) => (
                <TableRow key={p.processId} data-testid={`process-${p.processId}`}>
                  <TableCell>
                    {p.name} <Typography variant="caption">({p.processId})</Typography>
                  </TableCell>
                  <TableCell>{p.latestVersion}</TableCell>
                  <TableCell>{p.versions.reduce((n, v) => n + v.runningInstances, 0)}</TableCell>
                  <TableCell>{p.draft ? `${STATUS[p.draft.status] ?? p.draft.status} (${p.draft.updatedBy})` : '—'}</TableCell>
                  <TableCell>
                    <Link to={`/models/${encodeURIComponent(p.processId)}/show`}>Öffnen</Link>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </Box>
  );
}

function Review({ p, onDone }: { p: ProcessModel; onDone(): void }) {
  const notify = useNotify();
  const [xml, setXml] = useState<{ draft: string; deployed: string } | null>(null);
  const [changes, setChanges] = useState<{ added: string[]; removed: string[]; changed: string[] } | null>(null);
  const [defs, setDefs] = useState<{ a?: unknown; b?: unknown }>({});
  const [comment, setComment] = useState('');
  const me = session.user?.username;
  useEffect(() => {
    Promise.all([modelsApi.draft(p.processId), modelsApi.version(p.processId, p.latestVersion)]).then(([d, v]) => setXml({ draft: d.xml, deployed: v.xml ?? '' }));
  }, [p.processId, p.latestVersion]);
  useEffect(() => {
    if (defs.a && defs.b && !changes) {
      const r = diff(defs.a, defs.b);
      setChanges({ added: Object.keys(r._added), removed: Object.keys(r._removed), changed: Object.keys(r._changed) });
    }
  }, [defs, changes]);
  const approve = async () => {
    try {
      const r = await modelsApi.approve(p.processId, comment);
      notify(`Freigegeben und bereitgestellt als Version ${r.version}.`, { type: 'success' });
      onDone();
    } catch (e) {
      notify((e as Error).message, { type: 'error', autoHideDuration: 15000 });
    }
  };
  const reject = async () => {
    try {
      await modelsApi.reject(p.processId, comment);
      notify('Zurück in Bearbeitung gegeben.', { type: 'info' });
      onDone();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  const d = p.draft!;
  const markersNew = changes ? Object.fromEntries([...changes.added.map((i) => [i, 'kim-diff-added']), ...changes.changed.map((i) => [i, 'kim-diff-changed'])]) : undefined;
  const markersOld = changes ? Object.fromEntries(changes.removed.map((i) => [i, 'kim-diff-removed'])) : undefined;
  return (
    <Card sx={{ my: 2 }} data-testid="review">
      <CardContent>
        <Typography variant="h6" component="h2">
          Freigabe prüfen
        </Typography>
        <Typography variant="body2">
          Eingereicht von {d.submittedBy} am {dateTime(d.submittedAt)}: „{d.submitComment}“
        </Typography>
        {changes && (
          <Typography variant="body2" data-testid="diff-summary" sx={{ my: 1 }}>
            Neu: {changes.added.join(', ') || '—'} · Geändert: {changes.changed.join(', ') || '—'} · Entfernt: {changes.removed.join(', ') || '—'}
          </Typography>
        )}
        {xml && (
          <Stack direction="row" spacing={1}>
            <Box sx={{ flex: 1 }}>
              <Typography variant="subtitle2">Bereitgestellt (Version {p.latestVersion}) – entfernte Elemente rot</Typography>
              <Diagram xml={xml.deployed} small markers={markersOld} label="Bereitgestellte Version" onImported={(v) => setDefs((s) => (s.a ? s : { ...s, a: v.getDefinitions() }))} />
            </Box>
            <Box sx={{ flex: 1 }}>
              <Typography variant="subtitle2">Entwurf – neu grün, geändert orange</Typography>
              <Diagram xml={xml.draft} small markers={markersNew} label="Entwurf" onImported={(v) => setDefs((s) => (s.b ? s : { ...s, b: v.getDefinitions() }))} />
            </Box>
          </Stack>
        )}
        {d.submittedBy === me || d.updatedBy === me ? (
          <Alert severity="info" sx={{ mt: 1 }}>
            Vier-Augen-Prinzip: Eine zweite Koordinatorin oder ein zweiter Koordinator muss diesen Entwurf freigeben.
          </Alert>
        ) : (
          <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
            <TextField label="Kommentar zur Freigabe" value={comment} onChange={(e) => setComment(e.target.value)} size="small" sx={{ minWidth: 360 }} />
            <Button variant="contained" disabled={comment.trim().length < 3} onClick={() => void approve()}>
              Freigeben und bereitstellen
            </Button>
            <Button variant="outlined" disabled={comment.trim().length < 3} onClick={() => void reject()}>
              Zurück in Bearbeitung
            </Button>
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

function Incidents({ processId }: { processId: string }) {
  const notify = useNotify();
  const q = useQuery({ queryKey: ['incidents', processId], queryFn: () => modelsApi.incidents(processId) });
  const retry = async (id: string) => {
    try {
      await modelsApi.retry(processId, id);
      notify('Schritt wird erneut ausgeführt.', { type: 'success' });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
    void q.refetch();
  };
  return (
    <Card sx={{ my: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Vorfälle
        </Typography>
        {!q.data?.length && <Typography variant="body2">Keine Vorfälle.</Typography>}
        {!!q.data?.length && (
          <Table size="small" aria-label="Vorfälle">
            <TableHead>
              <TableRow>
                <TableCell>Zeit</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Element</TableCell>
                <TableCell>Art</TableCell>
                <TableCell>Meldung</TableCell>
                <TableCell>Status</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {q.data.map((i) => (
                <TableRow key={i.id} data-testid={`incident-${i.processInstanceKey}`}>
                  <TableCell>{dateTime(i.createdAt)}</TableCell>
                  <TableCell>{i.processVersion ?? '—'}</TableCell>
                  <TableCell>{i.elementId}</TableCell>
                  <TableCell>
                    {i.errorType ? (ERROR_TYPES[i.errorType] ?? i.errorType) : 'Schritt ohne weitere Versuche'}
                    {i.incidentKey && <Typography variant="caption" component="div">Vorfall {i.incidentKey}</Typography>}
                  </TableCell>
                  <TableCell>{i.message}</TableCell>
                  <TableCell>
                    {i.state === 'open' ? (
                      <Button size="small" variant="outlined" onClick={() => void retry(i.id)}>
                        Erneut versuchen
                      </Button>
                    ) : i.state === 'retried' ? (
                      `erneut versucht (${i.retriedBy})`
                    ) : (
                      'gelöst'
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function Heatmap({ processId, version }: { processId: string; version: number }) {
  const q = useQuery({ queryKey: ['model-version', processId, version], queryFn: () => modelsApi.version(processId, version) });
  if (!q.data?.xml) return q.isLoading ? <CircularProgress aria-label="Diagramm wird geladen" /> : null;
  return (
    <>
      <ProjectionHint source={q.data.watchSource} />
      <Typography variant="body2">{q.data.runningInstances === 1 ? '1 laufende Instanz' : `${q.data.runningInstances} laufende Instanzen`}</Typography>
      <Diagram xml={q.data.xml} counts={q.data.heatmap} countLabel={(n) => `${n} wartend`} label={`Version ${version}: wo laufende Instanzen warten`} />
    </>
  );
}

function Migration({ processId, from }: { processId: string; from: number }) {
  const notify = useNotify();
  const q = useQuery({ queryKey: ['migration', processId, from], queryFn: () => modelsApi.migrationPreview(processId, from) });
  if (!q.data) return null;
  const run = async () => {
    const r = await modelsApi.migrate(processId, from).catch((e: Error) => notify(e.message, { type: 'error' }));
    if (r) notify(`${r.results.filter((x) => x.migrated).length} Instanz(en) migriert.`, { type: 'success' });
    void q.refetch();
  };
  return (
    <Box sx={{ my: 1 }}>
      <Typography variant="body2">
        Version {from} → {q.data.to.version}: {q.data.instances.filter((i) => i.migratable).length} von {q.data.instances.length} bekannten Instanzen migrierbar. {q.data.note}
      </Typography>
      <ul>
        {q.data.instances.map((i) => (
          <li key={i.processInstanceKey}>
            Instanz {i.processInstanceKey}: {i.elements.join(', ')} → {i.migratable ? 'gleiches Element in der neuen Version' : i.reason}
          </li>
        ))}
      </ul>
      <Button size="small" variant="outlined" disabled={!q.data.instances.some((i) => i.migratable)} onClick={() => void run()}>
        Migrierbare Instanzen migrieren
      </Button>
    </Box>
  );
}

export function ProcessShow() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['model', id], queryFn: () => modelsApi.get(id) });
  const [version, setVersion] = useState<number | null>(null);
  const [migrateFrom, setMigrateFrom] = useState<number | null>(null);
  const coordinator = session.user?.role === 'coordinator';
  if (q.error) return <Alert severity="error">{(q.error as Error).message}</Alert>;
  if (!q.data) return <CircularProgress aria-label="Prozess wird geladen" />;
  const p = q.data;
  const shown = version ?? p.latestVersion;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['model', id] });
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  return (
    <Box sx={{ mt: 1 }}>
      <Title title={p.name} />
      <Typography variant="h5" component="h1">
        {p.name} ({p.processId})
      </Typography>
      {coordinator && (
        <Stack direction="row" spacing={2} sx={{ my: 1, alignItems: 'center' }}>
          {p.draft && <Chip data-testid="draft-status" label={`${STATUS[p.draft.status] ?? p.draft.status} – ${p.draft.updatedBy}`} />}
          <Button component={Link} to={`/models/${encodeURIComponent(p.processId)}/edit`} variant="contained">
            {p.draft ? 'Entwurf bearbeiten' : 'Neuen Entwurf anlegen'}
          </Button>
        </Stack>
      )}
      {coordinator && p.draft?.status === 'in_review' && <Review p={p} onDone={refresh} />}
      <Card sx={{ my: 2 }}>
        <CardContent>
          <Typography variant="h6" component="h2">
            Versionen
          </Typography>
          <Table size="small" aria-label="Versionen">
            <TableHead>
              <TableRow>
                <TableCell>Version</TableCell>
                <TableCell>bereitgestellt</TableCell>
                <TableCell>freigegeben von</TableCell>
                <TableCell>erstellt von</TableCell>
                <TableCell>Warum</TableCell>
                <TableCell>Laufende Instanzen</TableCell>
                <TableCell>Vorfälle</TableCell>
                <TableCell>Ansicht</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {p.versions.map((v) => (
                <TableRow key={v.version} data-testid={`version-${v.version}`} selected={v.version === shown}>
                  <TableCell>{v.version}</TableCell>
                  <TableCell>{dateTime(v.deployedAt)}</TableCell>
                  <TableCell>{v.deployedBy ?? 'System'}</TableCell>
                  <TableCell>{v.authoredBy ?? '—'}</TableCell>
                  <TableCell>{v.comment ?? '—'}</TableCell>
                  <TableCell>
                    {v.runningInstances} ({v.openInstances} mit offener Aufgabe)
                  </TableCell>
                  <TableCell>{v.incidents}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => setVersion(v.version)}>
                      Heatmap
                    </Button>
                    {coordinator && v.version !== p.latestVersion && v.openInstances > 0 && (
                      <Button size="small" onClick={() => setMigrateFrom(v.version)}>
                        Migration prüfen
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {migrateFrom !== null && <Migration processId={p.processId} from={migrateFrom} />}
        </CardContent>
      </Card>
      <Typography variant="h6" component="h2">
        Version {shown}: wo laufende Instanzen warten
      </Typography>
      <Heatmap processId={p.processId} version={shown} />
      {coordinator && <Incidents processId={p.processId} />}
    </Box>
  );
}
