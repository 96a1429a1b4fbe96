"""Factory for small SA-1B-layout snapshots (discs and rectangles, some with parts), built with the
trainer's own RLE encoder; the same layout libs/synth writes (sa_<id>.jpg/.json/.tree.json,
split.json, snapshot.json)."""
from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image

from dataengine_trainer.rle import encode_rle


def _bbox(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min()), float(ys.max() - ys.min())]


def make_scene(rng: np.random.Generator, height: int, width: int, objects: int = 3):
    """→ (rgb uint8 HxWx3, [(mask, parent_index | None)])."""
    yy, xx = np.mgrid[0:height, 0:width]
    rgb = np.zeros((height, width, 3), np.float32) + rng.uniform(20, 80, 3)
    occupied = np.zeros((height, width), bool)
    inst: list[tuple[np.ndarray, int | None]] = []
    for _ in range(objects):
        r = rng.uniform(0.12, 0.25) * min(height, width)
        cx, cy = rng.uniform(r, width - r), rng.uniform(r, height - r)
        if rng.random() < 0.5:
            m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        else:
            m = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r * 0.7)
        m &= ~occupied
        if m.sum() < 30:
            continue
        rgb[m] = rng.uniform(120, 255, 3)
        occupied |= m
        inst.append((m, None))
        if rng.random() < 0.5:  # a part: the inner disc
            part = m & ((xx - cx) ** 2 + (yy - cy) ** 2 <= (r * 0.45) ** 2)
            if part.sum() >= 20:
                rgb[part] = rng.uniform(0, 100, 3)
                inst.append((part, len(inst) - 1))
    return np.clip(rgb + rng.normal(0, 3, rgb.shape), 0, 255).astype(np.uint8), inst


def make_snapshot(root: str, images: int = 6, seed: int = 0, height: int = 96, width: int = 128,
                  val: int = 2, snapshot_id: str | None = None) -> str:
    os.makedirs(root, exist_ok=True)
    rng = np.random.default_rng(seed)
    ann_id = 1
    for image_id in range(1, images + 1):
        rgb, inst = make_scene(rng, height, width)
        Image.fromarray(rgb).save(os.path.join(root, f"sa_{image_id}.jpg"), quality=95)
        anns, nodes, ids = [], [], []
        for mask, parent in inst:
            ids.append(ann_id)
            anns.append({"id": ann_id, "segmentation": encode_rle(mask), "bbox": _bbox(mask), "area": int(mask.sum()),
                         "predicted_iou": 1.0, "stability_score": 1.0, "crop_box": [0, 0, width, height],
                         "point_coords": [[0.0, 0.0]]})
            nodes.append({"id": ann_id, "parent_id": None if parent is None else ids[parent],
                          "level": "whole" if parent is None else "part", "kind": "test"})
            ann_id += 1
        rec = {"image": {"image_id": image_id, "width": width, "height": height, "file_name": f"sa_{image_id}.jpg"},
               "annotations": anns}
        with open(os.path.join(root, f"sa_{image_id}.json"), "w") as f:
            json.dump(rec, f)
        with open(os.path.join(root, f"sa_{image_id}.tree.json"), "w") as f:
            json.dump({"image_id": image_id, "annotations": nodes}, f)
    ids = list(range(1, images + 1))
    with open(os.path.join(root, "split.json"), "w") as f:
        json.dump({"train": ids[val:], "val": ids[:val]}, f)
    manifest = {"format": "sa1b", "generator": "trainer-tests", "seed": seed}
    if snapshot_id:
        manifest["id"] = snapshot_id
    with open(os.path.join(root, "snapshot.json"), "w") as f:
        json.dump(manifest, f)
    return root
