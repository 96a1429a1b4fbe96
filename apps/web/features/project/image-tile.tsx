import type { ImageDto, ImageTileWorkDto } from '@dataengine/contracts';
import Link from 'next/link';

const PLACEHOLDER: Record<ImageDto['status'], string> = {
  pending: 'Processing…',
  failed: 'No preview',
  ready: 'No preview',
};

const STAGE_SHORT: Record<NonNullable<ImageTileWorkDto['stage']>, string> = { assisted_manual: 'S1', semi_automatic: 'S2', fully_automatic: 'S3' };

/** Stage and task status, review, and mask count of the image (what the viewer opens on). */
function TileWork({ work }: { work: ImageTileWorkDto }) {
  const title = `${work.masks} masks (${work.byProvenance.manual} manual, ${work.byProvenance.prefill} pre-filled, ${work.byProvenance.auto} automatic)`;
  return (
    <span className="tile-work" data-testid="tile-work" data-stage={work.stage ?? ''} data-task-status={work.taskStatus ?? ''} data-review={work.review ?? ''} data-masks={work.masks}>
      {work.stage && (
        <span className="badge" title={`stage ${STAGE_SHORT[work.stage].slice(1)}: ${work.taskStatus ?? 'no task'}`}>
          {STAGE_SHORT[work.stage]} · {work.taskStatus}
        </span>
      )}
      {work.review && <span className={`badge tile-review-${work.review}`}>{work.review === 'pending' ? 'in review' : work.review}</span>}
      <span className="badge" title={title}>
        {work.masks} mask{work.masks === 1 ? '' : 's'}
      </span>
    </span>
  );
}

/** `picking`: a click picks or unpicks the tile (the grid's saved selection) instead of opening it. */
export function ImageTile({ image, work, picking = false, picked = false, onPick }: { image: ImageDto; work?: ImageTileWorkDto; picking?: boolean; picked?: boolean; onPick?: () => void }) {
  return (
    <Link
      href={`/projects/${image.projectId}/images/${image.id}`}
      onClick={(e) => {
        if (!picking) return;
        e.preventDefault();
        onPick?.();
      }}
      aria-pressed={picking ? picked : undefined}
      data-picked={picked ? 'true' : 'false'}
      className={picked ? 'tile tile-picked' : 'tile'}
      title={`${image.fileName} — ${image.width}×${image.height}, ${image.split}`}
      data-testid="image-tile"
      data-status={image.status}
      data-file-name={image.fileName}
      data-split={image.split}
    >
      {image.thumbUrl ? (
        // a plain <img>: thumbnails are private (cookie-authenticated) and already sized by the API
        <img src={image.thumbUrl} alt={image.fileName} loading="lazy" decoding="async" className="tile-image" data-testid="image-thumb" />
      ) : (
        <span className="tile-placeholder">{PLACEHOLDER[image.status]}</span>
      )}
      {image.split === 'val' && (
        <span className="badge badge-val tile-split" title="held out: evaluations score on it; it never trains" data-testid="image-split">
          val
        </span>
      )}
      {image.status !== 'ready' && (
        <span className={`badge badge-${image.status}`} data-testid="image-status">
          {image.status}
        </span>
      )}
      {(picking || picked) && <span className={picked ? 'tile-check tile-check-on' : 'tile-check'} aria-hidden>{picked ? '✓' : ''}</span>}
      {work && <TileWork work={work} />}
      <span className="tile-caption">{image.fileName}</span>
      {image.error && (
        <span className="tile-error" data-testid="image-error">
          {image.error}
        </span>
      )}
    </Link>
  );
}
