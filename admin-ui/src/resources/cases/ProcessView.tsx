/**
 * "Prozessansicht" of the case file: every process instance of the case as a read-only BPMN diagram –
 * active steps highlighted, completed steps and the path taken marked, steps with an open incident
 * red – with a legend and the active steps as text. The states come from the engine's activity
 * history (GET /api/cases/:id/processes).
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Box, Button, Chip, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import { apiCall } from '../../providers/http';
import type { ModdleElement } from 'bpmn-moddle';
import { Diagram } from '../../modeler/Diagram';
import './process-view.css';
import type { CaseProcessesView, ProcessInstanceView } from '../../../../server/models/process-view.types';

export type { ProcessInstanceView };
type CaseProcesses = CaseProcessesView;

const STATE_DE: Record<ProcessInstanceView['state'], string> = { ACTIVE: 'läuft', COMPLETED: 'abgeschlossen', TERMINATED: 'abgebrochen' };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('de-DE', { dateStyle: 'short', timeStyle: 'short' }) : '—');

/** The process's name from its model, else its id. */
function processName(p: ProcessInstanceView): string {
  const m = p.bpmnXml ? /<(?:\w+:)?process\b[^>]*\bname="([^"]*)"/.exec(p.bpmnXml) : null;
  return m?.[1] || p.processDefinitionId;
}

/** One marker class per element: incident before active before completed; flows separately. */
export function markersOf(p: ProcessInstanceView): Record<string, string> {
  const markers: Record<string, string> = {};
  for (const id of p.completed) markers[id] = 'kim-pv-done';
  for (const id of p.takenFlows) markers[id] = 'kim-pv-flow';
  for (const id of p.active) markers[id] = 'kim-pv-active';
  for (const i of p.incidents) markers[i.elementId] = 'kim-pv-incident';
  return markers;
}

/**
 * The model with diagram shapes: as deployed when it has them, else laid out automatically (models
 * written by hand, e.g. in tests, may come without; the modeler always writes them).
 */
function useDiagramXml(p: ProcessInstanceView, enabled: boolean) {
  return useQuery({
    queryKey: ['bpmn-layout', p.processDefinitionKey],
    enabled: enabled && !!p.bpmnXml,
    staleTime: Infinity,
    queryFn: async () => {
      const xml = p.bpmnXml!;
      if (/<(?:\w+:)?BPMNShape\b/.test(xml)) return xml;
      const { layoutProcess } = await import('bpmn-auto-layout');
      return layoutProcess(await withFlowReferences(xml));
    },
  });
}

/**
 * The layout follows each element's incoming/outgoing references; hand-written models may name a
 * flow's source and target only. Fills them in from the sequence flows.
 */
async function withFlowReferences(xml: string): Promise<string> {
  const { BpmnModdle } = await import('bpmn-moddle');
  const moddle = new BpmnModdle();
  const { rootElement } = await moddle.fromXML(xml);
  const link = (el: ModdleElement | undefined, list: 'incoming' | 'outgoing', flow: ModdleElement) => {
    const refs = el?.get(list) as ModdleElement[] | undefined;
    if (refs && !refs.includes(flow)) refs.push(flow);
  };
  const visit = (container: ModdleElement) => {
    for (const el of (container.get('flowElements') as ModdleElement[] | undefined) ?? []) {
      if (el.$type === 'bpmn:SequenceFlow') {
        link(el.sourceRef as ModdleElement | undefined, 'outgoing', el);
        link(el.targetRef as ModdleElement | undefined, 'incoming', el);
      }
      if (el.$type === 'bpmn:SubProcess') visit(el);
    }
  };
  for (const root of (rootElement.get('rootElements') as ModdleElement[] | undefined) ?? []) if (root.$type === 'bpmn:Process') visit(root);
  return (await moddle.toXML(rootElement)).xml;
}

function Legend() {
  return (
    <Box component="ul" aria-label="Legende" sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, listStyle: 'none', p: 0, m: 0, mb: 1, fontSize: 14 }}>
      <li>
        <span className="kim-pv-legend active" aria-hidden />
        aktiver Schritt (blau, dicker Rahmen)
      </li>
      <li>
        <span className="kim-pv-legend done" aria-hidden />
        abgeschlossener Schritt (grün)
      </li>
      <li>
        <span className="kim-pv-legend flow" aria-hidden />
        durchlaufener Weg (grün)
      </li>
      <li>
        <span className="kim-pv-legend incident" aria-hidden />
        Störung (rot)
      </li>
    </Box>
  );
}

