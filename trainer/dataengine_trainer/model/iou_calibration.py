"""A monotone piecewise-linear map per mask token, applied to the IoU head's output inside the
decoder graph, so that ``iou_predictions`` estimate the true IoU (SAM's ``pred_iou_thresh`` 0.88
then means what it means for SAM). Fitted after training (``calibration.fit_iou_calibration``);
identity until then, and for bundles made before it existed."""
from __future__ import annotations

import torch
from torch import nn

from ..constants import NUM_MASK_TOKENS

KNOTS = 16


class IouCalibration(nn.Module):
    """Buffers ``x`` (increasing knots of the raw prediction) and ``y`` (non-decreasing calibrated
    values), one row per mask token. Between knots the map is linear; outside them it is flat.
    Written as ``y₀ + Σ slopeⱼ · min(relu(p − xⱼ), xⱼ₊₁ − xⱼ)`` so it exports as plain ONNX ops."""

    def __init__(self, knots: int = KNOTS) -> None:
        super().__init__()
        grid = torch.linspace(0.0, 1.0, knots).repeat(NUM_MASK_TOKENS, 1)
        self.register_buffer("x", grid.clone())
        self.register_buffer("y", grid.clone())

    def reset(self) -> None:
        """Back to the identity on [0, 1] (training changes the head; a fit must follow)."""
        grid = torch.linspace(0.0, 1.0, self.x.shape[1], device=self.x.device).repeat(NUM_MASK_TOKENS, 1)
        self.x.copy_(grid)
        self.y.copy_(grid)

    @property
    def is_identity(self) -> bool:
        return bool(torch.equal(self.x, self.y))

    def set(self, x: torch.Tensor, y: torch.Tensor) -> None:
        if x.shape != self.x.shape or y.shape != self.y.shape:
            raise ValueError(f"calibration knots must be {tuple(self.x.shape)}, got {tuple(x.shape)} / {tuple(y.shape)}")
        if not bool((x[:, 1:] > x[:, :-1]).all()) or not bool((y[:, 1:] >= y[:, :-1]).all()):
            raise ValueError("calibration knots must be increasing in x and non-decreasing in y")
        self.x.copy_(x)
        self.y.copy_(y)

    def forward(self, iou: torch.Tensor) -> torch.Tensor:
        """iou [B, 4] raw head output → [B, 4] calibrated (unchanged while the map is the identity:
        training regresses the raw head, whose outputs may leave [0, 1])."""
        if self.is_identity:
            return iou
        widths = self.x[:, 1:] - self.x[:, :-1]  # [4, K-1]
        slopes = (self.y[:, 1:] - self.y[:, :-1]) / widths
        d = torch.minimum(torch.relu(iou.unsqueeze(-1) - self.x[:, :-1]), widths)  # [B, 4, K-1]
        return self.y[:, 0] + (d * slopes).sum(-1)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        # checkpoints made before calibration existed have no knots: keep the identity
        if prefix + "x" not in state_dict and prefix + "y" not in state_dict:
            return
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
