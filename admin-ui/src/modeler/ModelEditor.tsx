/**
 * The editor of a commune's draft: camunda-bpmn-js's Camunda 7 (camunda-platform) Modeler with its
 * properties panel (German labels where the translate service reaches), element templates for the
 * worker topics with the template chooser, live check on every change (server: bpmnlint recommended +
 * camunda-compat camunda-platform-7-24 + project rules) with the elements in error highlighted, the
 * form editor for linked forms, save (optimistic lock) and submit. A check result is shown only for
 * the state it was computed for: after any change the panel says "wird geprüft" until the check of
 * the newest state returns.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Title, useNotify, useRedirect } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Chip, CircularProgress, List, ListItemButton, ListItemText, Stack, Tab, Tabs, TextField, Typography } from '@mui/material';
import Modeler from 'camunda-bpmn-js/lib/camunda-platform/Modeler';
import elementTemplateChooserModule from '@bpmn-io/element-template-chooser';
import 'camunda-bpmn-js/dist/assets/camunda-platform-modeler.css';
import 'camunda-bpmn-js/dist/assets/element-template-chooser.css';
import { session } from '../providers/http';
import { CheckResult, Draft, modelsApi } from './api';
import { FormsEditor } from './FormsEditor';
import { fitDiagram, zoomBy } from './fit';
import { germanizeDom, germanTranslateModule } from './translate';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import FitScreenIcon from '@mui/icons-material/FitScreen';
import './modeler.css';
import { useDisplayName } from './names';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function ModelEditor() {
  const nameOf = useDisplayName();
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
  /** Changes since the shown check result: the result is stale until the check of the newest state returns. */
  const [stale, setStale] = useState(true);
  const changeSeq = useRef(0);
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState(0);
  const [comment, setComment] = useState('');
  /** The process's German name (the id is not for people). */
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    modelsApi.get(id).then((p) => setName(p.name), () => setName(null));
  }, [id]);
  const timer = useRef<number | undefined>(undefined);
  const stopGerman = useRef<Array<() => void>>([]);
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
    const seq = changeSeq.current;
    setChecking(true);
    try {
      const { xml } = await modeler.current.saveXML({ format: true });
      const r = await modelsApi.check(id, { xml, forms: formsRef.current });
      // A change while the check ran: this result is already old, the next check follows.
      if (seq !== changeSeq.current || !modeler.current) return;
      setCheck(r);
      setStale(false);
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
        // Saving must not move the diagram: every check saves the XML, and a move would mark the
        // untouched draft as changed.
        alignToOrigin: { alignOnSave: false },
        additionalModules: [elementTemplateChooserModule, germanTranslateModule],
      });
      modeler.current = m;
      // Safety net for texts the libraries render without their translate service.
      stopGerman.current = [germanizeDom(canvasRef.current!, {}), germanizeDom(propsRef.current!, {})];
      await m.importXML(draft.xml);
      if (!alive) return;
      fitDiagram(m.get('canvas'), canvasRef.current);
      m.on('commandStack.changed', () => {
        setDirty(true);
        scheduleCheck();
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
      stopGerman.current.forEach((stop) => stop());
      modeler.current?.destroy();
      modeler.current = null;
    },
    [],
  );

  /** A change of model or forms: the shown result is stale at once, the check runs when typing pauses. */
  function scheduleCheck() {
    changeSeq.current++;
    setStale(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void runCheck(), 700);
  }

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

  /** A finding names the element by its name in the model (ids are not for people). */
  const elementName = (elementId: string): string => {
    const bo = modeler.current?.get('elementRegistry').get(elementId)?.businessObject;
    if (bo?.name) return `„${String(bo.name)}“`;
    if (bo?.$type === 'bpmn:Process') return 'dem Prozess';
    if (bo?.$type === 'bpmn:SequenceFlow') return 'einer Verbindung';
    return 'einem unbenannten Element';
  };

  /** A form by the user tasks that show it (its id is not for people). */
  const formTitle = (formId: string): string => {
    const tasks: string[] = (modeler.current?.get('elementRegistry').getAll() ?? [])
      .map((e: Any) => e.businessObject)
      .filter((bo: Any) => bo?.$type === 'bpmn:UserTask' && (bo.get?.('camunda:formRef') ?? bo.formRef) === formId)
      .map((bo: Any) => `„${String(bo.name ?? 'unbenannte Aufgabe')}“`);
    return tasks.length ? `Formular der Aufgabe ${tasks.join(', ')}` : 'Formular (keiner Aufgabe mehr zugeordnet)';
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
      <Title title={`Entwurf: ${name ?? 'Prozess'}`} />
      <Typography variant="h5" component="h1">
        Entwurf bearbeiten: {name ?? '…'}
      </Typography>
      <Stack direction="row" spacing={1} useFlexGap sx={{ my: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <Chip label={`Stand ${draft.revision}`} />
        <Chip label={draft.status === 'in_review' ? 'zur Freigabe eingereicht' : 'in Bearbeitung'} color={draft.status === 'in_review' ? 'info' : 'default'} />
        <Typography variant="body2">zuletzt geändert von {nameOf(draft.updatedBy)}</Typography>
        {/* Dark amber: white text on MUI's warning orange is too faint (contrast 3.1:1). */}
        {dirty && <Chip label="ungespeicherte Änderungen" sx={{ bgcolor: '#8a4500', color: '#fff' }} />}
      </Stack>
      <Tabs value={tab} onChange={(_e, v: number) => setTab(v)} aria-label="Modell oder Formulare">
        <Tab label="Modell" />
        <Tab label={`Formulare (${Object.keys(forms).length})`} />
      </Tabs>
      <Box sx={{ display: tab === 0 ? 'flex' : 'none', justifyContent: 'flex-end' }}>
        <Button size="small" startIcon={<ZoomInIcon />} onClick={() => modeler.current && zoomBy(modeler.current.get('canvas'), 1.25)}>
          Vergrößern
        </Button>
        <Button size="small" startIcon={<ZoomOutIcon />} onClick={() => modeler.current && zoomBy(modeler.current.get('canvas'), 0.8)}>
          Verkleinern
        </Button>
        <Button size="small" startIcon={<FitScreenIcon />} onClick={() => modeler.current && fitDiagram(modeler.current.get('canvas'), canvasRef.current)}>
          Einpassen
        </Button>
      </Box>
      <Box sx={{ display: tab === 0 ? 'flex' : 'none', flexDirection: { xs: 'column', md: 'row' } }} className="kim-editor">
        <div ref={canvasRef} className="kim-canvas kim-modeler-canvas" data-testid="modeler-canvas" />
        <div ref={propsRef} className="kim-props" data-testid="properties-panel" />
      </Box>
      {tab === 1 && (
        <Box>
          {Object.entries(forms).map(([formId, schema]) => (
            <Box key={formId} sx={{ mb: 2 }}>
              <Typography variant="h6" component="h2">
                {formTitle(formId)}
              </Typography>
              <FormsEditor
                schema={schema}
                onChange={(s) => {
                  setForms((f) => ({ ...f, [formId]: s }));
                  formsRef.current = { ...formsRef.current, [formId]: s };
                  setDirty(true);
                  scheduleCheck();
                }}
              />
            </Box>
          ))}
          {!Object.keys(forms).length && <Typography>Keine verknüpften Formulare.</Typography>}
        </Box>
      )}
      <Box
        sx={{ mt: 2 }}
        data-testid="lint-status"
        data-checking={checking || stale ? 'true' : 'false'}
        data-errors={check && !stale ? String(errors.length) : ''}
        aria-live="polite"
      >
        <Typography variant="h6" component="h2">
          Prüfung {(checking || stale) && <CircularProgress size={14} aria-label="Prüfung läuft" />}
        </Typography>
        {stale ? (
          <Alert severity="info" data-testid="lint-pending">
            Der aktuelle Stand wird geprüft …
          </Alert>
        ) : (
          <>
            {check && errors.length === 0 && <Alert severity="success">Keine Fehler – der Entwurf kann zur Freigabe eingereicht werden.</Alert>}
            {errors.length > 0 && <Alert severity="error">{errors.length} Fehler – sie verhindern die Freigabe.</Alert>}
            <List dense>
              {[...errors, ...(check?.warnings ?? [])].map((f, i) => (
                <ListItemButton key={`${f.rule}-${f.elementId}-${i}`} onClick={() => select(f.elementId)}>
                  <ListItemText primary={`${f.severity === 'error' ? 'Fehler' : 'Hinweis'} bei ${elementName(f.elementId)}: ${f.message}`} />
                </ListItemButton>
              ))}
            </List>
          </>
        )}
      </Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 1, mb: 4, alignItems: { sm: 'center' } }}>
        <Button variant="outlined" onClick={() => void save()}>
          Speichern
        </Button>
        <TextField label="Kommentar zur Änderung" value={comment} onChange={(e) => setComment(e.target.value)} size="small" multiline maxRows={4} sx={{ minWidth: { sm: 360 } }} />
        <Button variant="contained" disabled={checking || stale || !check || errors.length > 0 || comment.trim().length < 3} onClick={() => void submit()}>
          Zur Freigabe einreichen
        </Button>
      </Stack>
    </Box>
  );
}

