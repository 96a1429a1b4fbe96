"""Where the interactive mIoU goes: per-mask IoUs after 1 and 5 clicks (and the 1-click oracle over
channels 1–3) split by kind (whole object vs part) and by area, on a snapshot split.

    PYTHONPATH=trainer /usr/bin/python3 trainer/scripts/eval_breakdown.py --bundle models/default --data SNAPSHOT [--max-images 30]
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import torch

from dataengine_trainer.batches import MIN_PROMPT_AREA
from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.evaluate import MAX_CLICKS, interactive_ious
from dataengine_trainer.onnx_modules import DecoderOnnx
from dataengine_trainer.preprocess import preprocess_image

AREA_BUCKETS = [(16, 256), (256, 1024), (1024, 4096), (4096, 16384), (16384, 10**9)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--max-images", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    path = os.path.join(a.bundle, "model.pt") if os.path.isdir(a.bundle) else a.bundle
    model, _ = load_checkpoint(path)
    model.eval()
    snap = load_snapshot(a.data, need_train=a.split == "train", need_val=a.split == "val")
    records = (snap.val if a.split == "val" else snap.train)[: a.max_images]
    decoder = DecoderOnnx(model)
    rows = []  # (is_whole, area, iou1, iou5, oracle1)
    for rec in records:
        with torch.no_grad():
            emb = model.embed(preprocess_image(rec.load_rgb()))
        anns = [x for x in rec.annotations if x.area >= MIN_PROMPT_AREA]
        if not anns:
            continue
        out = interactive_ious(decoder, emb, rec, [x.mask() for x in anns])
        rows += [(x.is_whole, x.area, o[0], o[MAX_CLICKS - 1], o[MAX_CLICKS]) for x, o in zip(anns, out)]
    r = np.array(rows, dtype=np.float64)

    def line(name: str, sel: np.ndarray) -> None:
        if sel.sum() == 0:
            return
        s = r[sel]
        print(f"{name:<22} {int(sel.sum()):>6} {s[:, 2].mean():>8.3f} {s[:, 4].mean():>10.3f} {s[:, 3].mean():>8.3f}")

    print(f"{len(records)} images, {len(r)} masks ({a.split} split of {a.data})")
    print(f"{'masks':<22} {'count':>6} {'mIoU@1':>8} {'oracle@1':>10} {'mIoU@5':>8}")
    line("all", np.ones(len(r), bool))
    line("whole objects", r[:, 0] == 1)
    line("parts / sub-parts", r[:, 0] == 0)
    for lo, hi in AREA_BUCKETS:
        line(f"area {lo}–{hi if hi < 10**9 else '∞'} px", (r[:, 1] >= lo) & (r[:, 1] < hi))


if __name__ == "__main__":
    main()
