/**
 * "Prozesse": the commune's processes (versions, running instances, draft), one process (versions with
 * who/when/why, heatmap of where running instances wait, incidents with retry, migration preview) and
 * the review of a submitted draft with a visual diff against the deployed version (bpmn-js-differ) and
 * approval. Everything shown is the user's commune's: its variant of each process and its instances.
 */
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Title, useNotify } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Card, CardContent, Chip, CircularProgress, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { diff } from 'bpmn-js-differ';
import { session } from '../providers/http';
import { dateTime, modelsApi, ProcessModel } from './api';
import { Diagram } from './Diagram';
import { useDisplayName } from './names';

/**
 * Wide tables scroll sideways inside their card on a phone. Width 0 keeps the table's minimum width
 * from widening the whole page (the layout's flex row sizes by content); min-width 100% then fills the card.
 */
const TABLE_SCROLL = { overflowX: 'auto', width: 0, minWidth: '100%' } as const;

const STATUS: Record<string, string> = { draft: 'Entwurf in Bearbeitung', in_review: 'zur Freigabe eingereicht', deploying: 'wird bereitgestellt' };

/** The engine's incident types, in words. */
const INCIDENT_TYPES: Record<string, string> = {
  failedExternalTask: 'Automatischer Schritt ohne weitere Versuche',
  failedJob: 'Schritt der Engine fehlgeschlagen',
  failedConditionalEvaluation: 'Bedingung nicht auswertbar',
  failedExternalTaskRetries: 'Automatischer Schritt ohne weitere Versuche',
};

export function ProcessList() {
  const nameOf = useDisplayName();
  const q = useQuery({ queryKey: ['models'], queryFn: modelsApi.list });
  return (
    <Box sx={{ mt: 1 }}>
      <Title title="Prozesse" />
      <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
        Prozesse
      </Typography>
      {q.error && <Alert severity="error">{(q.error as Error).message}</Alert>}
      {q.isLoading && <CircularProgress aria-label="Prozesse werden geladen" />}
      {q.data && (
        <Card>
          <Box sx={TABLE_SCROLL} data-table-scroll>
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
                    {p.name}
                  </TableCell>
                  <TableCell>{p.latestVersion}</TableCell>
                  <TableCell>{p.versions.reduce((n, v) => n + v.runningInstances, 0)}</TableCell>
                  <TableCell>{p.draft ? `${STATUS[p.draft.status] ?? p.draft.status} (${nameOf(p.draft.updatedBy)})` : '—'}</TableCell>
                  <TableCell>
                    <Link to={`/models/${encodeURIComponent(p.processId)}/show`}>Öffnen</Link>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
</Box>
        </Card>
      )}
    </Box>
  );
}

type Registry = { get(id: string): { businessObject?: { name?: string; $type?: string } } | undefined };
interface Changes {
  added: string[];
  removed: string[];
  changed: string[];
  layout: string[];
}

/** Element kinds without a name, in words (the diff lists names, never ids). */
const UNNAMED: Record<string, string> = {
  'bpmn:SequenceFlow': 'eine Verbindung',
  'bpmn:MessageFlow': 'ein Nachrichtenfluss',
  'bpmn:Association': 'eine Verknüpfung',
  'bpmn:TextAnnotation': 'ein Kommentar',
};

function elementLabel(regs: Array<Registry | undefined>, id: string): string {
  for (const r of regs) {
    const bo = r?.get(id)?.businessObject;
    if (bo?.name?.trim()) return `„${bo.name.trim()}“`;
    if (bo?.$type) return UNNAMED[bo.$type] ?? 'ein unbenanntes Element';
  }
  return 'ein unbenanntes Element';
}

/** The colours of the diff markers (modeler.css) with their meaning. */
const LEGEND = [
  { cls: 'added', color: '#2e7d32', fill: '#e8f5e9', text: 'neu' },
  { cls: 'changed', color: '#ef6c00', fill: '#fff3e0', text: 'geändert' },
  { cls: 'removed', color: '#c62828', fill: '#ffebee', text: 'entfernt' },
  { cls: 'layout', color: '#1565c0', fill: '#e3f2fd', text: 'nur verschoben' },
];

