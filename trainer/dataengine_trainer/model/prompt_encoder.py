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
        ys = (torch.arange(size, dtype=torch.float32) + 0.5) / size
        grid = torch.stack(torch.meshgrid(ys, ys, indexing="ij")[::-1], dim=-1)  # (x, y)
        return self.encode(grid).permute(2, 0, 1)


class PromptEncoder(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.pe = PositionEmbeddingRandom(dim // 2)
        self.point_embeddings = nn.Parameter(torch.randn(4, dim) * 0.02)  # labels 0, 1, 2, 3
        self.not_a_point = nn.Parameter(torch.randn(dim) * 0.02)
        self.no_mask = nn.Parameter(torch.randn(dim) * 0.02)
        self.mask_downscaling = nn.Sequential(
            DownConv2x(1, 4), LayerNorm2d(4), nn.GELU(),
            DownConv2x(4, 16), LayerNorm2d(16), nn.GELU(),
            nn.Conv2d(16, dim, 1),
        )

    def dense_pe(self) -> torch.Tensor:
        return self.pe.dense(EMBED_SIZE).unsqueeze(0)

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

    def embed_masks(self, mask_input: torch.Tensor, has_mask: torch.Tensor) -> torch.Tensor:
        """mask_input [B, 1, 256, 256] logits, has_mask [B] in {0,1} → [B, dim, 64, 64]."""
        m = self.mask_downscaling(mask_input)
        h = has_mask.reshape(-1, 1, 1, 1).to(m.dtype)
        return m * h + (1 - h) * self.no_mask.reshape(1, -1, 1, 1)
