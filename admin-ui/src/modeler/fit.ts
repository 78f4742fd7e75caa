/**
 * Viewport helpers shared by the modeler and the read-only diagrams. bpmn-js's own "fit-viewport"
 * ignores the palette, which floats over the left edge of the modeler's canvas, and scales small
 * models up to giant sizes; here the diagram is fitted into the free part of the canvas, at most at
 * natural size.
 */
export interface CanvasLike {
  viewbox(): { inner: { x: number; y: number; width: number; height: number }; outer: { width: number; height: number }; scale: number };
  viewbox(box: { x: number; y: number; width: number; height: number }): unknown;
  zoom(): number;
  zoom(level: number | 'fit-viewport', center?: 'auto' | { x: number; y: number }): unknown;
}

const MARGIN = 24;
const MAX_SCALE = 1;

/**
 * Fits the diagram into the container, right of `container`'s palette (if any). Does nothing while
 * the container or the diagram has no size (a hidden tab, a model without shapes): the zoom would be
 * infinite.
 */
export function fitDiagram(canvas: CanvasLike, container: HTMLElement | null) {
  const vb = canvas.viewbox();
  const { inner, outer } = vb;
  if (!(inner.width > 0 && inner.height > 0 && outer.width > 0 && outer.height > 0)) return;
  const left = paletteReserve(container) + MARGIN;
  const availW = Math.max(outer.width - left - MARGIN, outer.width / 3);
  const availH = outer.height - 2 * MARGIN;
  const scale = Math.min(availW / inner.width, availH / inner.height, MAX_SCALE);
  // Centre within the free area.
  const offX = left + (availW - inner.width * scale) / 2;
  const offY = MARGIN + (availH - inner.height * scale) / 2;
  canvas.viewbox({ x: inner.x - offX / scale, y: inner.y - offY / scale, width: outer.width / scale, height: outer.height / scale });
}

/** Width (px from the container's left edge) that the palette covers; 0 without a palette. */
function paletteReserve(container: HTMLElement | null): number {
  const palette = container?.querySelector('.djs-palette');
  if (!container || !palette) return 0;
  const c = container.getBoundingClientRect();
  const p = palette.getBoundingClientRect();
  return p.width > 0 ? Math.max(0, p.right - c.left) : 0;
}

/** Zooms in or out around the centre of the visible area. */
export function zoomBy(canvas: CanvasLike, factor: number) {
  canvas.zoom(Math.min(4, Math.max(0.2, canvas.zoom() * factor)), 'auto');
}
