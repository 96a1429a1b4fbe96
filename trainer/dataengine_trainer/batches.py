"""Builds training batches from a snapshot: images in the 1024 frame, low-res GT, prompt boxes,
detector targets. Decodes only the masks it samples."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .dataset import ImageRecord
from .preprocess import coord_scale, masks_to_low_res, preprocess_image
from .targets import detector_targets

MIN_PROMPT_AREA = 16  # px at the original resolution; smaller masks are not used as prompts


@dataclass
class Batch:
    images: torch.Tensor  # [B, 3, 1024, 1024]
    gt: torch.Tensor  # [P, 256, 256] soft low-res targets
    boxes: torch.Tensor  # [P, 4] XYXY in the 1024 frame (exclusive right/bottom)
    image_index: torch.Tensor  # [P] which image each prompt belongs to
    heat: torch.Tensor  # [B, 1, 64, 64]
    centre: torch.Tensor  # [B, 1, 64, 64] bool
    dist: torch.Tensor  # [B, 4, 64, 64]


def _mask_box(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]


def whole_boxes(rec: ImageRecord, flip: bool) -> np.ndarray:
    """XYXY (exclusive) boxes of the whole objects from the SAM-convention bbox field."""
    out = []
    for a in rec.annotations:
        if not a.is_whole:
            continue
        x, y, w, h = a.bbox
        x0, x1 = x, x + w + 1
        if flip:
            x0, x1 = rec.width - x1, rec.width - x0
        out.append([x0, y, x1, y + h + 1])
    return np.asarray(out, np.float32).reshape(-1, 4)


def build_batch(records: list[ImageRecord], rng: np.random.Generator, images: int, masks_per_image: int,
                augment: bool = True) -> Batch:
    xs, gts, boxes, idx, heats, centres, dists = [], [], [], [], [], [], []
    for b in range(images):
        rec = records[int(rng.integers(len(records)))]
        usable = [a for a in rec.annotations if a.area >= MIN_PROMPT_AREA] or rec.annotations
        flip = augment and rng.random() < 0.5
        rgb = rec.load_rgb()
        if flip:
            rgb = rgb[:, ::-1]
        xs.append(preprocess_image(np.ascontiguousarray(rgb)))
        chosen = rng.choice(len(usable), size=min(masks_per_image, len(usable)), replace=False)
        masks = np.stack([usable[int(i)].mask() for i in chosen])
        if flip:
            masks = masks[:, :, ::-1]
        sx, sy = coord_scale(rec.height, rec.width)
        scale = np.array([sx, sy, sx, sy], np.float32)
        boxes.extend([np.asarray(_mask_box(m), np.float32) * scale for m in masks])
        gts.append(masks_to_low_res(np.ascontiguousarray(masks)))
        idx.extend([b] * len(masks))
        h, c, d = detector_targets(whole_boxes(rec, flip) * scale)
        heats.append(h)
        centres.append(c)
        dists.append(d)
    return Batch(
        images=torch.cat(xs), gt=torch.cat(gts), boxes=torch.from_numpy(np.stack(boxes)),
        image_index=torch.tensor(idx), heat=torch.stack(heats), centre=torch.stack(centres), dist=torch.stack(dists),
    )
