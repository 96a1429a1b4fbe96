import type { ImageDto } from '@dataengine/contracts';

const PLACEHOLDER: Record<ImageDto['status'], string> = {
  pending: 'Processing…',
  failed: 'No preview',
  ready: 'No preview',
};

/** `picking`: a click picks or unpicks the tile (the grid's saved selection) instead of opening it. */
export function ImageTile({ image, picking = false, picked = false, onPick }: { image: ImageDto; picking?: boolean; picked?: boolean; onPick?: () => void }) {
  return (
    <a
      href={image.url}
      target="_blank"
      rel="noreferrer"
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
      <span className="tile-caption">{image.fileName}</span>
      {image.error && (
        <span className="tile-error" data-testid="image-error">
          {image.error}
        </span>
      )}
    </a>
  );
}
