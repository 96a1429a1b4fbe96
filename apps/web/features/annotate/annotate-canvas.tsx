'use client';
// The image, its masks and the prompts on one canvas. Zoom and pan are a transform (no re-raster of
// the image or masks), the view lives in a ref so panning does not re-render React, and every
// change is drawn in the next animation frame.
import type { BoxXyxy, SamPoint } from '@dataengine/segment';
import { useCallback, useEffect, useLayoutEffect, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import { markClickStage, markMaskDrawn } from './latency';
import { drawOverlay, type Overlay } from './mask-overlay';
import type { BrushMode, BrushStroke } from './lib/prompt-reducer';
import { boxFromDrag } from './lib/prompt-reducer';
import { clampToImage, fitImage, imageToScreen, panBy, screenToImage, wheelZoomFactor, zoomAt, type ViewTransform } from './lib/view-transform';

export type Tool = 'prompt' | BrushMode;

export interface AnnotateCanvasProps {
  image: CanvasImageSource;
  /** A smaller copy of a large image, drawn while zoomed out far enough that it looks the same. */
  preview?: ImageBitmap | null;
  width: number;
  height: number;
  /** Mask overlays, bottom first (saved masks, then the mask being made). */
  layers: readonly (Overlay | null)[];
  points: readonly SamPoint[];
  box: BoxXyxy | null;
  tool: Tool;
  brushRadius: number;
  /** Changing it fits the image to the window again. */
  fitRequest: number;
  onPoint(x: number, y: number, positive: boolean): void;
  onBox(box: BoxXyxy): void;
  onStroke(stroke: BrushStroke): void;
  onActivity(): void;
  /** The pointer rests on the image with the prompt tool (image pixels): the likely next click. */
  onAim?(x: number, y: number): void;
  /** The focus region the mask in progress is made in (image px), outlined while it is not the whole view. */
  focusBox?: BoxXyxy | null;
  /** The part of the image on screen (image pixels, may reach past it), once the view has settled after a zoom, pan or resize. */
  onView?(visible: BoxXyxy): void;
}

/** The view counts as settled after this long without a zoom or pan. */
const VIEW_SETTLE_MS = 250;

/** How long the pointer must rest before it counts as aiming. */
const AIM_REST_MS = 40;
/** A click this close (screen px) to where the pointer rested is the aimed click. */
const AIM_SNAP_PX = 2;

/** A press that moves less than this (screen px) is a click, not a drag. */
const DRAG_THRESHOLD_PX = 4;
const POINT_RADIUS_PX = 5;

type Gesture =
  | { kind: 'pan'; lastX: number; lastY: number }
  | { kind: 'prompt'; startX: number; startY: number; x: number; y: number; negative: boolean; dragging: boolean }
  | { kind: 'stroke'; points: [number, number][] };

export function AnnotateCanvas(props: AnnotateCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const view = useRef<ViewTransform | null>(null);
  const gesture = useRef<Gesture | null>(null);
  const cursor = useRef<[number, number] | null>(null);
  const spaceHeld = useRef(false);
  const aimTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const aimed = useRef<{ sx: number; sy: number; x: number; y: number; view: ViewTransform } | null>(null);
  const frame = useRef(0);
  const reportedView = useRef<string | null>(null);
  const viewTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const drawnLayers = useRef<readonly (Overlay | null)[]>([]);
  const latest = useRef(props);
  latest.current = props;

  /** Tells onView the visible part once the view stops changing. */
  const reportView = useCallback((t: ViewTransform, cssW: number, cssH: number) => {
    const visible: BoxXyxy = [...screenToImage(t, 0, 0), ...screenToImage(t, cssW, cssH)];
    const key = visible.map((v) => v.toFixed(1)).join(',');
    if (key === reportedView.current) return;
    reportedView.current = key;
    if (viewTimer.current) clearTimeout(viewTimer.current);
    viewTimer.current = setTimeout(() => {
      viewTimer.current = null;
      latest.current.onView?.(visible);
    }, VIEW_SETTLE_MS);
  }, []);

  const draw = useCallback(() => {
    frame.current = 0;
    if (latest.current.layers !== drawnLayers.current) markClickStage('annotate:click-frame');
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const p = latest.current;
    const dpr = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth;
    const cssH = canvas.clientHeight;
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    }
    view.current ??= fitImage({ width: p.width, height: p.height }, { width: cssW, height: cssH });
    const t = view.current;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY);
    ctx.imageSmoothingEnabled = t.scale < 2;
    const usePreview = p.preview && dpr * t.scale <= p.preview.width / p.width;
    ctx.drawImage(usePreview ? p.preview! : p.image, 0, 0, p.width, p.height);
    ctx.imageSmoothingEnabled = false; // mask pixels stay crisp when zoomed in
    for (const layer of p.layers) if (layer) drawOverlay(ctx, layer, p.width, p.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawPrompts(ctx, t, p, gesture.current, cursor.current);
    canvas.dataset['scale'] = String(t.scale);
    canvas.dataset['offsetX'] = String(t.offsetX);
    canvas.dataset['offsetY'] = String(t.offsetY);
    reportView(t, cssW, cssH);
    if (p.layers !== drawnLayers.current) {
      drawnLayers.current = p.layers;
      markMaskDrawn();
    }
  }, [reportView]);

  const requestDraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  // asked for in the commit itself (a passive effect runs after the browser's next paint, and its
  // frame request then waits for the frame after that)
  useLayoutEffect(requestDraw, [props.image, props.layers, props.points, props.box, props.tool, props.brushRadius, props.focusBox, requestDraw]);

  useEffect(() => {
    view.current = null; // refit on the next frame
    requestDraw();
  }, [props.fitRequest, props.width, props.height, requestDraw]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      if (!view.current) return;
      const r = canvas.getBoundingClientRect();
      view.current = zoomAt(view.current, e.clientX - r.left, e.clientY - r.top, wheelZoomFactor(e.deltaY * (e.deltaMode === 1 ? 33 : 1)));
      requestDraw();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === ' ') {
        spaceHeld.current = e.type === 'keydown';
        if (e.target === document.body) e.preventDefault();
      }
    };
    const resize = new ResizeObserver(requestDraw);
    resize.observe(canvas);
    canvas.addEventListener('wheel', onWheel, { passive: false });
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    return () => {
      resize.disconnect();
      canvas.removeEventListener('wheel', onWheel);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [requestDraw]);

  const local = (e: ReactPointerEvent): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const toImage = (x: number, y: number): [number, number] => {
    const p = latest.current;
    const [ix, iy] = screenToImage(view.current!, x, y);
    return clampToImage({ width: p.width, height: p.height }, ix, iy);
  };

  useEffect(
    () => () => {
      if (aimTimer.current) clearTimeout(aimTimer.current);
      if (viewTimer.current) clearTimeout(viewTimer.current);
    },
    [],
  );

  const stopAiming = () => {
    if (aimTimer.current) clearTimeout(aimTimer.current);
    aimTimer.current = null;
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    stopAiming();
    if (!view.current) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus({ preventScroll: true }); // so Enter is not taken by a focused button
    latest.current.onActivity();
    const [x, y] = local(e);
    if (e.button === 1 || spaceHeld.current) gesture.current = { kind: 'pan', lastX: x, lastY: y };
    else if (latest.current.tool !== 'prompt' && e.button === 0) gesture.current = { kind: 'stroke', points: [toImage(x, y)] };
    else if (e.button === 0 || e.button === 2) gesture.current = { kind: 'prompt', startX: x, startY: y, x, y, negative: e.button === 2 || e.altKey, dragging: false };
    requestDraw();
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const [x, y] = local(e);
    cursor.current = [x, y];
    const g = gesture.current;
    if (g?.kind === 'pan' && view.current) {
      view.current = panBy(view.current, x - g.lastX, y - g.lastY);
      g.lastX = x;
      g.lastY = y;
    } else if (g?.kind === 'prompt') {
      g.x = x;
      g.y = y;
      g.dragging ||= Math.hypot(x - g.startX, y - g.startY) > DRAG_THRESHOLD_PX;
    } else if (g?.kind === 'stroke') {
      g.points.push(toImage(x, y));
    } else if (!g && latest.current.tool === 'prompt' && latest.current.onAim && view.current) {
      stopAiming();
      aimTimer.current = setTimeout(() => {
        aimTimer.current = null;
        if (gesture.current || !view.current) return;
        const [ix, iy] = toImage(x, y);
        aimed.current = { sx: x, sy: y, x: ix, y: iy, view: view.current };
        latest.current.onAim?.(ix, iy);
      }, AIM_REST_MS);
    }
    requestDraw();
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const g = gesture.current;
    gesture.current = null;
    if (!g || !view.current) return;
    const p = latest.current;
    p.onActivity();
    if (g.kind === 'stroke') p.onStroke({ mode: p.tool === 'erase' ? 'erase' : 'paint', radius: p.brushRadius, points: g.points });
    if (g.kind === 'prompt') {
      const [x, y] = local(e);
      if (g.dragging && !g.negative) {
        const [x0, y0] = toImage(g.startX, g.startY);
        const [x1, y1] = toImage(x, y);
        if (Math.abs(x1 - x0) >= 2 && Math.abs(y1 - y0) >= 2) p.onBox(boxFromDrag(x0, y0, x1, y1));
      } else {
        // the click where the pointer rested: the aimed point itself (its decode is already running)
        const a = aimed.current;
        const snap = a && a.view === view.current && Math.hypot(a.sx - g.startX, a.sy - g.startY) <= AIM_SNAP_PX;
        const [ix, iy] = snap ? [a.x, a.y] : toImage(g.startX, g.startY);
        p.onPoint(ix, iy, !g.negative);
      }
    }
    requestDraw();
  };

  return (
    <canvas
      ref={canvasRef}
      className={`annotate-canvas tool-${props.tool}`}
      data-testid="annotate-canvas"
      tabIndex={0}
      aria-label="Image: click an object to segment it"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (gesture.current = null)}
      onPointerLeave={() => {
        stopAiming();
        cursor.current = null;
        requestDraw();
      }}
      onContextMenu={(e) => e.preventDefault()}
    />
  );
}

