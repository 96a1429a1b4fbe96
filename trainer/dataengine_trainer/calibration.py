"""Fits the decoder's IoU scoring after training: first the mask-aware rescorer
(``model.iou_rescorer``, a small network correcting the head from the masks' own statistics), then
the calibration (``model.iou_calibration``): per mask token, an isotonic regression of the true IoU on
the rescored output. Both learn from the prompts each token answers in the product — tokens 1–3 for a
single click (at the object's centre and anywhere inside it), a box alone, and automatic-generation
grid points that fall on the background (whose masks match no object: their true IoU is the best IoU
with any annotation); token 0 for refinement clicks 2–5 (the evaluation's click protocol, previous
logits fed back)."""
from __future__ import annotations

import numpy as np
import torch

from .batches import MIN_PROMPT_AREA
from .clicks import farthest_point, next_click
from .constants import LOW_RES_SIZE, NUM_MASK_TOKENS
from .dataset import ImageRecord, load_snapshot
from .evaluate import _decode_low_res, box_prompts, click_prompts
from .model import SamModel
from .model.iou_calibration import KNOTS
from .model.iou_rescorer import INPUTS as RESCORER_INPUTS
from .model.iou_rescorer import IouRescorer
from .onnx_modules import DecoderOnnx, upscale_masks
from .preprocess import coord_scale, preprocess_image
from .progress import emit

BACKGROUND_POINTS = 6
REFINE_CLICKS = 4
# masks per image that are prompted (a random choice of them): a cluttered scene has 40+, and every
# mask costs ~9 decodes at full resolution; 16 per image keep a retrain's calibration to seconds per
# image while the pairs still cover every token and size
MAX_MASKS_PER_IMAGE = 16
# the rescorer (model/iou_rescorer.py): ~2.1k weights, fitted full-batch on every labelled pair
MIN_RESCORER_PAIRS = 2000
RESCORER_STEPS = 1500
RESCORER_LR = 3e-3
RESCORER_WEIGHT_DECAY = 1e-4


def isotonic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool-adjacent-violators: the non-decreasing step function of x closest to y (least squares).
    Returns (sorted x, fitted values)."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order].astype(np.float64)
    values: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for v in ys:
        values.append(float(v))
        weights.append(1.0)
        sizes.append(1)
        while len(values) > 1 and values[-2] > values[-1]:
            w = weights[-2] + weights[-1]
            values[-2] = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            weights[-2] = w
            sizes[-2] += sizes[-1]
            values.pop(), weights.pop(), sizes.pop()
    fitted = np.repeat(values, sizes)
    return xs, fitted


def knots_from_pairs(raw: np.ndarray, true: np.ndarray, knots: int = KNOTS) -> tuple[np.ndarray, np.ndarray]:
    """A ``knots``-point monotone piecewise-linear map raw → E[true | raw]: knots at quantiles of
    the raw predictions, values from the isotonic fit (averaged around each knot)."""
    if len(raw) < knots * 4:
        grid = np.linspace(0.0, 1.0, knots)
        return grid, grid.copy()
    xs, fit = isotonic(raw, true)
    qs = np.quantile(xs, np.linspace(0.0, 1.0, knots))
    # strictly increasing knots (ties in the raw predictions would give zero-width segments)
    for i in range(1, knots):
        if qs[i] <= qs[i - 1]:
            qs[i] = qs[i - 1] + 1e-4
    ys = np.interp(qs, xs, fit)
    ys = np.maximum.accumulate(np.clip(ys, 0.0, 1.0))
    return qs.astype(np.float32), ys.astype(np.float32)


def _ious_at(low: torch.Tensor, channels: torch.Tensor, height: int, width: int, stack: torch.Tensor,
             targets: list[list[int]]) -> tuple[np.ndarray, torch.Tensor]:
    """IoU of each row's chosen channels, binarised at the original size, with the best of its targets
    (rows of ``stack``, the image's masks flattened [m, h·w] bool). low [n, 4, 256, 256], channels
    [n, c] → (IoUs [n, c], the binarised masks [n, c, h·w]). An empty prediction of an empty target is 1."""
    n, c = channels.shape
    with torch.no_grad():
        picked = low[torch.arange(n).unsqueeze(1), channels]  # [n, c, 256, 256]
        full = (upscale_masks(picked, height, width) > 0).reshape(n, c, -1)
        area = full.sum(-1, dtype=torch.float32)  # [n, c]
        out = np.zeros((n, c), np.float32)
        for i in range(n):
            t = stack[targets[i]]  # [k, h·w]
            if len(targets[i]) == 1:
                inter = (full[i] & t).sum(-1, dtype=torch.float32).unsqueeze(1)  # [c, 1]
            else:  # intersections with every target in one product
                inter = full[i].to(torch.float32) @ t.to(torch.float32).T  # [c, k]
            union = area[i].unsqueeze(1) + t.sum(-1, dtype=torch.float32).unsqueeze(0) - inter
            iou = torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(inter))
            out[i] = iou.max(1).values.numpy()
    return out, full


