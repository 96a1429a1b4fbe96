"""Zoomed views of training images: what the annotator tool's focus view shows the model.

When an annotator zooms in on a small object, the tool embeds the region on screen on its own (the
encoder sees it at up to 1024 px on its long side) and the clicks decode there. A model trained only
on whole images meets those regions' magnified objects, edges and textures for the first time in
the focus view. A zoomed view here is that region as a training image of its own: a window around
one of the image's whole objects (its longer side grown by a random margin on each side, at least
a quarter of the image's long side, its centre jittered), cropped from the pixels and every mask.
Masks that the window cuts are kept as what is visible of them (as SAM's crops train).

Full training replaces an image by a fresh view with chance ``zoom`` (``build_batch``); a fast
retrain, which trains on embeddings, adds ``zoom_views`` fixed views per training image whose
embeddings the frozen encoder computes once (``train.py``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dataset import Annotation, ImageRecord

# the tool's focus view is for objects up to 6000 px of the 1024 frame (libs/segment focus-region.ts);
# views are drawn around objects up to four times that, so the model also meets the bigger ones the
# annotator may zoom to
MAX_FRAME_AREA = 24_000
MARGIN_RANGE = (0.5, 1.5)  # the window's margin on each side, in units of the object's longer side
MIN_SIDE_FRACTION = 0.25  # the window is at least this share of the image's long side (128 of 512)
JITTER = 0.2  # the window's centre moves up to this share of its side from the object's
MIN_AREA = 4  # px: a cut mask smaller than this in the window is dropped


@dataclass
class _CroppedAnnotation(Annotation):
    cropped: np.ndarray | None = None

    def mask(self) -> np.ndarray:
        return self.cropped


@dataclass
class ZoomedRecord(ImageRecord):
    """A window of another record: pixels and masks in memory."""

    rgb: np.ndarray | None = None
    source_id: int = 0
    window: tuple[int, int, int, int] = (0, 0, 0, 0)  # x0, y0, x1, y1 in the source image

    def load_rgb(self) -> np.ndarray:
        return self.rgb


def _window(box: tuple[int, int, int, int], width: int, height: int, rng: np.random.Generator) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    long_side = max(width, height)
    side = max(MIN_SIDE_FRACTION * long_side, (1 + 2 * rng.uniform(*MARGIN_RANGE)) * max(x1 - x0, y1 - y0))
    w, h = min(width, int(round(side))), min(height, int(round(side)))
    cx = (x0 + x1) / 2 + rng.uniform(-JITTER, JITTER) * w
    cy = (y0 + y1) / 2 + rng.uniform(-JITTER, JITTER) * h
    left = int(np.clip(round(cx - w / 2), 0, width - w))
    top = int(np.clip(round(cy - h / 2), 0, height - h))
    return left, top, left + w, top + h


def _bbox(m: np.ndarray) -> list[float]:
    ys = np.flatnonzero(m.any(1))
    xs = np.flatnonzero(m.any(0))
    return [float(xs[0]), float(ys[0]), float(xs[-1] - xs[0]), float(ys[-1] - ys[0])]  # SAM's inclusive extents


def zoom_view(rec: ImageRecord, rng: np.random.Generator, image_id: int | None = None) -> ZoomedRecord | None:
    """A zoomed view of ``rec`` around one of its whole objects (drawn uniformly among those the focus
    view is for, else among all), or None when the image has no whole object or the window would
    show the whole image. ``image_id`` names the view (default the negative of the source's)."""
    frame = (1024 / max(rec.width, rec.height)) ** 2
    wholes = [a for a in rec.annotations if a.is_whole and a.area > 0]
    small = [a for a in wholes if a.area * frame <= MAX_FRAME_AREA]
    pool = small or wholes
    if not pool:
        return None
    target = pool[int(rng.integers(len(pool)))]
    x, y, w, h = target.bbox
    box = (int(x), int(y), int(x + w + 1), int(y + h + 1))
    left, top, right, bottom = _window(box, rec.width, rec.height, rng)
    if right - left >= rec.width and bottom - top >= rec.height:
        return None
    annotations = []
    for a in rec.annotations:
        ax, ay, aw, ah = a.bbox
        if ax > right or ay > bottom or ax + aw < left or ay + ah < top:
            continue
        m = np.ascontiguousarray(a.mask()[top:bottom, left:right])
        area = int(m.sum())
        if area < MIN_AREA:
            continue
        annotations.append(_CroppedAnnotation(id=a.id, segmentation={}, bbox=_bbox(m), area=area, is_whole=a.is_whole, cropped=m))
    if not annotations:
        return None
    rgb = np.ascontiguousarray(rec.load_rgb()[top:bottom, left:right])
    return ZoomedRecord(image_id=-rec.image_id if image_id is None else image_id, path=rec.path, width=right - left,
                        height=bottom - top, annotations=annotations, rgb=rgb, source_id=rec.image_id,
                        window=(left, top, right, bottom))


def zoom_views(records: list[ImageRecord], per_image: int, seed: int) -> list[ZoomedRecord]:
    """``per_image`` fixed views of each record (seeded), named by ids no snapshot image has (negative)."""
    rng = np.random.default_rng([seed, 0x200])
    out = []
    for rec in records:
        for k in range(per_image):
            view = zoom_view(rec, rng, image_id=-(rec.image_id * per_image + k + 1))
            if view is not None:
                out.append(view)
    return out
