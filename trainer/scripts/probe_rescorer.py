"""Offline probe of the IoU rescorer (trainer README, "Mask-aware IoU rescoring"): does anything
beyond today's 32 inputs tell a click's good candidates from the average ones?

  collect: the calibration's decodes (calibration.collect_rows: centre and interior clicks,
           background points, boxes, refinement clicks) of N training and M held-out images, each
           row with today's features plus 9 appearance features per candidate taken from the image
           embedding (feature variance inside the mask and in a ring outside it, the contrast
           between bands just inside and outside its edge and between mask and ring — on the 128
           semantic channels at 64² and on the 8 detail maps at 256² — and the clicked cell's
           distance to the mask's mean) → an .npz
  fit:     fits the rescorer on the training rows with each feature set and with a ranking loss,
           calibrates per token (isotonic) and prints, on the held-out rows: squared error, the
           single-click picked IoU / oracle / top-ranked / |pred − true|, the share of good masks
           (IoU ≥ 0.8) scoring ≥ 0.88 (what SAM's automatic-mask filter keeps) and its precision,
           and the box prompt's picked IoU.

  PYTHONPATH=trainer python3 trainer/scripts/probe_rescorer.py collect --data SNAP --bundle models/default --out rows.npz [--train 100 --val 60]
  PYTHONPATH=trainer python3 trainer/scripts/probe_rescorer.py fit rows.npz
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from dataengine_trainer import calibration as C
from dataengine_trainer.batches import MIN_PROMPT_AREA
from dataengine_trainer.calibration import knots_from_pairs
from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.model.iou_rescorer import INPUTS as BASE_INPUTS
from dataengine_trainer.model.iou_rescorer import IouRescorer
from dataengine_trainer.onnx_modules import DecoderOnnx
from dataengine_trainer.preprocess import preprocess_image

APPEARANCE = ["var_in", "var_out", "band", "region", "dvar_in", "dvar_out", "dband", "dregion", "clickdist"]


def _standardised(x: torch.Tensor) -> torch.Tensor:  # [C, N], per channel
    return (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True).clamp(min=1e-4)


def _region(weights: torch.Tensor, feats: torch.Tensor, squares: torch.Tensor):
    n = weights.sum(1).clamp(min=1.0)
    mean = (weights @ feats.T) / n[:, None]
    var = ((weights @ squares) / n - (mean ** 2).sum(1)) / feats.shape[0]
    return mean, var, (weights.sum(1) > 0).float()


def appearance(low: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, emb: dict) -> torch.Tensor:
    """low [B, 4, 256, 256] logits → [B, 4·9] appearance features (``APPEARANCE`` per candidate)."""
    b, k = low.shape[:2]
    fg = (low > 0).float().reshape(b * k, 1, 256, 256)
    m64 = (F.avg_pool2d(fg, 4) > 0.5).float()
    out = []
    for m, feats, squares, r in ((m64, emb["sem"], emb["sem_sq"], 2), (fg, emb["det"], emb["det_sq"], 4)):
        dilated = F.max_pool2d(m, 2 * r + 1, 1, r)
        eroded = 1 - F.max_pool2d(1 - m, 2 * r + 1, 1, r)
        mu_in, v_in, _ = _region(m.reshape(b * k, -1), feats, squares)
        mu_band, _, _ = _region((m - eroded).reshape(b * k, -1), feats, squares)
        mu_out, v_out, has_ring = _region((dilated - m).reshape(b * k, -1), feats, squares)
        c = feats.shape[0]
        out += [v_in, v_out * has_ring, ((mu_band - mu_out) ** 2).sum(1) / c * has_ring, ((mu_in - mu_out) ** 2).sum(1) / c * has_ring]
    sem = emb["sem"]
    cell = ((coords[:, 0, 1] / 16).long().clamp(0, 63) * 64 + (coords[:, 0, 0] / 16).long().clamp(0, 63))
    mu_in, _, nonempty = _region(m64.reshape(b * k, -1), sem, emb["sem_sq"])
    clicked = (labels[:, :1] == 1).float()
    dist = ((mu_in.reshape(b, k, -1) - sem[:, cell].T[:, None]) ** 2).sum(-1) / sem.shape[0] * clicked * nonempty.reshape(b, k)
    return torch.stack([o.reshape(b, k) for o in out] + [dist], -1).reshape(b, -1)


def collect(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    model, _ = load_checkpoint(args.bundle)
    model.eval()
    model.mask_decoder.iou_calibration.reset()
    model.mask_decoder.iou_rescorer.reset()  # the head's raw scores, as calibrate fits them
    decoder = DecoderOnnx(model)
    semantic = 256 - model.mask_decoder.detail_channels
    current: dict = {}
    base_features = IouRescorer.features

    def features(iou, masks, coords, labels, has_mask):
        return torch.cat([base_features(iou, masks, coords, labels, has_mask), appearance(masks, coords, labels, current)], -1)

    snap = load_snapshot(args.data, need_train=True, need_val=True)
    rng = np.random.default_rng(args.seed)

    def rows(records, tag):
        parts = []
        started = time.time()
        for n, rec in enumerate(records):
            everything = [a.mask() for a in rec.annotations if a.area >= MIN_PROMPT_AREA]
            if not everything:
                continue
            masks = everything
            if len(everything) > C.MAX_MASKS_PER_IMAGE:
                masks = [everything[i] for i in sorted(rng.choice(len(everything), C.MAX_MASKS_PER_IMAGE, replace=False))]
            with torch.no_grad():
                emb = model.embed(preprocess_image(rec.load_rgb()))
                sem = _standardised(emb[0, :semantic].reshape(semantic, -1))
                det = _standardised(F.pixel_shuffle(emb[:, semantic:], 4)[0].reshape(-1, 256 * 256))
                current.update(sem=sem, sem_sq=(sem ** 2).sum(0), det=det, det_sq=(det ** 2).sum(0))
            parts.append(C.collect_rows(decoder, emb, rec, masks, rng, everything))
            if n % 10 == 0:
                print(f"{tag} {n}/{len(records)} {time.time() - started:.0f} s", flush=True)
        return [np.concatenate([p[i] for p in parts]) for i in range(3)]

    # collect_rows computes the rescorer's inputs through IouRescorer.features: this probe adds its own
    IouRescorer.features = staticmethod(features)
    try:
        train = rows(snap.train[-args.train:], "train")
        val = rows(snap.val[: args.val], "val")
    finally:
        IouRescorer.features = staticmethod(base_features)
    np.savez(args.out, *train, *val)
    print(f"wrote {args.out}: {len(train[0])} training rows, {len(val[0])} held-out rows")


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.nan_to_num(a).astype(np.float32))


def _fit(x, base, true, rank_weight=0.0, hidden=32, steps=1500, tau=0.05, seed=0):
    """The rescorer's MLP (calibration.fit_rescorer's recipe), optionally plus a ranking loss over tokens 1–3."""
    gen = torch.Generator().manual_seed(seed)
    xt, bt, yt, mt = _tensor(x), _tensor(base), _tensor(true), _tensor(~np.isnan(true))
    mean, std = xt.mean(0), xt.std(0).clamp(min=1e-3)
    d = xt.shape[1]
    params = [torch.randn(hidden, d, generator=gen) / d ** 0.5, torch.zeros(hidden),
              torch.randn(hidden, hidden, generator=gen) / hidden ** 0.5, torch.zeros(hidden), torch.zeros(4, hidden), torch.zeros(4)]
    for p in params:
        p.requires_grad_(True)

    def correction(v):
        h = torch.relu(((v - mean) / std) @ params[0].T + params[1])
        h = torch.relu(h @ params[2].T + params[3])
        return h @ params[4].T + params[5]

    three = mt[:, 1:].sum(1) == 3
    opt = torch.optim.Adam(params, lr=C.RESCORER_LR, weight_decay=C.RESCORER_WEIGHT_DECAY)
    for _ in range(steps):
        opt.zero_grad()
        pred = bt + correction(xt)
        loss = (((pred - yt) ** 2) * mt).sum() / mt.sum()
        if rank_weight > 0:
            logp = torch.log_softmax(pred[three][:, 1:] / tau, 1)
            loss = loss + rank_weight * tau * (-(torch.softmax(yt[three][:, 1:] / tau, 1) * logp).sum(1)).mean()
        loss.backward()
        opt.step()
    return lambda v: correction(_tensor(v)).detach().numpy()


def fit(args: argparse.Namespace) -> None:
    z = np.load(args.rows)
    ftr, rtr, ttr, fva, rva, tva = (z[f"arr_{i}"] for i in range(6))
    per = (ftr.shape[1] - BASE_INPUTS) // 4
    npos = BASE_INPUTS - 4  # the prompt features follow the 4 × 7 per-candidate ones

    def report(name, cols, **kw):
        if cols:
            corr = _fit(ftr[:, cols], rtr, ttr, **kw)
            s_tr, s_va = rtr + corr(ftr[:, cols]), rva + corr(fva[:, cols])
        else:
            s_tr, s_va = rtr, rva
        cal = np.full_like(s_va, np.nan)
        for k in range(4):
            keep = ~np.isnan(ttr[:, k])
            kx, ky = knots_from_pairs(s_tr[keep, k], ttr[keep, k], 16)
            cal[:, k] = np.interp(s_va[:, k], kx, ky)
        labelled = ~np.isnan(tva)
        single = (fva[:, npos] == 1) & (fva[:, npos + 1] == 0) & (fva[:, npos + 2] == 0) & (fva[:, npos + 3] == 0)
        sc, tt = cal[single][:, 1:], tva[single][:, 1:]
        pick = sc.argmax(1)
        picked = tt[np.arange(len(tt)), pick]
        good, kept = tt >= 0.8, sc >= 0.88
        box = fva[:, npos + 2] == 1
        bs, bt = cal[box][:, 1:], tva[box][:, 1:]
        print(f"{name:26s} mse {np.mean((cal[labelled] - tva[labelled]) ** 2):.4f} | 1 click: picked {picked.mean():.3f} "
              f"(oracle {tt.max(1).mean():.3f}) top {np.mean(pick == tt.argmax(1)):.3f} "
              f"err {np.mean(np.abs(sc[np.arange(len(sc)), pick] - picked)):.3f} | good ≥ 0.88 {kept[good].mean():.3f} "
              f"precision {(tt[kept] >= 0.8).mean() if kept.any() else float('nan'):.3f} | box {bt[np.arange(len(bt)), bs.argmax(1)].mean():.3f}")

    base = list(range(BASE_INPUTS))
    report("IoU head + isotonic", [])
    report("today's rescorer", base)
    if per:
        report("+ all appearance", list(range(ftr.shape[1])))
        for j, name in enumerate(APPEARANCE[:per]):
            report(f"+ {name}", base + [BASE_INPUTS + k * per + j for k in range(4)])
    for weight in (0.5, 2.0, 8.0):
        report(f"ranking loss λ={weight}", base, rank_weight=weight)
    report("64 hidden, 3000 steps", base, hidden=64, steps=3000)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--data", required=True)
    c.add_argument("--bundle", default="models/default")
    c.add_argument("--out", required=True)
    c.add_argument("--train", type=int, default=100)
    c.add_argument("--val", type=int, default=60)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--threads", type=int, default=2)
    c.set_defaults(func=collect)
    f = sub.add_parser("fit")
    f.add_argument("rows")
    f.set_defaults(func=fit)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
