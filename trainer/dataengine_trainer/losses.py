"""Losses (SAM-SPEC.md §6.2): focal : dice = 20 : 1 on the best of the ambiguity masks, MSE on the
IoU head; CenterNet-style focal + box losses for the detector head."""
from __future__ import annotations

import torch
import torch.nn.functional as F

FOCAL_WEIGHT = 20.0
DICE_WEIGHT = 1.0
# SAM weighs the IoU head's MSE 1 : 20 focal. Here the head ranked the three 1-click candidates
# right only 58 % of the time and was off by 0.20 on average; a heavier MSE trains it harder.
IOU_WEIGHT = 5.0
# Stability margin (SAM-SPEC.md §3.3: the stability score compares the masks at logit thresholds
# +1 and −1): the mask loss is taken on logits shifted by −MARGIN·(2t − 1), so a pixel counts as
# right only once it is well past 0 on its side. The mask (logits > 0) keeps its meaning; the band
# between −1 and +1 around the boundary gets thin, which is what the stability score measures.
# The logits are formed at 128² and upscaled bilinearly about 8× to the image, so a band of under
# a pixel there needs the low-res logits to reach several units within a cell of the boundary:
# with a margin of 1 good masks had a median stability of 0.89 (SAM's filter is 0.95).
STABILITY_MARGIN = 4.0
# α weights positive pixels (negatives get 1 − α). The detection default 0.25 left small models
# trained from scratch stuck predicting all-background for hundreds of steps here; 0.75 escaped in
# tens of steps on the same batch (see trainer/README.md).
FOCAL_ALPHA = 0.75


def focal_loss(logits: torch.Tensor, target: torch.Tensor, alpha: float = FOCAL_ALPHA, gamma: float = 2.0) -> torch.Tensor:
    """Per-mask sigmoid focal loss, mean over pixels: [..., H, W] → [...]."""
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return loss.flatten(-2).mean(-1)


