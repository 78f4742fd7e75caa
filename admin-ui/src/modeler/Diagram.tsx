/** Read-only BPMN diagram (camunda-cloud NavigatedViewer) with markers and count overlays (heatmap, diff). */
import { useEffect, useRef, useState } from 'react';
import NavigatedViewer from 'camunda-bpmn-js/lib/camunda-cloud/NavigatedViewer';
import 'camunda-bpmn-js/dist/assets/camunda-cloud-navigated-viewer.css';
import { Alert } from '@mui/material';
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
}

export function Diagram({ xml, markers, counts, countLabel, onImported, small, label, role = 'img' }: DiagramProps) {
  const ref = useRef<HTMLDivElement>(null);
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
        fitViewport(canvas);
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
      viewer.destroy();
    };
    // Intentionally runs only on the listed dependencies.
  }, [xml, JSON.stringify(markers), JSON.stringify(counts)]);
  return (
    <>
      {error && <Alert severity="error">{error}</Alert>}
      <div ref={ref} className={small ? 'kim-canvas small' : 'kim-canvas'} role={role} aria-label={label} />
    </>
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
