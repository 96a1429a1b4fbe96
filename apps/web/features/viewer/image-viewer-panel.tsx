'use client';
// One image and its masks as every role that may see the project views them (the viewer page and
// the review queue): filters, per-mask and bulk hide/show, opacity, outline only, colour.
import type { ImageViewDto, MaskOrigin, ViewerMaskDto } from '@dataengine/contracts';
import { useMemo, useState, type ReactNode } from 'react';
import { maskColour } from './lib/mask-colours';
import { DEFAULT_FILTER, drawnMasks, NONE, ORIGINS, type ViewerFilter } from './lib/viewer-filter';
import { ViewerCanvas } from './viewer-canvas';
import { ViewerControls, type DisplaySettings } from './viewer-controls';
import { ViewerMaskTable, type RejectPick } from './viewer-mask-table';

const DEFAULT_DISPLAY: DisplaySettings = { opacity: 0.45, outlineOnly: false, colourBy: 'origin' };

function options(masks: readonly ViewerMaskDto[], key: (m: ViewerMaskDto) => [string, string]) {
  const byId = new Map<string, { id: string; name: string; count: number }>();
  for (const m of masks) {
    const [id, name] = key(m);
    const o = byId.get(id) ?? { id, name, count: 0 };
    o.count++;
    byId.set(id, o);
  }
  return [...byId.values()].sort((a, b) => (a.id === NONE ? 1 : b.id === NONE ? -1 : a.name.localeCompare(b.name)));
}

export function ImageViewerPanel({ view, reject, aside }: { view: ImageViewDto; reject?: RejectPick; aside?: ReactNode }) {
  const [filter, setFilter] = useState<ViewerFilter>(DEFAULT_FILTER);
  const [display, setDisplay] = useState<DisplaySettings>(DEFAULT_DISPLAY);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const { masks } = view;

  const drawn = useMemo(() => drawnMasks(masks, filter, hidden), [masks, filter, hidden]);
  const shown = useMemo(() => new Set(drawn.map((m) => m.id)), [drawn]);
  const indexOf = useMemo(() => new Map(masks.map((m, i) => [m.id, i])), [masks]);
  const overlay = useMemo(() => drawn.map((m) => ({ counts: m.segmentation.counts, colour: maskColour(display.colourBy, m, indexOf.get(m.id) ?? 0) })), [drawn, display.colourBy, indexOf]);
  const originCounts = useMemo(() => {
    const counts = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<MaskOrigin, number>;
    for (const m of masks) counts[m.origin]++;
    return counts;
  }, [masks]);
  const labels = useMemo(() => options(masks, (m) => (m.label ? [m.label.id, m.label.name] : [NONE, 'unlabelled'])), [masks]);
  const authors = useMemo(() => options(masks, (m) => (m.authorId ? [m.authorId, m.authorName ?? 'someone'] : [NONE, 'the model / imports'])), [masks]);

  const toggle = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="viewer-layout" data-testid="image-viewer" data-image-id={view.image.id}>
      <div className="viewer-main">
        <ViewerCanvas imageUrl={view.image.url} fileName={view.image.fileName} width={view.image.width} height={view.image.height} masks={overlay} opacity={display.opacity} outlineOnly={display.outlineOnly} />
        {view.masksOmitted > 0 && <p className="notice notice-info">{view.masksOmitted} more masks of this image are not shown (the viewer loads at most {masks.length}).</p>}
      </div>
      <aside className="viewer-side">
        {aside}
        <ViewerControls
          filter={filter}
          onFilter={setFilter}
          display={display}
          onDisplay={setDisplay}
          originCounts={originCounts}
          labels={labels}
          authors={authors}
          drawn={drawn.length}
          total={masks.length}
          hiddenCount={hidden.size}
          onHideAll={() => setHidden((prev) => new Set([...prev, ...drawn.map((m) => m.id)]))}
          onShowAll={() => setHidden(new Set())}
        />
        {masks.length === 0 ? <p className="empty small">No masks on this image yet.</p> : <ViewerMaskTable masks={masks} shown={shown} hidden={hidden} onToggle={toggle} reject={reject} />}
      </aside>
    </div>
  );
}
