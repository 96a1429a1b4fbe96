"""Image encoders: [B, 3, 1024, 1024] normalised, padded → [B, 256, 64, 64] (SAM-SPEC.md §2.1)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..constants import EMBED_DIM
from .common import LayerNorm2d


class ConvBlock(nn.Module):
    """Depthwise k×k conv → BN → pointwise MLP (expansion) with a residual (ConvNeXt-like, BN for speed)."""

    def __init__(self, dim: int, kernel: int, expansion: int, dilation: int = 1) -> None:
        super().__init__()
        pad = dilation * (kernel // 2)
        self.dw = nn.Conv2d(dim, dim, kernel, padding=pad, dilation=dilation, groups=dim)
        self.bn = nn.BatchNorm2d(dim)
        self.pw1 = nn.Conv2d(dim, dim * expansion, 1)
        self.pw2 = nn.Conv2d(dim * expansion, dim, 1)
        nn.init.zeros_(self.pw2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pw2(F.gelu(self.pw1(self.bn(self.dw(x)))))


class ConvEncoder(nn.Module):
    """Small efficient backbone: patchify stem (stride 4, or 8 with ``stem_stride=8``), stride-2
    stages → 64×64, 1×1 neck to 256. With stride 8 the stem jumps straight to 128×128 (stage 0 and
    down1 are skipped): the cheapest path, good for images that are upscaled to 1024 anyway."""

    def __init__(self, widths: list[int], depths: list[int], kernel: int = 7, expansion: int = 2,
                 stem_stride: int = 4) -> None:
        super().__init__()
        w0, w1, w2 = widths
        if stem_stride == 8:
            self.stem = nn.Sequential(nn.Conv2d(3, w1, 8, stride=8), nn.BatchNorm2d(w1), nn.GELU())
            self.stage0 = nn.Identity()
            self.down1 = nn.Identity()
        else:
            self.stem = nn.Sequential(nn.Conv2d(3, w0, 4, stride=4), nn.BatchNorm2d(w0), nn.GELU())
            self.stage0 = nn.Sequential(*[ConvBlock(w0, 3, expansion) for _ in range(depths[0])])
            self.down1 = nn.Sequential(nn.Conv2d(w0, w1, 2, stride=2), nn.BatchNorm2d(w1))
        self.stage1 = nn.Sequential(*[ConvBlock(w1, 5, expansion) for _ in range(depths[1])])
        self.down2 = nn.Sequential(nn.Conv2d(w1, w2, 2, stride=2), nn.BatchNorm2d(w2))
        # alternate dilation 1/2 on the 64×64 grid to widen the receptive field cheaply
        self.stage2 = nn.Sequential(*[ConvBlock(w2, kernel, expansion, dilation=1 + (i % 2)) for i in range(depths[2])])
        self.neck = nn.Sequential(nn.Conv2d(w2, EMBED_DIM, 1), LayerNorm2d(EMBED_DIM))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage0(self.stem(x))
        x = self.stage1(self.down1(x))
        x = self.stage2(self.down2(x))
        return self.neck(x)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1)
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, h, w, c)
        return self.proj(x)


class ViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, window: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.window = window

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.window > 0:
            b, h, w, c = x.shape
            ws = self.window
            ph, pw = (ws - h % ws) % ws, (ws - w % ws) % ws
            x = F.pad(x, (0, 0, 0, pw, 0, ph))
            hp, wp = h + ph, w + pw
            x = x.view(b, hp // ws, ws, wp // ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws, ws, c)
            x = self.attn(x)
            x = x.view(b, hp // ws, wp // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, c)
            x = x[:, :h, :w, :]
        else:
            x = self.attn(x)
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class ViTEncoder(nn.Module):
    """ViT-B-shaped encoder (patch 16, windowed + global attention, SAM neck). Absolute position
    embedding only (no relative position bias): it is used for latency benchmarks of a real-sized model."""

    def __init__(self, embed_dim: int, depth: int, num_heads: int, patch_size: int, window_size: int,
                 global_attn_indexes: list[int], mlp_ratio: float) -> None:
        super().__init__()
        self.patch_embed = nn.Conv2d(3, embed_dim, patch_size, stride=patch_size)
        grid = 1024 // patch_size
        self.pos_embed = nn.Parameter(torch.zeros(1, grid, grid, embed_dim))
        self.blocks = nn.ModuleList(
            ViTBlock(embed_dim, num_heads, mlp_ratio, 0 if i in global_attn_indexes else window_size) for i in range(depth)
        )
        self.neck = nn.Sequential(
            nn.Conv2d(embed_dim, EMBED_DIM, 1, bias=False),
            LayerNorm2d(EMBED_DIM),
            nn.Conv2d(EMBED_DIM, EMBED_DIM, 3, padding=1, bias=False),
            LayerNorm2d(EMBED_DIM),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x).permute(0, 2, 3, 1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.neck(x.permute(0, 3, 1, 2))


def build_encoder(kind: str, params: dict) -> nn.Module:
    if kind == "conv":
        return ConvEncoder(**params)
    if kind == "vit":
        return ViTEncoder(**params)
    raise ValueError(f"unknown encoder kind {kind!r}")