function Review({ p, onDone }: { p: ProcessModel; onDone(): void }) {
  const nameOf = useDisplayName();
  const notify = useNotify();
  const [xml, setXml] = useState<{ draft: string; deployed: string } | null>(null);
  const [changes, setChanges] = useState<Changes | null>(null);
  const [defs, setDefs] = useState<{ a?: unknown; b?: unknown; regA?: Registry; regB?: Registry }>({});
  const [comment, setComment] = useState('');
  const me = session.user?.username;
  useEffect(() => {
    Promise.all([modelsApi.draft(p.processId), modelsApi.version(p.processId, p.latestVersion)]).then(([d, v]) => setXml({ draft: d.xml, deployed: v.xml ?? '' }));
  }, [p.processId, p.latestVersion]);
  useEffect(() => {
    if (defs.a && defs.b && !changes) {
      const r = diff(defs.a, defs.b);
      const changed = Object.keys(r._changed);
      setChanges({ added: Object.keys(r._added), removed: Object.keys(r._removed), changed, layout: Object.keys(r._layoutChanged).filter((i) => !changed.includes(i)) });
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
  const mark = (ids: string[], cls: string) => ids.map((i) => [i, `kim-diff-${cls}`] as const);
  const markersNew = changes ? Object.fromEntries([...mark(changes.added, 'added'), ...mark(changes.changed, 'changed'), ...mark(changes.layout, 'layout')]) : undefined;
  const markersOld = changes ? Object.fromEntries([...mark(changes.removed, 'removed'), ...mark(changes.changed, 'changed'), ...mark(changes.layout, 'layout')]) : undefined;
  const names = (ids: string[], prefer: 'a' | 'b') => ids.map((i) => elementLabel(prefer === 'b' ? [defs.regB, defs.regA] : [defs.regA, defs.regB], i)).join(', ') || '—';
  return (
    <Card sx={{ my: 2 }} data-testid="review">
      <CardContent>
        <Typography variant="h6" component="h2">
          Freigabe prüfen
        </Typography>
        <Typography variant="body2">
          Eingereicht von {nameOf(d.submittedBy)} am {dateTime(d.submittedAt)}: „{d.submitComment}“
        </Typography>
        {changes && (
          <Typography variant="body2" data-testid="diff-summary" sx={{ my: 1 }}>
            Neu: {names(changes.added, 'b')} · Geändert: {names(changes.changed, 'b')} · Entfernt: {names(changes.removed, 'a')}
            {changes.layout.length > 0 && ` · Nur verschoben: ${names(changes.layout, 'b')}`}
          </Typography>
        )}
        <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center', my: 1 }} data-testid="diff-legend" aria-label="Legende der Markierungen">
          <Typography variant="body2" component="span">
            Legende:
          </Typography>
          {LEGEND.map((l) => (
            <Stack key={l.cls} direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
              <Box component="span" sx={{ width: 16, height: 12, border: `3px solid ${l.color}`, background: l.fill, borderRadius: '3px', display: 'inline-block' }} />
              <Typography variant="body2" component="span">
                {l.text}
              </Typography>
            </Stack>
          ))}
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            Verschieben: ziehen · Zoomen: Strg + Mausrad oder die Knöpfe
          </Typography>
        </Stack>
        {xml && (
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} data-testid="diff-side-by-side">
            <Box sx={{ flex: 1, minWidth: 0 }}>
              <Typography variant="subtitle2" component="h3">
                Vorher: bereitgestellte Version {p.latestVersion}
              </Typography>
              <Diagram
                xml={xml.deployed}
                controls
                role="group"
                height="min(65vh, 640px)"
                testId="diff-old"
                markers={markersOld}
                label="Vorher: bereitgestellte Version"
                onImported={(v) => setDefs((s) => (s.a ? s : { ...s, a: v.getDefinitions(), regA: v.get<Registry>('elementRegistry') }))}
              />
            </Box>
            <Box sx={{ flex: 1, minWidth: 0 }}>
              <Typography variant="subtitle2" component="h3">
                Nachher: Entwurf
              </Typography>
              <Diagram
                xml={xml.draft}
                controls
                role="group"
                height="min(65vh, 640px)"
                testId="diff-new"
                markers={markersNew}
                label="Nachher: Entwurf"
                onImported={(v) => setDefs((s) => (s.b ? s : { ...s, b: v.getDefinitions(), regB: v.get<Registry>('elementRegistry') }))}
              />
            </Box>
          </Stack>
        )}
        {d.submittedBy === me || d.updatedBy === me ? (
          <Alert severity="info" sx={{ mt: 1 }}>
            Vier-Augen-Prinzip: Eine zweite Koordinatorin oder ein zweiter Koordinator muss diesen Entwurf freigeben.
          </Alert>
        ) : (
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 2 }}>
            <TextField label="Kommentar zur Freigabe" value={comment} onChange={(e) => setComment(e.target.value)} size="small" multiline maxRows={4} sx={{ minWidth: { sm: 360 } }} />
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
  const [retrying, setRetrying] = useState<string | null>(null);
  const retry = async (id: string) => {
    setRetrying(id);
    try {
      await modelsApi.retry(processId, id);
      notify('Schritt wird erneut ausgeführt.', { type: 'success' });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setRetrying(null);
    }
    void q.refetch();
  };
  return (
    <Card sx={{ my: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          Vorfälle
        </Typography>
        {!q.data?.length && <Typography variant="body2">Keine offenen Vorfälle.</Typography>}
        {!!q.data?.length && (
          <Box sx={TABLE_SCROLL} data-table-scroll>
<Table size="small" aria-label="Vorfälle">
            <TableHead>
              <TableRow>
                <TableCell>Zeit</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Schritt</TableCell>
                <TableCell>Fall</TableCell>
                <TableCell>Art</TableCell>
                <TableCell>Meldung</TableCell>
                <TableCell>Aktion</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {q.data.map((i) => (
                <TableRow key={i.id} data-testid={`incident-${i.processInstanceKey}`}>
                  <TableCell>{dateTime(i.createdAt)}</TableCell>
                  <TableCell>{i.processVersion ?? '—'}</TableCell>
                  <TableCell data-testid="incident-step">{i.elementName !== i.elementId ? i.elementName : 'Schritt ohne Namen im Modell'}</TableCell>
                  <TableCell data-testid="incident-case">
                    {i.caseId ? <Link to={`/cases/${encodeURIComponent(i.caseId)}/show`}>Fall {i.caseReference}</Link> : '—'}
                  </TableCell>
                  <TableCell>{INCIDENT_TYPES[i.type] ?? 'Sonstiger Vorfall der Engine'}</TableCell>
                  <TableCell>{i.message || 'Keine Meldung der Engine.'}</TableCell>
                  <TableCell>
                    <Button size="small" variant="outlined" disabled={retrying === i.id} onClick={() => void retry(i.id)}>
                      Erneut versuchen
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
</Box>
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
      <Typography variant="body2">{q.data.runningInstances === 1 ? '1 laufende Instanz' : `${q.data.runningInstances} laufende Instanzen`}</Typography>
      {/* A group, not an image: the canvas is focusable (keyboard panning). */}
      <Diagram xml={q.data.xml} role="group" controls counts={q.data.heatmap} countLabel={(n) => `${n} wartend`} label={`Version ${version}: wo laufende Instanzen warten`} />
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
        Version {from} → {q.data.to.version}: {q.data.instances.filter((i) => i.migratable).length} von {q.data.instances.length} laufenden Instanzen migrierbar. {q.data.note}
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
  const nameOf = useDisplayName();
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
        {p.name}
      </Typography>
      {coordinator && (
        <Stack direction="row" spacing={2} useFlexGap sx={{ my: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          {p.draft && <Chip data-testid="draft-status" label={`${STATUS[p.draft.status] ?? p.draft.status} – ${nameOf(p.draft.updatedBy)}`} />}
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
          <Box sx={TABLE_SCROLL} data-table-scroll>
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
                  <TableCell>{v.deployedBy ? nameOf(v.deployedBy) : 'System'}</TableCell>
                  <TableCell>{nameOf(v.authoredBy)}</TableCell>
                  <TableCell>{v.comment ?? '—'}</TableCell>
                  <TableCell>
                    {v.runningInstances} ({v.openInstances} mit offener Aufgabe)
                  </TableCell>
                  <TableCell>{v.incidents}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => setVersion(v.version)}>
                      Heatmap
                    </Button>
                    {coordinator && v.version !== p.latestVersion && v.runningInstances > 0 && (
                      <Button size="small" onClick={() => setMigrateFrom(v.version)}>
                        Migration prüfen
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
</Box>
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