function Instance({ p, parentName }: { p: ProcessInstanceView; parentName?: string }) {
  const running = p.state === 'ACTIVE';
  const [show, setShow] = useState(running);
  const name = processName(p);
  const diagram = useDiagramXml(p, show);
  const headingId = `pv-${p.processInstanceKey}`;
  return (
    <Box component="article" aria-labelledby={headingId} data-testid={`process-view-${p.processDefinitionId}`} data-state={p.state} sx={{ mt: 2, pt: 1, borderTop: 1, borderColor: 'divider' }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography component="h3" variant="subtitle1" id={headingId} sx={{ fontWeight: 600 }}>
          {name} (Version {p.version})
        </Typography>
        <Chip size="small" label={STATE_DE[p.state]} color={running ? 'primary' : 'default'} variant={running ? 'filled' : 'outlined'} />
        {parentName && <Typography variant="body2">aufgerufen von {parentName}</Typography>}
      </Box>
      <Typography variant="body2" color="text.secondary">
        gestartet {when(p.startedAt)}
        {p.endedAt ? `, beendet ${when(p.endedAt)}` : ''}
      </Typography>
      {running && (
        <Box sx={{ my: 1 }}>
          <Typography variant="body2" component="p" sx={{ fontWeight: 600 }}>
            {p.activeSteps.length === 1 ? 'Aktiver Schritt:' : p.activeSteps.length ? 'Aktive Schritte:' : 'Kein aktiver Schritt (die Engine arbeitet gerade).'}
          </Typography>
          {p.activeSteps.length > 0 && (
            <ul data-testid="process-view-active-steps" style={{ margin: 0 }}>
              {p.activeSteps.map((s) => (
                <li key={s.elementId}>{s.name}</li>
              ))}
            </ul>
          )}
        </Box>
      )}
      {p.incidents.length > 0 && (
        <Alert severity="error" sx={{ my: 1 }}>
          Störung im Prozess: {p.incidents.map((i) => `${i.name}: ${i.errorMessage || i.errorType}`).join('; ')}. Die Koordination kann den Schritt im Bereich „Prozesse“ erneut anstoßen.
        </Alert>
      )}
      {!running && (
        <Button size="small" onClick={() => setShow((s) => !s)} aria-expanded={show}>
          {show ? 'Diagramm ausblenden' : 'Diagramm anzeigen'}
        </Button>
      )}
      {show &&
        (!p.bpmnXml ? (
          <Alert severity="info">Das Modell dieser Version ist auf diesem Server nicht gespeichert; der Verlauf kann nicht als Diagramm gezeigt werden.</Alert>
        ) : diagram.isError ? (
          <Alert severity="error">Das Diagramm konnte nicht aufbereitet werden. Die aktiven Schritte stehen oben als Liste.</Alert>
        ) : !diagram.data ? (
          <Typography role="status">Diagramm wird aufbereitet …</Typography>
        ) : (
          <Diagram
            xml={diagram.data}
            small
            role="group"
            markers={markersOf(p)}
            label={`Diagramm ${name}: ${running ? `aktiv ${p.activeSteps.map((s) => s.name).join(', ') || '—'}` : STATE_DE[p.state]}`}
          />
        ))}
    </Box>
  );
}

export function ProcessView({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['cases', 'processes', caseId],
    queryFn: () => apiCall<CaseProcesses>(`/api/cases/${encodeURIComponent(caseId)}/processes`),
    retry: false,
  });
  if (q.isPending) return <Typography role="status">Prozessansicht wird geladen …</Typography>;
  if (q.isError)
    return (
      <Alert severity="error" action={<Button onClick={() => q.refetch()}>Erneut versuchen</Button>}>
        Die Prozessansicht konnte nicht geladen werden: {q.error.message}
      </Alert>
    );
  const { processes, pending } = q.data;
  const byKey = new Map(processes.map((p) => [p.processInstanceKey, p]));
  return (
    <Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 2, flexWrap: 'wrap' }}>
        <Legend />
        <Button size="small" startIcon={<RefreshIcon aria-hidden />} onClick={() => q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? 'Wird aktualisiert …' : 'Aktualisieren'}
        </Button>
      </Box>
      {processes.length === 0 && pending.length === 0 && <Typography variant="body2">Zu diesem Fall läuft kein Prozess.</Typography>}
      {pending.length > 0 && (
        <Typography variant="body2" role="status">
          {pending.length === 1 ? 'Zu einem Prozess' : `Zu ${pending.length} Prozessen`} liegen keine Daten der Engine vor.
        </Typography>
      )}
      {processes.map((p) => {
        const parent = p.parentProcessInstanceKey ? byKey.get(p.parentProcessInstanceKey) : undefined;
        return <Instance key={p.processInstanceKey} p={p} parentName={parent ? processName(parent) : undefined} />;
      })}
    </Box>
  );
}
