"""Mask-aware IoU rescoring, inside the decoder graph: the IoU head sees only its token, never the masks
it scores, and ranked a single click's three candidates right barely more often than always taking the
smallest. This small network adds to the head's four outputs a correction computed from what the masks
themselves show, per token: the head's own score, the stability score (SAM-SPEC.md §3.3, on the low-res
logits), the area, the mean positive logit, the logit under the positive clicks and how far those clicks
lie from the mask's centroid (relative to its size: a click at the centre of a candidate is a click on
that candidate), the IoU of its bounding box with a box prompt, plus the prompt's make-up (positive and negative clicks, a box, a mask input).

Fitted after training with the calibration (``calibration.fit_iou_calibration``), on the true IoUs of
every candidate; the identity (zero correction) until then, for bundles made before it existed and
after a retrain changes the head (``reset``). Everything is plain ONNX arithmetic on the [B, 4, 256, 256]
low-res logits: a few reductions, no gathers."""
from __future__ import annotations

import torch
from torch import nn

from ..constants import IMAGE_SIZE, NUM_MASK_TOKENS

TOKEN_FEATURES = 7
PROMPT_FEATURES = 4
INPUTS = NUM_MASK_TOKENS * TOKEN_FEATURES + PROMPT_FEATURES
HIDDEN = 32
LOGIT_SCALE = 10.0  # logits are divided by this (and clipped to ±2 after it): features near unit scale
MAX_CENTROID_DISTANCE = 4.0  # in square roots of the mask's area
SAMPLE_STRIDE = 2


