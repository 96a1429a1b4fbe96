"""Upper bounds on the interactive mIoU a model can reach on a snapshot split, whatever it learns:

* mask resolution: the ground-truth masks taken to the low-res grid (area downscale, as training
  targets are made), to a model's mask resolution (64², 128², 256² over the 1024 frame), back
  through the contract's upscaling (SAM-SPEC.md §1.5) and thresholded — the best a model whose
  masks are formed at that resolution can do, at any number of clicks;
* 1-click ambiguity: masks whose first click (the point farthest from the boundary, as `trainer
  eval` clicks) falls within 2 px of another mask's first click get the same prompt, so one output
  serves the whole group; the bound takes, per group, the best single ground-truth mask.

    PYTHONPATH=trainer /usr/bin/python3 trainer/scripts/eval_ceilings.py --data SNAPSHOT [--max-images 60]
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F

from dataengine_trainer.batches import MIN_PROMPT_AREA
from dataengine_trainer.clicks import farthest_point
from dataengine_trainer.constants import LOW_RES_SIZE
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.onnx_modules import postprocess_masks
from dataengine_trainer.preprocess import masks_to_low_res

MASK_RESOLUTIONS = (64, 128, 256)
SAME_CLICK_PX = 2


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def resolution_ious(masks: np.ndarray, height: int, width: int, res: int) -> list[float]:
    low = masks_to_low_res(masks).unsqueeze(1)  # [K, 1, 256, 256] in [0, 1]
    if res != LOW_RES_SIZE:
        low = F.interpolate(low, size=(res, res), mode="bilinear", align_corners=False, antialias=True)
        low = F.interpolate(low, size=(LOW_RES_SIZE, LOW_RES_SIZE), mode="bilinear", align_corners=False)
    pred = (postprocess_masks(low - 0.5, torch.tensor([float(height), float(width)]))[:, 0] > 0).numpy()
    return [_iou(p, m) for p, m in zip(pred, masks)]


def ambiguity_bound(masks: np.ndarray) -> float:
    """Sum over masks of the IoU the best single output per same-click group reaches."""
    clicks = [farthest_point(m) for m in masks]
    used = np.zeros(len(masks), bool)
    total = 0.0
    for i in range(len(masks)):
        if used[i]:
            continue
        group = [j for j in range(len(masks)) if not used[j]
                 and max(abs(clicks[j][0] - clicks[i][0]), abs(clicks[j][1] - clicks[i][1])) <= SAME_CLICK_PX]
        used[group] = True
        total += max(sum(_iou(masks[c], masks[g]) for g in group) for c in group)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--max-images", type=int, default=60)
    a = ap.parse_args()
    snap = load_snapshot(a.data, need_train=a.split == "train", need_val=a.split == "val")
    records = (snap.val if a.split == "val" else snap.train)[: a.max_images]
    per_res: dict[int, list[float]] = {r: [] for r in MASK_RESOLUTIONS}
    ambiguity, count = 0.0, 0
    for rec in records:
        anns = [x for x in rec.annotations if x.area >= MIN_PROMPT_AREA]
        if not anns:
            continue
        masks = np.stack([x.mask().astype(bool) for x in anns])
        for r in MASK_RESOLUTIONS:
            per_res[r] += resolution_ious(masks, rec.height, rec.width, r)
        ambiguity += ambiguity_bound(masks)
        count += len(masks)
    print(json.dumps({
        "images": len(records), "masks": count,
        "resolution_ceiling": {f"{r}x{r}": round(float(np.mean(v)), 4) for r, v in per_res.items()},
        "one_click_ambiguity_ceiling": round(ambiguity / max(count, 1), 4),
    }))


if __name__ == "__main__":
    main()
