"""Simulated interactive prompting for training (SAM-SPEC.md §6.2), batched over prompts, on the
low-res grid (1 low-res pixel = 4 px of the 1024 frame). Training may run on a crop of the 1024
frame: ``offset`` [P, 2] is each prompt's crop origin (x0, y0) in frame pixels; prompt coordinates
are always in the full 1024 frame, as at inference.

Token layout per row (always k + 2 tokens after k added clicks, so rows batch without ragging):
point-initial rows ``[p0, c1..ck, pad]``, box-initial rows ``[c1..ck, tl, br]`` — i.e. clicks
first, then the box corners, and the (0,0)/-1 padding point only when there is no box (§1.2).

Everything runs on the tensors' device; ``gen`` must be a generator of that same device (a CPU
generator for CPU training, ``torch.Generator(device="cuda")`` on a GPU)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .constants import IMAGE_SIZE, LOW_RES_SIZE

SCALE = IMAGE_SIZE / LOW_RES_SIZE
BOX_NOISE_FRACTION = 0.1  # σ = 10 % of the box side ...
BOX_NOISE_MAX_PX = 20.0  # ... capped at 20 px (SAM paper §A)


def _sample_pixels(weights: torch.Tensor, offset: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """weights [P, h, w] ≥ 0 (rows may be all zero → uniform) → (x, y) [P, 2] in the 1024 frame,
    uniformly jittered inside the low-res cell."""
    p, _, w = weights.shape
    wts = weights.flatten(1).float()
    wts = torch.where(wts.sum(1, keepdim=True) > 0, wts, torch.ones_like(wts))
    idx = torch.multinomial(wts, 1, generator=gen).squeeze(1)
    ys, xs = (idx // w).float(), (idx % w).float()
    jitter = torch.rand(p, 2, generator=gen, device=wts.device)
    return torch.stack([(xs + jitter[:, 0]) * SCALE, (ys + jitter[:, 1]) * SCALE], dim=1) + offset


DEPTH_STEPS = 8  # low-res cells (32 px of the 1024 frame): deeper than this counts as the middle


def region_depth(region: torch.Tensor, steps: int = DEPTH_STEPS) -> torch.Tensor:
    """How deep each pixel of the boolean regions [P, h, w] lies: the number of 3×3 erosions it
    survives, 1..``steps`` inside, 0 outside (the crop's edge erodes nothing: a region cut by it goes on)."""
    cur = region.float().unsqueeze(1)
    depth = torch.zeros_like(cur)
    for _ in range(steps):
        depth += cur
        cur = -F.max_pool2d(-cur, 3, 1, 1)
    return depth.squeeze(1)


def _interior_weights(weights: torch.Tensor, interior: float, gen: torch.Generator) -> torch.Tensor:
    """Sampling weights [P, h, w]: with chance ``interior`` per row the squared depth of the row's
    region (weights > 0; a click near its middle, where annotators click and the evaluation protocol
    clicks), else ``weights`` as given. At 0 nothing is drawn from ``gen``."""
    if interior <= 0:
        return weights
    deep = torch.rand(weights.shape[0], generator=gen, device=weights.device) < interior
    return torch.where(deep.view(-1, 1, 1), region_depth(weights > 0) ** 2, weights.float())


def mask_boxes(gt: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
    """Tight XYXY boxes (exclusive, 1024 frame) of the low-res masks gt [P, h, w] (> 0.5, else > 0)."""
    p, h, w = gt.shape
    fg = gt > 0.5
    fg = torch.where(fg.flatten(1).any(1).view(p, 1, 1), fg, gt > 0)
    cols, rows = fg.any(1), fg.any(2)  # [P, w], [P, h]
    ar_w, ar_h = torch.arange(w, device=gt.device).expand(p, w), torch.arange(h, device=gt.device).expand(p, h)
    x0 = torch.where(cols, ar_w, w).min(1).values
    x1 = torch.where(cols, ar_w, -1).max(1).values + 1
    y0 = torch.where(rows, ar_h, h).min(1).values
    y1 = torch.where(rows, ar_h, -1).max(1).values + 1
    box = torch.stack([x0, y0, x1, y1], 1).float().clamp(min=0) * SCALE
    return box + offset.repeat(1, 2)


def initial_prompts(gt: torch.Tensor, boxes: torch.Tensor, use_box: torch.Tensor, offset: torch.Tensor,
                    gen: torch.Generator, interior: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """gt [P, h, w] soft masks, boxes [P, 4] XYXY (1024 frame), use_box [P] bool
    → coords [P, 2, 2], labels [P, 2]: a point inside the mask (uniformly, or with chance ``interior``
    near its middle) + padding, or a noisy box."""
    p = gt.shape[0]
    fg = (gt > 0.5).float()
    fg = torch.where(fg.flatten(1).sum(1).view(p, 1, 1) > 0, fg, gt)
    pt = _sample_pixels(_interior_weights(fg, interior, gen), offset, gen)
    pad = gt.new_zeros(p, 2)
    point_coords = torch.stack([pt, pad], 1)
    point_labels = gt.new_tensor([1.0, -1.0]).expand(p, 2)
    w = (boxes[:, 2] - boxes[:, 0]).clamp(min=1)
    h = (boxes[:, 3] - boxes[:, 1]).clamp(min=1)
    sigma = torch.stack([w, h, w, h], 1) * BOX_NOISE_FRACTION
    noise = (torch.randn(p, 4, generator=gen, device=gt.device) * sigma).clamp(-BOX_NOISE_MAX_PX, BOX_NOISE_MAX_PX)
    nb = (boxes + noise).clamp(0, IMAGE_SIZE - 1)
    x0, x1 = torch.minimum(nb[:, 0], nb[:, 2]), torch.maximum(nb[:, 0], nb[:, 2])
    y0, y1 = torch.minimum(nb[:, 1], nb[:, 3]), torch.maximum(nb[:, 1], nb[:, 3])
    box_coords = torch.stack([torch.stack([x0, y0], 1), torch.stack([x1, y1], 1)], 1)
    box_labels = gt.new_tensor([2.0, 3.0]).expand(p, 2)
    ub = use_box.view(p, 1)
    return torch.where(ub.unsqueeze(2), box_coords, point_coords), torch.where(ub, box_labels, point_labels)


def error_clicks(pred_logits: torch.Tensor, gt: torch.Tensor, offset: torch.Tensor,
                 gen: torch.Generator, interior: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """A click sampled from each row's error region (uniformly, or with chance ``interior`` near the
    middle of its thick parts): positive on a false negative, negative on a false positive. Rows
    without error get a positive click inside the mask.
    pred_logits, gt [P, h, w] → coords [P, 2] (1024 frame), labels [P]."""
    _, h, w = gt.shape
    target = gt > 0.5
    err = (pred_logits > 0) != target
    has_err = err.flatten(1).any(1).view(-1, 1, 1)
    weights = torch.where(has_err, err, target)
    xy = _sample_pixels(_interior_weights(weights, interior, gen), offset, gen)
    local = xy - offset
    ix = (local[:, 0] / SCALE).long().clamp(0, w - 1)
    iy = (local[:, 1] / SCALE).long().clamp(0, h - 1)
    labels = target[torch.arange(gt.shape[0], device=gt.device), iy, ix].float()
    return xy, labels


def add_click(coords: torch.Tensor, labels: torch.Tensor, use_box: torch.Tensor,
              click: torch.Tensor, click_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Inserts a click before the tail: before the pad (point rows) or before the box corners."""
    c, lab = click.unsqueeze(1), click_label.unsqueeze(1)
    as_point = (torch.cat([coords[:, :-1], c, coords[:, -1:]], 1), torch.cat([labels[:, :-1], lab, labels[:, -1:]], 1))
    as_box = (torch.cat([coords[:, :-2], c, coords[:, -2:]], 1), torch.cat([labels[:, :-2], lab, labels[:, -2:]], 1))
    ub = use_box.view(-1, 1)
    return torch.where(ub.unsqueeze(2), as_box[0], as_point[0]), torch.where(ub, as_box[1], as_point[1])
