"""Training targets built from annotations (in the padded 1024 frame)."""
from __future__ import annotations

import numpy as np
import torch

from .constants import EMBED_SIZE, IMAGE_SIZE, LOW_RES_SIZE

STRIDE = IMAGE_SIZE // EMBED_SIZE
LOW_PER_CELL = LOW_RES_SIZE // EMBED_SIZE  # low-res pixels per embedding cell side


def detector_targets(boxes_xyxy: np.ndarray, size: int = EMBED_SIZE) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """boxes [K, 4] XYXY (1024 frame or a crop of it, exclusive right/bottom) → heat [1,S,S], centre [1,S,S] bool,
    dist [4,S,S] ltrb distances from cell centres (valid at centres). Larger boxes win collisions."""
    s = size
    heat = np.zeros((s, s), np.float32)
    centre = np.zeros((s, s), bool)
    dist = np.zeros((4, s, s), np.float32)
    ys, xs = np.mgrid[0:s, 0:s].astype(np.float32)
    order = np.argsort(-(boxes_xyxy[:, 2] - boxes_xyxy[:, 0]) * (boxes_xyxy[:, 3] - boxes_xyxy[:, 1])) if len(boxes_xyxy) else []
    for k in order[::-1]:  # small first, large last (overwrite)
        x0, y0, x1, y1 = boxes_xyxy[k]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        i, j = min(int(cy // STRIDE), s - 1), min(int(cx // STRIDE), s - 1)
        sx = max((x1 - x0) / STRIDE / 6, 0.5)
        sy = max((y1 - y0) / STRIDE / 6, 0.5)
        g = np.exp(-(((xs - j) ** 2) / (2 * sx * sx) + ((ys - i) ** 2) / (2 * sy * sy)))
        heat = np.maximum(heat, g)
        centre[i, j] = True
        ccx, ccy = (j + 0.5) * STRIDE, (i + 0.5) * STRIDE
        dist[:, i, j] = [max(ccx - x0, 0), max(ccy - y0, 0), max(x1 - ccx, 0), max(y1 - ccy, 0)]
    heat[centre] = 1.0
    return torch.from_numpy(heat)[None], torch.from_numpy(centre)[None], torch.from_numpy(dist)


def region_ids(low_res: torch.Tensor, areas: np.ndarray, whole: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Per embedding cell, which region it belongs to, sampled at the cell centres of the low-res masks
    low_res [K, h, w] (LOW_PER_CELL low-res px per cell): (leaf ids, whole ids) [g, g] long; 0 = background,
    k + 1 = the smallest mask k (any mask for leaves, whole objects only for wholes) covering the cell."""
    inside = low_res[:, LOW_PER_CELL // 2::LOW_PER_CELL, LOW_PER_CELL // 2::LOW_PER_CELL] > 0.5  # [K, g, g]
    k = inside.shape[0]
    if k == 0:
        return torch.zeros(inside.shape[1:], dtype=torch.long), torch.zeros(inside.shape[1:], dtype=torch.long)
    area = torch.as_tensor(areas, dtype=torch.float32).view(k, 1, 1)
    out = []
    for sel in (torch.ones(k, dtype=torch.bool), torch.as_tensor(whole, dtype=torch.bool)):
        cover = inside & sel.view(k, 1, 1)
        best = area.expand_as(cover).masked_fill(~cover, float("inf")).argmin(0) + 1
        out.append(torch.where(cover.any(0), best, torch.zeros_like(best)))
    return out[0], out[1]