def dice_loss(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    p = torch.sigmoid(logits).flatten(-2)
    t = target.flatten(-2)
    return 1 - (2 * (p * t).sum(-1) + eps) / (p.sum(-1) + t.sum(-1) + eps)


def mask_iou(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """IoU of (logits > 0) with (target > 0.5): [..., H, W] → [...]; empty∪empty counts as 1."""
    p = (logits > 0).flatten(-2)
    t = (target > 0.5).flatten(-2)
    inter = (p & t).sum(-1).float()
    union = (p | t).sum(-1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))


def per_mask_loss(logits: torch.Tensor, target: torch.Tensor, margin: float = STABILITY_MARGIN) -> torch.Tensor:
    """focal·20 + dice·1 per mask on the margin-shifted logits: [..., H, W] → [...]."""
    shifted = logits - margin * (2 * target - 1)
    return FOCAL_WEIGHT * focal_loss(shifted, target) + DICE_WEIGHT * dice_loss(shifted, target)


def sam_mask_loss(low_res: torch.Tensor, iou_pred: torch.Tensor, target: torch.Tensor,
                  multimask: torch.Tensor, margin: float = STABILITY_MARGIN) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """low_res [B, 4, h, w] logits, iou_pred [B, 4], target [B, h, w] in [0, 1], multimask [B] bool
    (single-point prompt → only the lowest-loss of tokens 1..3 is back-propagated; otherwise token 0).
    The IoU head regresses the true IoU of every token (MSE).
    Returns (loss scalar, chosen token index [B], IoU of the chosen mask [B])."""
    b = low_res.shape[0]
    t = target.unsqueeze(1).expand_as(low_res)
    with torch.no_grad():  # pick the token first, then back-propagate only through it
        per = per_mask_loss(low_res[:, 1:], t[:, 1:], margin)
        best = per.argmin(1) + 1
        chosen = torch.where(multimask, best, torch.zeros_like(best))
        iou_true = mask_iou(low_res, t)
    rows = torch.arange(b, device=low_res.device)
    mask_loss = per_mask_loss(low_res[rows, chosen], target, margin)
    iou_loss = F.mse_loss(iou_pred, iou_true, reduction="none").mean(1)
    loss = (mask_loss + IOU_WEIGHT * iou_loss).mean()
    return loss, chosen, iou_true[rows, chosen]


def detector_loss(obj_logits: torch.Tensor, dist: torch.Tensor, heat: torch.Tensor,
                  centre: torch.Tensor, target_dist: torch.Tensor) -> torch.Tensor:
    """obj_logits [B,1,S,S], dist [B,4,S,S] (px), heat [B,1,S,S] Gaussian targets (1 at centres),
    centre [B,1,S,S] bool, target_dist [B,4,S,S] (px, valid at centres)."""
    p = torch.sigmoid(obj_logits).clamp(1e-4, 1 - 1e-4)
    pos = centre.float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p ** 2 * (1 - heat) ** 4 * (1 - pos)
    n = pos.sum().clamp(min=1)
    heat_loss = (pos_loss.sum() + neg_loss.sum()) / n
    if pos.sum() == 0:
        return heat_loss
    m = centre.expand_as(dist).permute(1, 0, 2, 3)
    pd = dist.permute(1, 0, 2, 3)[m].view(4, -1)  # ltrb × K
    td = target_dist.permute(1, 0, 2, 3)[m].view(4, -1)
    l1 = (pd - td).abs().sum(0) / 256.0
    inter_w = torch.min(pd[0], td[0]) + torch.min(pd[2], td[2])
    inter_h = torch.min(pd[1], td[1]) + torch.min(pd[3], td[3])
    inter = inter_w.clamp(min=0) * inter_h.clamp(min=0)
    area_p = (pd[0] + pd[2]) * (pd[1] + pd[3])
    area_t = (td[0] + td[2]) * (td[1] + td[3])
    union = area_p + area_t - inter
    encl = (torch.max(pd[0], td[0]) + torch.max(pd[2], td[2])) * (torch.max(pd[1], td[1]) + torch.max(pd[3], td[3]))
    giou = inter / union.clamp(min=1e-6) - (encl - union) / encl.clamp(min=1e-6)
    return heat_loss + (l1 + (1 - giou)).mean()


AFFINITY_OFFSETS = [(0, 1), (1, 0), (1, 1), (1, -1), (0, 2), (2, 0), (0, 4), (4, 0), (0, 8), (8, 0), (0, 16), (16, 0)]


def affinity_loss(features: torch.Tensor, ids: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Grouping loss on the embedding grid: features [B, D, g, g] (unit vectors), ids [B, g, g]
    region labels; for cell pairs at AFFINITY_OFFSETS, BCE of ``scale · (cos − ½)`` against "same region"
    (orthogonal vectors are "different"), positives and negatives averaged separately (balanced)."""
    g = ids.shape[-1]
    pos_sum = neg_sum = features.new_zeros(())
    pos_n = neg_n = features.new_zeros(())
    for dy, dx in AFFINITY_OFFSETS:
        if dy >= g or abs(dx) >= g:
            continue
        ya, yb = slice(0, g - dy), slice(dy, g)
        xa, xb = (slice(0, g - dx), slice(dx, g)) if dx >= 0 else (slice(-dx, g), slice(0, g + dx))
        cos = (features[:, :, ya, xa] * features[:, :, yb, xb]).sum(1)
        same = (ids[:, ya, xa] == ids[:, yb, xb]).float()
        bce = F.binary_cross_entropy_with_logits(scale * (cos - 0.5), same, reduction="none")
        pos_sum, pos_n = pos_sum + (bce * same).sum(), pos_n + same.sum()
        neg_sum, neg_n = neg_sum + (bce * (1 - same)).sum(), neg_n + (1 - same).sum()
    return 0.5 * (pos_sum / pos_n.clamp(min=1) + neg_sum / neg_n.clamp(min=1))
