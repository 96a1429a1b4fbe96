"""Prompt encoder (SAM-SPEC.md §1.2, §6.2): random Fourier point encoding, learned point-type
embeddings (neg, pos, box top-left, box bottom-right), not-a-point, mask downscaling, no-mask."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..constants import EMBED_SIZE, IMAGE_SIZE
from .common import DownConv2x, LayerNorm2d


class PositionEmbeddingRandom(nn.Module):
    def __init__(self, num_feats: int) -> None:
        super().__init__()
        self.register_buffer("gaussian", torch.randn(2, num_feats))

    def encode(self, coords01: torch.Tensor) -> torch.Tensor:
        """coords in [0, 1] (..., 2) → (..., 2 * num_feats) as [sin, cos]."""
        c = (2 * coords01 - 1) @ self.gaussian
        c = 2 * math.pi * c
        return torch.cat([torch.sin(c), torch.cos(c)], dim=-1)

    def dense(self, size: int) -> torch.Tensor:
        """Positional encoding of a size×size grid of cell centres → [C, size, size]."""
        ys = (torch.arange(size, dtype=torch.float32, device=self.gaussian.device) + 0.5) / size
        grid = torch.stack(torch.meshgrid(ys, ys, indexing="ij")[::-1], dim=-1)  # (x, y)
        return self.encode(grid).permute(2, 0, 1)


CLICK_SIGMA_PX = 16.0  # Gaussian radius of a click in the dense click maps (1024-frame px)


class PromptEncoder(nn.Module):
    """``click_maps``: besides SAM's sparse tokens, render the clicks (positive, negative) and the box
    as dense 64×64 maps and add a 1×1-conv embedding of them to the dense prompt embedding. This
    extension gives a small model a direct spatial prompt signal (as RITM-style interactive models
    do); it lives inside the graph, so the ONNX I/O contract is unchanged."""

    def __init__(self, dim: int, click_maps: bool = False, grid: int = EMBED_SIZE) -> None:
        super().__init__()
        self.dim = dim
        self.click_maps = click_maps
        self.grid = grid  # side of the decoder's token grid over the 1024 frame: 64, or 32
        if click_maps:
            self.click_embed = nn.Sequential(nn.Conv2d(3, dim, 3, padding=1), nn.GELU(), nn.Conv2d(dim, dim, 1))
        self.pe = PositionEmbeddingRandom(dim // 2)
        self.point_embeddings = nn.Parameter(torch.randn(4, dim) * 0.02)  # labels 0, 1, 2, 3
        self.not_a_point = nn.Parameter(torch.randn(dim) * 0.02)
        self.no_mask = nn.Parameter(torch.randn(dim) * 0.02)
        # 256² → the token grid: SAM's two 2× downscalings (4, 16 channels), a third for the 32² grid
        self.mask_downscaling = nn.Sequential(
            DownConv2x(1, 4), LayerNorm2d(4), nn.GELU(),
            DownConv2x(4, 16), LayerNorm2d(16), nn.GELU(),
            DownConv2x(16, dim) if grid == EMBED_SIZE // 2 else nn.Conv2d(16, dim, 1),
        )

    def dense_pe(self) -> torch.Tensor:
        return self.pe.dense(self.grid).unsqueeze(0)

    def embed_points(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """coords [B, N, 2] pixels in the 1024 frame, labels [B, N] float in {-1,0,1,2,3} → [B, N, dim].

        Written with arithmetic masks (no boolean indexing) so it traces to the same ONNX graph."""
        coords = (coords + 0.5) / IMAGE_SIZE
        emb = self.pe.encode(coords)
        labels = labels.unsqueeze(-1)
        is_pad = (labels == -1).to(emb.dtype)
        emb = emb * (1 - is_pad) + self.not_a_point * is_pad
        for i in range(4):
            emb = emb + self.point_embeddings[i] * (labels == i).to(emb.dtype)
        return emb

    def render_clicks(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """coords [B, N, 2] (1024 frame px), labels [B, N] → [B, 3, g, g] on the token grid: max Gaussian
        of the positive clicks, of the negative clicks, and the box (labels 2/3) as a filled rectangle."""
        centres = (torch.arange(self.grid, dtype=torch.float32, device=coords.device) + 0.5) * (IMAGE_SIZE / self.grid)
        gx = torch.exp(-((coords[..., 0:1] - centres) ** 2) / (2 * CLICK_SIGMA_PX ** 2))  # [B, N, S]
        gy = torch.exp(-((coords[..., 1:2] - centres) ** 2) / (2 * CLICK_SIGMA_PX ** 2))
        g = gy.unsqueeze(-1) * gx.unsqueeze(-2)  # [B, N, S, S]
        pos = (labels == 1).to(g.dtype).unsqueeze(-1).unsqueeze(-1)
        neg = (labels == 0).to(g.dtype).unsqueeze(-1).unsqueeze(-1)
        pos_map = (g * pos).max(dim=1).values
        neg_map = (g * neg).max(dim=1).values
        tl = (labels == 2).to(coords.dtype).unsqueeze(-1)
        br = (labels == 3).to(coords.dtype).unsqueeze(-1)
        has_box = tl.sum(1).clamp(max=1)  # [B, 1]
        x0y0 = (coords * tl).sum(1)  # [B, 2]
        x1y1 = (coords * br).sum(1)
        inside_x = torch.sigmoid((centres - x0y0[:, 0:1]) / 4) * torch.sigmoid((x1y1[:, 0:1] - centres) / 4)  # [B, S]
        inside_y = torch.sigmoid((centres - x0y0[:, 1:2]) / 4) * torch.sigmoid((x1y1[:, 1:2] - centres) / 4)
        box_map = inside_y.unsqueeze(-1) * inside_x.unsqueeze(-2) * has_box.unsqueeze(-1)
        return torch.stack([pos_map, neg_map, box_map], dim=1)

    def embed_masks(self, mask_input: torch.Tensor, has_mask: torch.Tensor) -> torch.Tensor:
        """mask_input [B, 1, 256, 256] logits, has_mask [B] in {0,1} → [B, dim, g, g]."""
        m = self.mask_downscaling(mask_input)
        h = has_mask.reshape(-1, 1, 1, 1).to(m.dtype)
        return m * h + (1 - h) * self.no_mask.reshape(1, -1, 1, 1)

    def dense_embedding(self, coords: torch.Tensor, labels: torch.Tensor, mask_input: torch.Tensor,
                        has_mask: torch.Tensor) -> torch.Tensor:
        """Full-frame dense prompt embedding [B, dim, g, g]: mask (or no-mask) + click maps."""
        dense = self.embed_masks(mask_input, has_mask)
        if self.click_maps:
            dense = dense + self.click_embed(self.render_clicks(coords, labels))
        return dense
