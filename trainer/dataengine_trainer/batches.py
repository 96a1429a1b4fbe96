"""Builds training batches from a snapshot: images in the 1024 frame (optionally a random crop of
it, aligned to the 32-px grid of the coarsest decoder tokens), low-res GT, detector targets. Prompt boxes are derived
from the low-res GT in train_step."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from .constants import EMBED_SIZE, IMAGE_SIZE, LOW_RES_SIZE
from .dataset import ImageRecord
from .preprocess import coord_scale, masks_to_low_res, preprocess_image, resized_size
from .photometric import augment_photometric, shadow_casters
from .targets import detector_targets, region_ids
from .zoom import zoom_view

MIN_PROMPT_AREA = 16  # px at the original resolution; smaller masks are not used as prompts
MIN_VISIBLE_LOW_RES = 3.0  # a mask must cover this many low-res pixels of the crop to be prompted
GRID = IMAGE_SIZE // EMBED_SIZE  # 16 px per embedding cell
LOW = IMAGE_SIZE // LOW_RES_SIZE  # 4 px per low-res pixel
CROP_ALIGN = 2 * GRID  # crops start on the decoder's token grid (16 or 32 px)


@dataclass
class Batch:
    # [B, 3, c, c] (c = 1024 or the crop size), or with stored embeddings (the fast retrain) the
    # frozen encoder's output for the whole frame, [B, 256, 64, 64]
    images: torch.Tensor
    offsets: torch.Tensor  # [B, 2] crop origin (x0, y0) in the 1024 frame
    gt: torch.Tensor  # [P, c/4, c/4] soft low-res targets
    image_index: torch.Tensor  # [P] which image each prompt belongs to
    heat: torch.Tensor  # [B, 1, c/16, c/16]
    centre: torch.Tensor  # [B, 1, c/16, c/16] bool
    dist: torch.Tensor  # [B, 4, c/16, c/16]
    leaf_ids: torch.Tensor  # [B, c/16, c/16] region per embedding cell (targets.region_ids)
    whole_ids: torch.Tensor  # [B, c/16, c/16]

    @property
    def is_embedding(self) -> bool:
        return self.images.shape[1] != 3

    @property
    def frame_px(self) -> int:
        """Side of the batch's window in 1024-frame pixels."""
        return self.images.shape[-1] * (GRID if self.is_embedding else 1)

    @property
    def prompt_offsets(self) -> torch.Tensor:
        return self.offsets[self.image_index]

    def to(self, device: torch.device | str, non_blocking: bool = False) -> "Batch":
        """The same batch on ``device`` (built on the CPU by the loader, moved in the training loop)."""
        return replace(self, **{f.name: getattr(self, f.name).to(device, non_blocking=non_blocking) for f in fields(self)})

    def pin_memory(self) -> "Batch":
        """Page-locked copies (DataLoader's pin_memory calls this), so the copy to a GPU can overlap."""
        return replace(self, **{f.name: getattr(self, f.name).pin_memory() for f in fields(self)})


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


def _crop_origin(rng: np.random.Generator, content: int, crop: int) -> int:
    slots = max(content - crop, 0) // CROP_ALIGN
    return CROP_ALIGN * int(rng.integers(0, slots + 1))


