/**
 * The editor of a commune's draft: camunda-bpmn-js's camunda-cloud Modeler with the Zeebe properties
 * panel (German labels where the translate service reaches), element templates for the platform's
 * job types, live check on every change (server: bpmnlint camunda-compat 8.6 + project rules) with the
 * elements in error highlighted, the form editor for linked forms, save (optimistic lock) and submit.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Title, useNotify, useRedirect } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Chip, CircularProgress, List, ListItemButton, ListItemText, Stack, Tab, Tabs, TextField, Typography } from '@mui/material';
import Modeler from 'camunda-bpmn-js/lib/camunda-cloud/Modeler';
import 'camunda-bpmn-js/dist/assets/camunda-cloud-modeler.css';
import { session } from '../providers/http';
import { CheckResult, Draft, modelsApi } from './api';
import { FormsEditor } from './FormsEditor';
import { germanTranslateModule } from './translate';
import './modeler.css';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function ModelEditor() {
  const { id = '' } = useParams();
  const notify = useNotify();
  const redirect = useRedirect();
  const canvasRef = useRef<HTMLDivElement>(null);
  const propsRef = useRef<HTMLDivElement>(null);
  const modeler = useRef<Any>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [forms, setForms] = useState<Draft['forms']>({});
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState(0);
  const [comment, setComment] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const formsRef = useRef(forms);
  formsRef.current = forms;
  const coordinator = session.user?.role === 'coordinator';

  // Load (or start) the draft.
  useEffect(() => {
    if (!coordinator) return;
    let alive = true;
    modelsApi
      .draft(id)
      .catch((e: { status?: number }) =>
        e.status === 404
          ? // Started by someone (or another tab) at the same moment: then take that draft.
            modelsApi.createDraft(id).catch((c: { status?: number }) => (c.status === 409 ? modelsApi.draft(id) : Promise.reject(c)))
          : Promise.reject(e),
      )
      .then((d) => {
        if (!alive) return;
        setDraft(d);
        setForms(d.forms);
      })
      .catch((e: Error) => {
        if (alive) setError(e.message);
      });
    return () => {
      alive = false;
    };
  }, [id, coordinator]);

  const runCheck = useCallback(async () => {
    if (!modeler.current) return;
    setChecking(true);
    try {
      const { xml } = await modeler.current.saveXML({ format: true });
      const r = await modelsApi.check(id, { xml, forms: formsRef.current });
      setCheck(r);
      const canvas = modeler.current.get('canvas');
      const registry = modeler.current.get('elementRegistry');
      const overlays = modeler.current.get('overlays');
      overlays.remove({ type: 'kim-lint' });
      for (const el of registry.getAll()) {
        canvas.removeMarker(el.id, 'kim-lint-error');
        canvas.removeMarker(el.id, 'kim-lint-warning');
      }
      for (const f of [...r.warnings, ...r.errors]) {
        if (!registry.get(f.elementId)) continue;
        canvas.addMarker(f.elementId, f.severity === 'error' ? 'kim-lint-error' : 'kim-lint-warning');
        if (f.severity === 'error') {
          const badge = document.createElement('div');
          badge.className = 'kim-lint-badge';
          badge.title = f.message;
          badge.textContent = '!';
          overlays.add(f.elementId, 'kim-lint', { position: { top: -9, left: -9 }, html: badge });
        }
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setChecking(false);
    }
  }, [id]);

  // The modeler, once the draft is there.
  useEffect(() => {
    if (!draft || modeler.current) return;
    let alive = true;
    (async () => {
      const templates = await modelsApi.templates();
      const m: Any = new (Modeler as Any)({
        container: canvasRef.current,
        propertiesPanel: { parent: propsRef.current },
        elementTemplates: templates,
        additionalModules: [germanTranslateModule],
      });
      modeler.current = m;
      await m.importXML(draft.xml);
      if (!alive) return;
      fitViewport(m.get('canvas'));
      m.on('commandStack.changed', () => {
        setDirty(true);
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(() => void runCheck(), 700);
      });
      void runCheck();
    })().catch((e: Error) => setError(`Der Modeler konnte nicht starten: ${e.message}`));
    return () => {
      alive = false;
    };
  }, [draft, runCheck]);
  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      modeler.current?.destroy();
      modeler.current = null;
    },
    [],
  );

  const save = async (): Promise<Draft | null> => {
    if (!draft || !modeler.current) return null;
    const { xml } = await modeler.current.saveXML({ format: true });
    try {
      const d = await modelsApi.saveDraft(id, { xml, forms, revision: draft.revision });
      setDraft({ ...d, xml: draft.xml });
      setDirty(false);
      notify('Entwurf gespeichert.', { type: 'success' });
      return d;
    } catch (e) {
      notify((e as Error).message, { type: 'error', autoHideDuration: 15000 });
      return null;
    }
  };

  const submit = async () => {
    const d = dirty ? await save() : draft;
    if (!d) return;
    try {
      await modelsApi.submit(id, comment, d.revision);
      notify('Zur Freigabe eingereicht. Eine zweite Koordinatorin oder ein zweiter Koordinator muss freigeben.', { type: 'success' });
      redirect(`/models/${encodeURIComponent(id)}/show`);
    } catch (e) {
      notify((e as Error).message, { type: 'error', autoHideDuration: 15000 });
    }
  };

  const select = (elementId: string) => {
    const m = modeler.current;
    const el = m?.get('elementRegistry').get(elementId);
    if (el) m.get('selection').select(el);
  };

  if (!coordinator) return <Alert severity="warning">Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten.</Alert>;
  if (error) return <Alert severity="error">{error}</Alert>;
  if (!draft) return <CircularProgress aria-label="Entwurf wird geladen" />;
  const errors = check?.errors ?? [];
  return (
    <Box sx={{ mt: 1 }}>
      <Title title={`Entwurf: ${id}`} />
      <Typography variant="h5" component="h1">
        Entwurf bearbeiten: {id}
      </Typography>
      <Stack direction="row" spacing={1} sx={{ my: 1, alignItems: 'center' }}>
        <Chip label={`Stand ${draft.revision}`} />
        <Chip label={draft.status === 'in_review' ? 'zur Freigabe eingereicht' : 'in Bearbeitung'} color={draft.status === 'in_review' ? 'info' : 'default'} />
        <Typography variant="body2">zuletzt geändert von {draft.updatedBy}</Typography>
        {dirty && <Chip label="ungespeicherte Änderungen" color="warning" />}
      </Stack>
      <Tabs value={tab} onChange={(_e, v: number) => setTab(v)} aria-label="Modell oder Formulare">
        <Tab label="Modell" />
        <Tab label={`Formulare (${Object.keys(forms).length})`} />
      </Tabs>
      <Box sx={{ display: tab === 0 ? 'flex' : 'none' }}>
        <div ref={canvasRef} className="kim-canvas" style={{ flex: 3 }} data-testid="modeler-canvas" />
        <div ref={propsRef} className="kim-props" style={{ flex: 1.3 }} data-testid="properties-panel" />
      </Box>
      {tab === 1 && (
        <Box>
          {Object.entries(forms).map(([formId, schema]) => (
            <Box key={formId} sx={{ mb: 2 }}>
              <Typography variant="h6" component="h2">
                Formular „{formId}“
              </Typography>
              <FormsEditor
                schema={schema}
                onChange={(s) => {
                  setForms((f) => ({ ...f, [formId]: s }));
                  setDirty(true);
                }}
              />
            </Box>
          ))}
          {!Object.keys(forms).length && <Typography>Keine verknüpften Formulare.</Typography>}
        </Box>
      )}
      <Box sx={{ mt: 2 }} data-testid="lint-status" data-checking={checking ? 'true' : 'false'} data-errors={check ? String(errors.length) : ''}>
        <Typography variant="h6" component="h2">
          Prüfung {checking && <CircularProgress size={14} aria-label="Prüfung läuft" />}
        </Typography>
        {check && errors.length === 0 && <Alert severity="success">Keine Fehler – der Entwurf kann zur Freigabe eingereicht werden.</Alert>}
        {errors.length > 0 && <Alert severity="error">{errors.length} Fehler – sie verhindern die Freigabe.</Alert>}
        <List dense>
          {[...errors, ...(check?.warnings ?? [])].map((f, i) => (
            <ListItemButton key={`${f.rule}-${f.elementId}-${i}`} onClick={() => select(f.elementId)}>
              <ListItemText primary={`${f.severity === 'error' ? 'Fehler' : 'Hinweis'} bei ${f.elementId}: ${f.message}`} />
            </ListItemButton>
          ))}
        </List>
      </Box>
      <Stack direction="row" spacing={2} sx={{ mt: 1, mb: 4, alignItems: 'center' }}>
        <Button variant="outlined" onClick={() => void save()}>
          Speichern
        </Button>
        <TextField label="Kommentar zur Änderung" value={comment} onChange={(e) => setComment(e.target.value)} size="small" sx={{ minWidth: 360 }} />
        <Button variant="contained" disabled={checking || !check || errors.length > 0 || comment.trim().length < 3} onClick={() => void submit()}>
          Zur Freigabe einreichen
        </Button>
      </Stack>
    </Box>
  );
}

/**
 * Zooms to fit only when both the container and the diagram have a size: a container that is not
 * laid out yet (or a model without diagram shapes) would make bpmn-js compute an infinite scale.
 */
function fitViewport(canvas: { viewbox(): { inner: { width: number; height: number }; outer: { width: number; height: number } }; zoom(z: string): unknown }) {
  const vb = canvas.viewbox();
  if (vb.inner.width > 0 && vb.inner.height > 0 && vb.outer.width > 0 && vb.outer.height > 0) canvas.zoom('fit-viewport');
}
