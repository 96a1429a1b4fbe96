"""Box-detector head on the image embedding (class-agnostic "object", CenterNet-style).

Outputs on the 64×64 grid: objectness logits [B, 1, 64, 64] and box distances (left, top, right,
bottom) in pixels of the padded 1024 frame [B, 4, 64, 64], measured from each cell centre
((j + 0.5) · 16, (i + 0.5) · 16). The ONNX export decodes them to scores and XYXY boxes
(see trainer/README.md "Detector contract")."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..constants import EMBED_DIM, EMBED_SIZE, IMAGE_SIZE

STRIDE = IMAGE_SIZE // EMBED_SIZE


class DetectorHead(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.proj = nn.Sequential(nn.Conv2d(EMBED_DIM, dim, 1), nn.GELU())
        self.body = nn.Sequential(
            nn.Conv2d(dim, dim, 5, padding=2, groups=dim), nn.Conv2d(dim, dim, 1), nn.GELU(),
            nn.Conv2d(dim, dim, 5, padding=4, dilation=2, groups=dim), nn.Conv2d(dim, dim, 1), nn.GELU(),
        )
        self.obj = nn.Conv2d(dim, 1, 1)
        self.box = nn.Conv2d(dim, 4, 1)
        nn.init.constant_(self.obj.bias, -4.0)

    def forward(self, emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.body(self.proj(emb))
        dist = F.softplus(self.box(x)) * STRIDE * 4
        return self.obj(x), dist


def cell_centres(size: int = EMBED_SIZE) -> tuple[torch.Tensor, torch.Tensor]:
    c = (torch.arange(size, dtype=torch.float32) + 0.5) * STRIDE
    return c.view(1, size).expand(size, size), c.view(size, 1).expand(size, size)  # cx, cy


def decode_boxes(dist: torch.Tensor) -> torch.Tensor:
    """[B, 4, 64, 64] ltrb distances → [B, 4, 64, 64] XYXY boxes in the 1024 frame."""
    cx, cy = cell_centres(dist.shape[-1])
    cx, cy = cx.to(dist), cy.to(dist)
    return torch.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], dim=1)