def collect_rows(decoder: DecoderOnnx, emb: torch.Tensor, rec: ImageRecord, masks: list[np.ndarray],
                 rng: np.random.Generator, everything: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's decodes with the rescorer and calibration at the identity (the IoU head raw):
    ``masks`` are prompted; background points fall outside all of ``everything`` (every annotation;
    default ``masks``) and score against it. Returns, one row per decode, the rescorer's features
    [p, INPUTS], the raw predictions [p, 4] and the true IoUs [p, 4] (NaN for the tokens the product
    does not return for that prompt)."""
    n = len(masks)
    sx, sy = coord_scale(rec.height, rec.width)
    h, w = rec.height, rec.width
    everything = everything if everything is not None else masks
    # every mask once, flattened: prompted masks are rows 0..n-1, the rest of the annotations after them
    ids = {id(m): i for i, m in enumerate(masks)}
    rest = [m for m in everything if id(m) not in ids]
    stack = torch.from_numpy(np.stack([np.asarray(m, bool).reshape(-1) for m in masks + rest]))
    all_rows = list(range(n + len(rest)))  # what a background point is scored against
    own = [[i] for i in range(n)]
    with torch.no_grad():
        proj = decoder.mask_decoder.project(emb)
    feats: list[np.ndarray] = []
    raws: list[np.ndarray] = []
    trues: list[np.ndarray] = []

    def run(coords, labels, mask_input, has_mask):
        m = coords.shape[0]
        return _decode_low_res(decoder, proj.expand(m, -1, -1, -1), coords, labels, mask_input, has_mask)

    def add(low, iou, coords, labels, has_mask, chans: torch.Tensor, true: np.ndarray) -> None:
        with torch.no_grad():
            feats.append(IouRescorer.features(iou, low, coords, labels, has_mask).numpy())
        t = np.full((chans.shape[0], NUM_MASK_TOKENS), np.nan, np.float32)
        np.put_along_axis(t, chans.numpy(), true, axis=1)
        raws.append(iou.numpy().astype(np.float32))
        trues.append(t)

    none = torch.zeros(1, 1, LOW_RES_SIZE, LOW_RES_SIZE)
    # single points: each mask's centre and a uniform interior point; background grid points
    points, targets = [], []
    for i, m in enumerate(masks):
        points.append(farthest_point(m))
        ys, xs = np.nonzero(m)
        j = int(rng.integers(len(xs)))
        points += [(float(xs[j]), float(ys[j]))]
        targets += [[i], [i]]
    union = np.any(np.stack(everything), 0)
    free = np.argwhere(~union)
    for j in rng.choice(len(free), size=min(BACKGROUND_POINTS, len(free)), replace=False) if len(free) else []:
        y, x = free[j]
        points.append((float(x), float(y)))
        targets.append(all_rows)
    p = len(points)
    coords = torch.tensor([[[x * sx, y * sy], [0.0, 0.0]] for x, y in points], dtype=torch.float32)
    labels = torch.tensor([[1.0, -1.0]]).repeat(p, 1)
    low, iou = run(coords, labels, none.expand(p, -1, -1, -1), torch.zeros(p))
    chans = torch.tensor([[1, 2, 3]]).repeat(p, 1)
    add(low, iou, coords, labels, torch.zeros(p), chans, _ious_at(low, chans, h, w, stack, targets)[0])
    # a box alone
    boxes = box_prompts(masks, sx, sy)
    box_labels = torch.tensor([[2.0, 3.0]]).repeat(n, 1)
    low, iou = run(boxes, box_labels, none.expand(n, -1, -1, -1), torch.zeros(n))
    chans = torch.tensor([[1, 2, 3]]).repeat(n, 1)
    add(low, iou, boxes, box_labels, torch.zeros(n), chans, _ious_at(low, chans, h, w, stack, own)[0])
    # refinement: the evaluation's click protocol, token 0 from the second click on
    clicks = [[(*farthest_point(m), 1.0)] for m in masks]
    prev = none.expand(n, -1, -1, -1)
    has = torch.zeros(n)
    for r in range(REFINE_CLICKS + 1):
        coords, labels = click_prompts(clicks, sx, sy)
        low, iou = run(coords, labels, prev, has)
        pick = iou[:, 1:].argmax(1) + 1 if r == 0 else torch.zeros(n, dtype=torch.long)
        chans = pick.unsqueeze(1)
        true, full = _ious_at(low, chans, h, w, stack, own)
        if r > 0:
            add(low, iou, coords, labels, has, chans, true)
        prev = low[torch.arange(n), pick].unsqueeze(1)
        has = torch.ones(n)
        pred = full[:, 0].reshape(n, h, w).numpy()
        for i in range(n):
            c = next_click(pred[i], masks[i])
            clicks[i].append(c if c is not None else (0.0, 0.0, -1.0))
    return np.concatenate(feats), np.concatenate(raws), np.concatenate(trues)


def fit_rescorer(rescorer: IouRescorer, feats: np.ndarray, raw: np.ndarray, true: np.ndarray, image: np.ndarray,
                 seed: int = 0, start: dict[str, torch.Tensor] | None = None) -> dict:
    """Fits ``rescorer`` in place (least squares on every labelled token) on the rows of four images in
    five, and keeps whichever predicts the fifth (images it never saw) best: the fit, ``start`` as it
    is (a parent model's rescorer: a retrain's few images may not beat what it learned from many; the
    fit then starts from it), or the identity. feats [p, INPUTS], raw/true [p, 4] (NaN: not labelled),
    image [p] (row → image)."""
    rescorer.reset()
    labelled = ~np.isnan(true)
    images = np.unique(image)
    if labelled.sum() < MIN_RESCORER_PAIRS or len(images) < 5:
        if start is not None:
            rescorer.load_state_dict(start)
            return {"fitted": False, "kept": "start", "reason": f"{int(labelled.sum())} pairs on {len(images)} image(s): "
                    f"too few to fit (needs {MIN_RESCORER_PAIRS} on 5); the parent's rescorer is kept"}
        return {"fitted": False, "kept": "identity", "reason": f"{int(labelled.sum())} pairs on {len(images)} image(s): "
                f"too few to fit (needs {MIN_RESCORER_PAIRS} on 5)"}
    rng = np.random.default_rng(seed)
    held_images = rng.choice(images, size=max(1, len(images) // 5), replace=False)
    held = np.isin(image, held_images)
    x = torch.from_numpy(feats.astype(np.float32))
    base = torch.from_numpy(raw.astype(np.float32))
    y = torch.from_numpy(np.nan_to_num(true, nan=0.0).astype(np.float32))
    m = torch.from_numpy(labelled.astype(np.float32))
    tr, ho = torch.from_numpy(~held), torch.from_numpy(held)

    def sq_err(rows: torch.Tensor) -> torch.Tensor:
        pred = base[rows] + rescorer.correction(x[rows])
        return ((pred - y[rows]) ** 2 * m[rows]).sum() / m[rows].sum().clamp(min=1)

    def mae(rows: torch.Tensor) -> float:
        pred = base[rows] + rescorer.correction(x[rows])
        return float(((pred - y[rows]).abs() * m[rows]).sum() / m[rows].sum().clamp(min=1))

    held_out: dict[str, tuple[float, float, dict | None]] = {}  # choice → (mse, mae, state)
    with torch.no_grad():
        held_out["identity"] = (float(sq_err(ho)), mae(ho), None)
        if start is not None:
            rescorer.load_state_dict(start)
            held_out["start"] = (float(sq_err(ho)), mae(ho), {k: v.clone() for k, v in start.items()})
        else:
            rescorer.initialise(seed, mean=x[tr].mean(0), std=x[tr].std(0).clamp(min=1e-3))
    params = list(rescorer.parameters())
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=RESCORER_LR, weight_decay=RESCORER_WEIGHT_DECAY)
    try:
        with torch.enable_grad():
            for _ in range(RESCORER_STEPS):
                opt.zero_grad()
                loss = sq_err(tr)
                loss.backward()
                opt.step()
    finally:
        for p in params:
            p.requires_grad_(False)
    with torch.no_grad():
        held_out["fit"] = (float(sq_err(ho)), mae(ho), {k: v.clone() for k, v in rescorer.state_dict().items()})
    choice = min(held_out, key=lambda k: held_out[k][0])
    rescorer.reset()
    if held_out[choice][2] is not None:
        rescorer.load_state_dict(held_out[choice][2])
    summary = {"pairs": int(labelled.sum()), "held_out_images": int(len(held_images)),
               "held_out_mae_raw": held_out["identity"][1], "held_out_mse_raw": held_out["identity"][0],
               "held_out_mae_rescored": held_out[choice][1], "held_out_mse_rescored": held_out[choice][0]}
    if "start" in held_out:
        summary["held_out_mse_start"] = held_out["start"][0]
    reasons = {"identity": "no better than the head on held-out images", "start": "the parent's rescorer predicts "
               "held-out images better than a refit", "fit": "fitted"}
    return {"fitted": choice == "fit", "kept": choice, "reason": reasons[choice], **summary}


def fit_iou_calibration(model: SamModel, data: str, split: str = "train", max_images: int = 100, seed: int = 0,
                        progress: bool = True, embedding_of=None) -> dict:
    """Fits ``model.mask_decoder.iou_calibration`` in place; returns a summary (pairs per token,
    mean |raw − true| and mean |calibrated − true| on the fitting pairs). ``embedding_of(record)`` →
    [256, 64, 64] gives the images' embeddings (a fast retrain's, which the product's encoder made);
    without it the model's encoder runs on each image."""
    snap = load_snapshot(data, need_train=split == "train", need_val=split == "val")
    records = snap.val if split == "val" else snap.train
    # the last images of the split: a fine-tune on a growing project sees the newest ones least
    records = records[-max_images:] if max_images else records
    cal = model.mask_decoder.iou_calibration
    rescorer = model.mask_decoder.iou_rescorer
    # a fitted rescorer (the parent's, for a retrain) is where the new fit starts, and a candidate
    start = None if rescorer.is_identity else {k: v.clone() for k, v in rescorer.state_dict().items()}
    cal.reset()
    rescorer.reset()  # the decodes below must give the head's raw scores
    model.eval()
    decoder = DecoderOnnx(model)
    rng = np.random.default_rng(seed)
    feats, raws, trues, image = [], [], [], []
    for n, rec in enumerate(records):
        everything = [a.mask() for a in rec.annotations if a.area >= MIN_PROMPT_AREA]
        if not everything:
            continue
        masks = everything
        if len(everything) > MAX_MASKS_PER_IMAGE:
            masks = [everything[i] for i in sorted(rng.choice(len(everything), MAX_MASKS_PER_IMAGE, replace=False))]
        with torch.no_grad():
            if embedding_of is not None:
                emb = torch.as_tensor(embedding_of(rec)).unsqueeze(0)
            else:
                emb = model.embed(preprocess_image(rec.load_rgb()))
        f, r, t = collect_rows(decoder, emb, rec, masks, rng, everything)
        feats.append(f)
        raws.append(r)
        trues.append(t)
        image.append(np.full(len(f), n))
        if progress and ((n + 1) % 20 == 0 or n + 1 == len(records)):
            emit("calibrate_progress", images=n + 1, total=len(records))
    if feats:
        f, r, t, img = np.concatenate(feats), np.concatenate(raws), np.concatenate(trues), np.concatenate(image)
    else:
        f, r, t, img = (np.zeros((0, RESCORER_INPUTS), np.float32), np.zeros((0, NUM_MASK_TOKENS), np.float32),
                        np.zeros((0, NUM_MASK_TOKENS), np.float32), np.zeros(0, int))
    rescoring = fit_rescorer(rescorer, f, r, t, img, seed, start)
    scored = r
    if not rescorer.is_identity:
        with torch.no_grad():
            scored = r + rescorer.correction(torch.from_numpy(f.astype(np.float32))).numpy()
    xs, ys, summary = [], [], {}
    for k in range(NUM_MASK_TOKENS):
        keep = ~np.isnan(t[:, k])
        raw_k, s_k, t_k = r[keep, k], scored[keep, k], t[keep, k]
        x, y = knots_from_pairs(s_k, t_k, cal.x.shape[1])
        xs.append(torch.from_numpy(np.asarray(x, np.float32)))
        ys.append(torch.from_numpy(np.asarray(y, np.float32)))
        calibrated = np.interp(s_k, x, y) if len(s_k) else s_k
        summary[f"token{k}"] = {"pairs": int(len(t_k)),
                                "mae_raw": float(np.abs(raw_k - t_k).mean()) if len(t_k) else None,
                                "mae_calibrated": float(np.abs(calibrated - t_k).mean()) if len(t_k) else None}
    cal.set(torch.stack(xs), torch.stack(ys))
    return {"images": len(records), "split": split, "tokens": summary, "rescorer": rescoring}