class IouRescorer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(INPUTS))
        self.register_buffer("std", torch.ones(INPUTS))
        # a 3-layer MLP, its weights held here (not in child modules) so that a checkpoint without any
        # of them loads as the identity (``_load_from_state_dict``)
        self.w1 = nn.Parameter(torch.empty(HIDDEN, INPUTS))
        self.b1 = nn.Parameter(torch.empty(HIDDEN))
        self.w2 = nn.Parameter(torch.empty(HIDDEN, HIDDEN))
        self.b2 = nn.Parameter(torch.empty(HIDDEN))
        self.w3 = nn.Parameter(torch.empty(NUM_MASK_TOKENS, HIDDEN))
        self.b3 = nn.Parameter(torch.empty(NUM_MASK_TOKENS))
        self.initialise(seed=0)
        # fitted on its own after training (calibration.fit_rescorer), never by the training steps
        self.requires_grad_(False)

    def initialise(self, seed: int, mean: torch.Tensor | None = None, std: torch.Tensor | None = None) -> None:
        """A fresh start for a fit: the input standardisation (``mean``/``std`` of the features; 0/1
        when not given), seeded random hidden layers and the zero last layer (the identity)."""
        gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            self.mean.copy_(mean if mean is not None else torch.zeros(INPUTS))
            self.std.copy_(std if std is not None else torch.ones(INPUTS))
            for w in (self.w1, self.w2):
                w.copy_(torch.randn(w.shape, generator=gen) / w.shape[1] ** 0.5)
            for p in (self.b1, self.b2, self.w3, self.b3):
                p.zero_()

    def reset(self) -> None:
        """Back to the identity: a zero last layer (training changes the head; a fit must follow)."""
        with torch.no_grad():
            self.w3.zero_()
            self.b3.zero_()

    @property
    def is_identity(self) -> bool:
        return not bool(self.w3.any()) and not bool(self.b3.any())

    @staticmethod
    def features(iou: torch.Tensor, masks: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor,
                 has_mask: torch.Tensor) -> torch.Tensor:
        """iou [B, 4] (the head's raw scores), masks [B, 4, h, w] low-res logits of the full 1024 frame,
        coords [B, N, 2] (1024-frame px), labels [B, N] (SAM's: 1 positive, 0 negative, 2/3 box corners,
        −1 padding), has_mask [B] → [B, INPUTS]. The statistics read every second row and column of
        the masks (a quarter of the work per click; areas and positions stay in low-res pixels)."""
        b, k, full_h, full_w = masks.shape
        masks = masks[:, :, ::SAMPLE_STRIDE, ::SAMPLE_STRIDE]
        h, w = masks.shape[-2:]
        fg = (masks > 0).to(masks.dtype)
        rows_fg, cols_fg = fg.sum(3), fg.sum(2)  # [B, 4, h], [B, 4, w]
        count = rows_fg.sum(-1)
        count1 = count.clamp(min=1.0)
        stability = (masks > 1).to(masks.dtype).sum((2, 3)) / (masks > -1).to(masks.dtype).sum((2, 3)).clamp(min=1.0)
        mean_pos = (torch.relu(masks).sum((2, 3)) / count1 / LOGIT_SCALE).clamp(max=2.0)
        positive = (labels == 1).to(masks.dtype)  # [B, N]
        npos = positive.sum(1)
        npos1 = npos.clamp(min=1.0)
        px = coords[..., 0] * (full_w / IMAGE_SIZE)  # low-res pixels
        py = coords[..., 1] * (full_h / IMAGE_SIZE)
        cols = torch.arange(w, dtype=masks.dtype, device=masks.device)
        rows = torch.arange(h, dtype=masks.dtype, device=masks.device)
        # the sample whose 2×2 block holds the click
        onehot_x = (cols == torch.floor(px / SAMPLE_STRIDE).clamp(0, w - 1).unsqueeze(-1)).to(masks.dtype)  # [B, N, w]
        onehot_y = (rows == torch.floor(py / SAMPLE_STRIDE).clamp(0, h - 1).unsqueeze(-1)).to(masks.dtype)  # [B, N, h]
        under = (torch.matmul(onehot_y.unsqueeze(1), masks) * onehot_x.unsqueeze(1)).sum(-1)  # [B, 4, N]
        click_logit = ((under / LOGIT_SCALE).clamp(-2.0, 2.0) * positive.unsqueeze(1)).sum(-1) / npos1.unsqueeze(1)
        # the centroid of each mask, and the mean of the positive clicks, in low-res pixels (sample centres)
        cx = (cols_fg * (cols * SAMPLE_STRIDE + 0.5)).sum(-1) / count1
        cy = (rows_fg * (rows * SAMPLE_STRIDE + 0.5)).sum(-1) / count1
        mx = ((px * positive).sum(1) / npos1).unsqueeze(1)
        my = ((py * positive).sum(1) / npos1).unsqueeze(1)
        area = count1 * SAMPLE_STRIDE ** 2
        dist = torch.sqrt((cx - mx) ** 2 + (cy - my) ** 2 + 1e-6) / torch.sqrt(area)
        dist = dist.clamp(max=MAX_CENTROID_DISTANCE) * (npos > 0).to(masks.dtype).unsqueeze(1)
        area = count / (h * w)
        # a box prompt (corners labelled 2 and 3): IoU of each mask's bounding box with it
        has_box = (labels == 2).to(masks.dtype).amax(1)  # [B]
        tl, br = (labels == 2).to(masks.dtype), (labels == 3).to(masks.dtype)
        bx0 = (px * tl).sum(1) / tl.sum(1).clamp(min=1.0)
        by0 = (py * tl).sum(1) / tl.sum(1).clamp(min=1.0)
        bx1 = (px * br).sum(1) / br.sum(1).clamp(min=1.0)
        by1 = (py * br).sum(1) / br.sum(1).clamp(min=1.0)
        # (float32 constants: a Python float in torch.where exports as a double)
        far = masks.new_tensor(float(SAMPLE_STRIDE * (max(h, w) + 1)))
        zero = masks.new_tensor(0.0)
        x0 = torch.where(cols_fg > 0, cols * SAMPLE_STRIDE, far).amin(-1)  # [B, 4]; far for an empty mask
        x1 = torch.where(cols_fg > 0, cols * SAMPLE_STRIDE + SAMPLE_STRIDE, zero).amax(-1)
        y0 = torch.where(rows_fg > 0, rows * SAMPLE_STRIDE, far).amin(-1)
        y1 = torch.where(rows_fg > 0, rows * SAMPLE_STRIDE + SAMPLE_STRIDE, zero).amax(-1)
        iw = (torch.minimum(x1, bx1.unsqueeze(1)) - torch.maximum(x0, bx0.unsqueeze(1))).clamp(min=0.0)
        ih = (torch.minimum(y1, by1.unsqueeze(1)) - torch.maximum(y0, by0.unsqueeze(1))).clamp(min=0.0)
        inter = iw * ih
        union = (x1 - x0).clamp(min=0.0) * (y1 - y0).clamp(min=0.0) + ((bx1 - bx0) * (by1 - by0)).unsqueeze(1) - inter
        box_iou = inter / union.clamp(min=1e-6) * has_box.unsqueeze(1)
        per_token = torch.stack([iou, stability, area, mean_pos, click_logit, dist, box_iou], -1)  # [B, 4, 6]
        prompt = torch.stack([npos.clamp(max=8.0), (labels == 0).to(masks.dtype).sum(1).clamp(max=8.0),
                              has_box,
                              has_mask.to(masks.dtype).reshape(-1) + 0.0 * npos], -1)  # [1] or [B] → [B]
        return torch.cat([per_token.reshape(b, k * TOKEN_FEATURES), prompt], -1)

    def correction(self, features: torch.Tensor) -> torch.Tensor:
        x = (features - self.mean) / self.std
        x = torch.relu(x @ self.w1.T + self.b1)
        x = torch.relu(x @ self.w2.T + self.b2)
        return x @ self.w3.T + self.b3

    def forward(self, iou: torch.Tensor, masks: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor,
                has_mask: torch.Tensor) -> torch.Tensor:
        """iou [B, 4] raw → [B, 4] rescored (the raw scores while the rescorer is the identity)."""
        if self.is_identity:
            return iou
        return iou + self.correction(self.features(iou, masks, coords, labels, has_mask))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        # checkpoints made before the rescorer existed have none: keep the identity
        if not any(k.startswith(prefix) for k in state_dict):
            return
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
