'use client';
// The image with its masks drawn over it: two canvases above a plain <img> (fill with the chosen
// opacity, outlines opaque), painted from the masks' runs at display size (lib/overlay.ts).
import { useEffect, useMemo, useRef } from 'react';
import { displaySize, paintOverlay, type OverlayMask } from './lib/overlay';

export interface ViewerCanvasProps {
  imageUrl: string;
  fileName: string;
  width: number;
  height: number;
  masks: readonly OverlayMask[];
  /** 0–1, of the fill */
  opacity: number;
  outlineOnly: boolean;
}

function useLayer(canvas: React.RefObject<HTMLCanvasElement | null>, pixels: Uint8ClampedArray, width: number, height: number) {
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
  }, [canvas, pixels, width, height]);
}

export function ViewerCanvas(p: ViewerCanvasProps) {
  const display = useMemo(() => displaySize(p.width, p.height), [p.width, p.height]);
  const layers = useMemo(() => paintOverlay(p.masks, { width: p.width, height: p.height }, display), [p.masks, p.width, p.height, display]);
  const fill = useRef<HTMLCanvasElement>(null);
  const outline = useRef<HTMLCanvasElement>(null);
  useLayer(fill, layers.fill, layers.width, layers.height);
  useLayer(outline, layers.outline, layers.width, layers.height);
  return (
    <div className="viewer-stage" style={{ aspectRatio: `${p.width} / ${p.height}` }} data-testid="viewer-canvas" data-drawn={p.masks.length} data-outline-only={p.outlineOnly ? 'true' : 'false'} data-opacity={p.opacity}>
      {/* a plain <img>: the file is private (cookie-authenticated) and the browser decodes it off the main thread */}
      <img src={p.imageUrl} alt={p.fileName} className="viewer-image" decoding="async" />
      <canvas ref={fill} width={layers.width} height={layers.height} className="viewer-layer" style={{ opacity: p.outlineOnly ? 0 : p.opacity }} data-testid="viewer-fill" />
      <canvas ref={outline} width={layers.width} height={layers.height} className="viewer-layer" data-testid="viewer-outline" />
    </div>
  );
}