def flip_embedding(emb: np.ndarray, content_width: int, detail_channels: int = 0) -> np.ndarray:
    """The embedding [C, 64, 64] mirrored like its image: the cells that cover the resized image's
    ``content_width`` px (the padding stays on the right). The last ``detail_channels`` carry 256²
    maps as 4×4 space-to-depth (DetailBranch): they are mirrored on that grid, so the sub-pixel
    columns swap too."""
    cells = min(EMBED_SIZE, -(-content_width // GRID))
    out = emb.copy()
    out[:, :, :cells] = emb[:, :, cells - 1::-1]
    if detail_channels:
        c, h, w = emb.shape
        d = emb[c - detail_channels:].reshape(-1, 4, 4, h, w)  # feature, sub-row, sub-col, row, col
        fine = d.transpose(0, 3, 1, 4, 2).reshape(-1, 4 * h, 4 * w)  # feature, 4·row + sub-row, 4·col + sub-col
        fine[:, :, : 4 * cells] = fine[:, :, 4 * cells - 1::-1].copy()
        out[c - detail_channels:] = fine.reshape(-1, h, 4, w, 4).transpose(0, 2, 4, 1, 3).reshape(detail_channels, h, w)
    return out


class LowResCache:
    """Each image's low-res targets (``masks_to_low_res`` of its usable masks, per flip), kept as
    float16 up to ``max_bytes`` and dropped least recently used first: decoding every RLE and
    downscaling it again for each batch cost more than a fast retrain's whole forward pass."""

    def __init__(self, max_bytes: int = 512 << 20) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[tuple[int, bool], torch.Tensor] = OrderedDict()

    def get(self, rec: ImageRecord, usable, flip: bool) -> torch.Tensor:
        key = (rec.image_id, flip)
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            return hit.float()
        low = _low_res_targets(usable, flip)
        size = low.numel() * 2
        if size <= self.max_bytes:
            while self.bytes + size > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.bytes -= old.numel() * 2
            self.entries[key] = low.half()
            self.bytes += size
        return low


def _low_res_targets(usable, flip: bool) -> torch.Tensor:
    masks = np.stack([a.mask() for a in usable])
    if flip:
        masks = masks[:, :, ::-1]
    return masks_to_low_res(np.ascontiguousarray(masks))


def usable_annotations(rec: ImageRecord):
    """The annotations a batch prompts: those of at least MIN_PROMPT_AREA px (all, when none is)."""
    return [a for a in rec.annotations if a.area >= MIN_PROMPT_AREA] or rec.annotations


def build_batch(records: list[ImageRecord], rng: np.random.Generator, images: int, masks_per_image: int,
                augment: bool = True, crop: int = 0, embedding_of=None, flip_probability: float = 0.5,
                cache: LowResCache | None = None, mask_weights: dict[int, np.ndarray] | None = None,
                detail_channels: int = 0, photometric: float = 0.0, zoom: float = 0.0) -> Batch:
    """``crop`` 0 = the whole 1024 frame; otherwise a random crop×crop window (multiple of 16).
    ``embedding_of(record)`` → [256, 64, 64]: the batch carries (the crop's cells of) those embeddings
    instead of pixels (a flip mirrors embedding and masks together). ``cache`` keeps the images'
    low-res targets between batches (float16: the targets differ from uncached ones by < 5e-4).
    ``mask_weights`` (image id → a weight per usable annotation) draws an image's masks in proportion
    to them (hard-example sampling, hardness.py) instead of uniformly. ``photometric``: the chance that
    an image's pixels get lighting, shadows, texture, colour, blur and noise (photometric.py); pixel
    batches only, and no draw from ``rng`` at 0 (the batch sequence of a run without it is unchanged).
    ``zoom``: the chance that an image is replaced by a zoomed view of it (zoom.py: what the annotator
    tool's focus view embeds); pixel batches only, no draw at 0."""
    c = crop or IMAGE_SIZE
    xs, offs, gts, idx, heats, centres, dists, leaves, wholes = [], [], [], [], [], [], [], [], []
    b = 0
    attempts = 0
    while b < images:
        attempts += 1
        rec = records[int(rng.integers(len(records)))]
        zoomed = False
        if zoom > 0 and augment and embedding_of is None and rng.random() < zoom:
            view = zoom_view(rec, rng)
            if view is not None:
                rec, zoomed = view, True
        usable = usable_annotations(rec)
        flip = augment and rng.random() < flip_probability
        nh, nw = resized_size(rec.height, rec.width)
        x0, y0 = _crop_origin(rng, nw, c), _crop_origin(rng, nh, c)
        # a zoomed view is drawn afresh each time: nothing to cache
        full = cache.get(rec, usable, flip) if cache is not None and not zoomed else _low_res_targets(usable, flip)
        low = full[:, y0 // LOW:(y0 + c) // LOW, x0 // LOW:(x0 + c) // LOW]
        visible = torch.nonzero(low.flatten(1).sum(1) >= MIN_VISIBLE_LOW_RES).squeeze(1).numpy()
        if len(visible) == 0 and attempts < 10 * images:
            continue
        if len(visible) == 0:
            visible = np.arange(len(usable))
        leaf, whole = region_ids(low, np.array([a.area for a in usable]), np.array([a.is_whole for a in usable]))
        leaves.append(leaf)
        wholes.append(whole)
        weights = mask_weights.get(rec.image_id) if mask_weights is not None else None
        if weights is not None:
            w = weights[visible]
            chosen = rng.choice(visible, size=min(masks_per_image, len(visible)), replace=False, p=w / w.sum())
        else:
            chosen = rng.choice(visible, size=min(masks_per_image, len(visible)), replace=False)
        if embedding_of is not None:
            emb = embedding_of(rec)
            emb = flip_embedding(emb, nw, detail_channels) if flip else emb
            xs.append(torch.from_numpy(np.ascontiguousarray(emb[:, y0 // GRID:(y0 + c) // GRID, x0 // GRID:(x0 + c) // GRID])).unsqueeze(0))
        else:
            rgb = rec.load_rgb()
            if augment and photometric > 0 and rng.random() < photometric:
                rgb = augment_photometric(rgb, shadow_casters(usable, rng), rng)
            if flip:
                rgb = rgb[:, ::-1]
            xs.append(preprocess_image(np.ascontiguousarray(rgb))[:, :, y0:y0 + c, x0:x0 + c])
        offs.append([float(x0), float(y0)])
        gts.append(low[torch.from_numpy(chosen)])
        idx.extend([b] * len(chosen))
        sx, sy = coord_scale(rec.height, rec.width)
        boxes = whole_boxes(rec, flip) * np.array([sx, sy, sx, sy], np.float32) - np.array([x0, y0, x0, y0], np.float32)
        boxes = boxes.clip(0, c)
        boxes = boxes[((boxes[:, 2] - boxes[:, 0]) >= 2) & ((boxes[:, 3] - boxes[:, 1]) >= 2)]
        h, ce, d = detector_targets(boxes, size=c // GRID)
        heats.append(h)
        centres.append(ce)
        dists.append(d)
        b += 1
    return Batch(
        images=torch.cat(xs), offsets=torch.tensor(offs), gt=torch.cat(gts), image_index=torch.tensor(idx),
        heat=torch.stack(heats), centre=torch.stack(centres), dist=torch.stack(dists),
        leaf_ids=torch.stack(leaves), whole_ids=torch.stack(wholes),
    )