/** Clicks, the box, a drag in progress and the brush outline, in screen space (constant size at any zoom). */
function drawPrompts(ctx: CanvasRenderingContext2D, t: ViewTransform, p: AnnotateCanvasProps, g: Gesture | null, cursor: [number, number] | null): void {
  ctx.lineWidth = 2;
  if (p.focusBox) {
    const [x0, y0] = imageToScreen(t, p.focusBox[0], p.focusBox[1]);
    const [x1, y1] = imageToScreen(t, p.focusBox[2], p.focusBox[3]);
    ctx.setLineDash([3, 5]);
    ctx.strokeStyle = 'rgb(0 200 255 / 80%)';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([]);
  }
  if (p.box) {
    const [x0, y0] = imageToScreen(t, p.box[0], p.box[1]);
    const [x1, y1] = imageToScreen(t, p.box[2], p.box[3]);
    ctx.strokeStyle = '#ffd000';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  for (const pt of p.points) {
    const [x, y] = imageToScreen(t, pt.x, pt.y);
    ctx.beginPath();
    ctx.arc(x, y, POINT_RADIUS_PX, 0, Math.PI * 2);
    ctx.fillStyle = pt.label === 1 ? '#1fbf5f' : '#e5383b';
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.stroke();
  }
  if (g?.kind === 'prompt' && g.dragging && !g.negative) {
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#ffd000';
    ctx.strokeRect(g.startX, g.startY, g.x - g.startX, g.y - g.startY);
    ctx.setLineDash([]);
  }
  const r = p.brushRadius * t.scale;
  if (g?.kind === 'stroke' && g.points.length > 0) {
    ctx.strokeStyle = p.tool === 'erase' ? 'rgb(255 255 255 / 70%)' : 'rgb(0 114 189 / 70%)';
    ctx.lineWidth = Math.max(1, 2 * r);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    g.points.forEach(([ix, iy], i) => {
      const [x, y] = imageToScreen(t, ix, iy);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (g.points.length === 1) ctx.lineTo(...imageToScreen(t, g.points[0]![0] + 0.01, g.points[0]![1]));
    ctx.stroke();
    ctx.lineWidth = 2;
  }
  if (p.tool !== 'prompt' && cursor) {
    ctx.beginPath();
    ctx.arc(cursor[0], cursor[1], Math.max(1, r), 0, Math.PI * 2);
    ctx.strokeStyle = p.tool === 'erase' ? '#fff' : '#0072bd';
    ctx.stroke();
  }
}
