/**
 * Read-only BPMN diagram (Camunda 7 NavigatedViewer) with markers and count overlays (heatmap, diff),
 * fitted to its box on import; with `controls`, buttons zoom in, out and back to fit (the canvas also
 * pans by dragging and zooms with Ctrl + mouse wheel).
 */
import { useEffect, useRef, useState } from 'react';
import NavigatedViewer from 'camunda-bpmn-js/lib/camunda-platform/NavigatedViewer';
import 'camunda-bpmn-js/dist/assets/camunda-platform-navigated-viewer.css';
import { Alert, Box, IconButton, Tooltip } from '@mui/material';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import FitScreenIcon from '@mui/icons-material/FitScreen';
import { CanvasLike, fitDiagram, zoomBy } from './fit';
import './modeler.css';
import { germanTranslateModule } from './translate';

type Svc = { get<T = any>(name: string): T }; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DiagramProps {
  xml: string;
  markers?: Record<string, string>;
  counts?: Record<string, number>;
  countLabel?: (n: number) => string;
  onImported?: (viewer: Svc & { getDefinitions(): unknown }) => void;
  small?: boolean;
  label: string;
  /** "group" when the diagram may be navigated (focusable canvas): an image must not hold focusable parts. */
  role?: 'img' | 'group';
  /** Zoom buttons above the diagram. */
  controls?: boolean;
  /** CSS height of the canvas (default: the stylesheet's). */
  height?: string;
  testId?: string;
}

export function Diagram({ xml, markers, counts, countLabel, onImported, small, label, role = 'img', controls, height, testId }: DiagramProps) {
  const ref = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<CanvasLike | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const viewer = new NavigatedViewer({ container: ref.current!, additionalModules: [germanTranslateModule] }) as unknown as Svc & { importXML(x: string): Promise<unknown>; destroy(): void; getDefinitions(): unknown };
    let alive = true;
    viewer
      .importXML(xml)
      .then(() => {
        if (!alive) return;
        const canvas = viewer.get('canvas');
        const registry = viewer.get('elementRegistry');
        const overlays = viewer.get('overlays');
        canvasRef.current = canvas;
        fitDiagram(canvas, ref.current);
        // diagram-js makes its <svg> a Tab stop (keyboard panning); that stop needs the name too.
        ref.current?.querySelector('svg[tabindex]')?.setAttribute('aria-label', label);
        for (const [id, cls] of Object.entries(markers ?? {})) if (registry.get(id)) canvas.addMarker(id, cls);
        for (const [id, n] of Object.entries(counts ?? {})) {
          if (!registry.get(id) || !n) continue;
          const el = document.createElement('div');
          el.className = 'kim-heat';
          el.setAttribute('data-testid', `heat-${id}`);
          el.textContent = countLabel ? countLabel(n) : String(n);
          overlays.add(id, { position: { top: -12, right: 10 }, html: el });
        }
        onImported?.(viewer);
      })
      .catch((e: Error) => alive && setError(`Das Diagramm konnte nicht angezeigt werden: ${e.message}`));
    return () => {
      alive = false;
      canvasRef.current = null;
      viewer.destroy();
    };
    // Intentionally runs only on the listed dependencies.
  }, [xml, JSON.stringify(markers), JSON.stringify(counts)]);
  return (
    <>
      {error && <Alert severity="error">{error}</Alert>}
      {controls && (
        <Box sx={{ display: 'flex', justifyContent: 'flex-end' }}>
          <Tooltip title="Vergrößern">
            <IconButton size="small" aria-label={`${label}: vergrößern`} onClick={() => canvasRef.current && zoomBy(canvasRef.current, 1.25)}>
              <ZoomInIcon fontSize="small" />
            </IconButton>
          </Tooltip>
          <Tooltip title="Verkleinern">
            <IconButton size="small" aria-label={`${label}: verkleinern`} onClick={() => canvasRef.current && zoomBy(canvasRef.current, 0.8)}>
              <ZoomOutIcon fontSize="small" />
            </IconButton>
          </Tooltip>
          <Tooltip title="Einpassen">
            <IconButton size="small" aria-label={`${label}: einpassen`} onClick={() => canvasRef.current && fitDiagram(canvasRef.current, ref.current)}>
              <FitScreenIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        </Box>
      )}
      <div ref={ref} className={small ? 'kim-canvas small' : 'kim-canvas'} style={height ? { height } : undefined} role={role} aria-label={label} data-testid={testId} />
    </>
  );
}

