"""Hard-example sampling for a retrain: before the first step, the starting model answers one click
on every training mask, and batches then draw each image's masks in proportion to how wrong that
answer was (1 − IoU, plus a floor so masks it already gets right still come up). A fine-tune on a
project's accepted masks spends its steps where its parent fails instead of on what it knows.

The click is the evaluation's first click (the point farthest from the mask's boundary), the answer
the product's single-click rule (the best of tokens 1–3 by predicted IoU); the IoU is measured on
the 256² low-res grid against the mask's low-res target, which is what training sees."""
from __future__ import annotations

import numpy as np
import torch

from .batches import usable_annotations
from .clicks import farthest_point
from .constants import LOW_RES_SIZE
from .dataset import ImageRecord
from .evaluate import _decode_low_res
from .onnx_modules import DecoderOnnx
from .preprocess import coord_scale, masks_to_low_res
from .progress import emit

FLOOR = 0.2  # the weight of a mask the model already gets right, relative to up to 1.2 for one it misses


def mask_weights(model, records: list[ImageRecord], embedding_of) -> dict[int, np.ndarray]:
    """Per image id: a sampling weight per usable annotation (``usable_annotations`` order)."""
    model.eval()
    decoder = DecoderOnnx(model)
    none = torch.zeros(1, 1, LOW_RES_SIZE, LOW_RES_SIZE)
    out: dict[int, np.ndarray] = {}
    ious: list[np.ndarray] = []
    for rec in records:
        usable = usable_annotations(rec)
        masks = np.stack([a.mask() for a in usable])
        sx, sy = coord_scale(rec.height, rec.width)
        points = [farthest_point(m) for m in masks]
        n = len(points)
        coords = torch.tensor([[[x * sx, y * sy], [0.0, 0.0]] for x, y in points], dtype=torch.float32)
        labels = torch.tensor([[1.0, -1.0]]).repeat(n, 1)
        with torch.no_grad():
            emb = torch.as_tensor(embedding_of(rec)).unsqueeze(0)
            proj = decoder.mask_decoder.project(emb).expand(n, -1, -1, -1)
            low, iou = _decode_low_res(decoder, proj, coords, labels, none.expand(n, -1, -1, -1), torch.zeros(n))
            pick = iou[:, 1:].argmax(1) + 1
            pred = low[torch.arange(n), pick] > 0
            target = masks_to_low_res(masks) > 0.5
            inter = (pred & target).flatten(1).sum(1).float()
            union = (pred | target).flatten(1).sum(1).float()
            got = torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(union)).numpy()
        ious.append(got)
        out[rec.image_id] = (1.0 - got + FLOOR).astype(np.float64)
    every = np.concatenate(ious) if ious else np.zeros(0)
    emit("hard_examples", images=len(records), masks=int(every.size), mean_iou=float(every.mean()) if every.size else None,
         below_half=float((every < 0.5).mean()) if every.size else None)
    return out
