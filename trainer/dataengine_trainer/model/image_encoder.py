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


DETAIL_STRIDE = 4  # detail features sit on the 256² grid of the 1024 frame (the low-res mask grid)
DETAIL_WIDTH = 16


def detail_channels(features: int) -> int:
    """Embedding channels that carry ``features`` detail maps at 256² (4×4 space-to-depth on 64²)."""
    return features * DETAIL_STRIDE * DETAIL_STRIDE


class DetailBranch(nn.Module):
    """Fine image detail for the mask head: a 4×4/4 patchify stem and one residual depthwise block
    on the 256² grid → ``features`` maps, packed 4×4 space-to-depth into the embedding's last
    ``features·16`` channels (the [1, 256, 64, 64] contract is unchanged; the decoder unpacks them
    to refine its masks at 256², see MaskRefiner)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, DETAIL_WIDTH, DETAIL_STRIDE, stride=DETAIL_STRIDE),
                                  nn.BatchNorm2d(DETAIL_WIDTH), nn.GELU())
        self.block = ConvBlock(DETAIL_WIDTH, 5, 2)
        self.out = nn.Conv2d(DETAIL_WIDTH, features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pixel_unshuffle(self.out(self.block(self.stem(x))), DETAIL_STRIDE)


class ConvEncoder(nn.Module):
    """Small efficient backbone: patchify stem (stride 4, or 8 with ``stem_stride=8``), stride-2
    stages → 64×64, 1×1 neck to 256. With stride 8 the stem jumps straight to 128×128 (stage 0 and
    down1 are skipped): the cheapest path, good for images that are upscaled to 1024 anyway.

    ``detail_features`` > 0: the neck's 256 normalised channels are mapped (1×1, no bias) to the
    first 256 − 16·F embedding channels and a DetailBranch fills the rest. The narrow backbone's
    neck spans far fewer than 256 directions, so the map loses nothing (``grow.py`` turns a model
    without detail into one with it, outputs unchanged)."""

    def __init__(self, widths: list[int], depths: list[int], kernel: int = 7, expansion: int = 2,
                 stem_stride: int = 4, detail_features: int = 0) -> None:
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
        self.detail = None
        if detail_features:
            semantic = EMBED_DIM - detail_channels(detail_features)
            if semantic < w2 + 1:
                raise ValueError(f"{detail_features} detail maps leave {semantic} embedding channels for a {w2}-wide backbone")
            self.neck.append(nn.Conv2d(EMBED_DIM, semantic, 1, bias=False))
            self.detail = DetailBranch(detail_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        image = x
        x = self.stage0(self.stem(x))
        x = self.stage1(self.down1(x))
        x = self.stage2(self.down2(x))
        if self.detail is None:
            return self.neck(x)
        return torch.cat([self.neck(x), self.detail(image)], dim=1)


def get_rel_pos(q_size: int, k_size: int, rel_pos: torch.Tensor) -> torch.Tensor:
    """SAM's rule for the decomposed relative position table of one axis (SAM-SPEC.md §10): the
    stored table (L, C) is linearly resized along L when L ≠ 2·max(q, k) − 1, then indexed by the
    (scaled) relative coordinate q − k + (k − 1) → [q_size, k_size, C]."""
    max_rel_dist = int(2 * max(q_size, k_size) - 1)
    if rel_pos.shape[0] != max_rel_dist:
        resized = F.interpolate(rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1), size=max_rel_dist, mode="linear")
        resized = resized.reshape(-1, max_rel_dist).permute(1, 0)
    else:
        resized = rel_pos
    q_coords = torch.arange(q_size, device=rel_pos.device)[:, None] * max(k_size / q_size, 1.0)
    k_coords = torch.arange(k_size, device=rel_pos.device)[None, :] * max(q_size / k_size, 1.0)
    relative = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
    return resized[relative.long()]


class Attention(nn.Module):
    """Multi-head self-attention over a [B, h, w, C] grid with SAM's decomposed relative position
    terms: logit(q, k) = (q·scale)·k + q·Rh[qh − kh] + q·Rw[qw − kw] (unscaled q).

    ``rel_size`` is the grid the tables belong to (14×14 for windowed blocks, 64×64 for global
    ones). A smaller grid — a global block on a training crop — is a window of that grid: its terms
    are the full grid's at the same relative offsets (a crop sees the image at the full frame's
    scale), not the tables resized to the crop (which would teach offset d the bias of offset 2d)."""

    def __init__(self, dim: int, heads: int, rel_size: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.rel_size = tuple(rel_size) if rel_size is not None else None
        if rel_size is not None:
            head_dim = dim // heads
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * rel_size[0] - 1, head_dim))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * rel_size[1] - 1, head_dim))

    def _rel_tables(self, h: int, w: int) -> tuple[torch.Tensor, torch.Tensor]:
        fh, fw = self.rel_size
        if (h, w) == (fh, fw) or h > fh or w > fw:
            return get_rel_pos(h, h, self.rel_pos_h), get_rel_pos(w, w, self.rel_pos_w)
        return get_rel_pos(fh, fh, self.rel_pos_h)[:h, :h], get_rel_pos(fw, fw, self.rel_pos_w)[:w, :w]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        hd = c // self.heads
        qkv = self.qkv(x).reshape(b, h * w, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, heads, h·w, hd]
        attn = (q * hd ** -0.5) @ k.transpose(-2, -1)
        if self.rel_size is not None:
            rh, rw = self._rel_tables(h, w)  # [h, h, hd], [w, w, hd]
            r_q = q.reshape(b * self.heads, h, w, hd)
            rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, rh)
            rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, rw)
            attn = (attn.reshape(b * self.heads, h, w, h, w) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :])
            attn = attn.reshape(b, self.heads, h * w, h * w)
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, h, w, c)
        return self.proj(x)


class ViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, window: int,
                 rel_size: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, rel_size)
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
    """SAM's image encoder (SAM-SPEC.md §2.1, §10): patch-16 embedding, absolute position embedding,
    windowed blocks (14×14) and a few global blocks, all with decomposed relative position terms
    (``use_rel_pos``), SAM neck (1×1 → LN → 3×3 → LN). The ``sam-vit-*`` presets hold the official
    checkpoints exactly (``sam_import.py``).

    Training crops: ``forward(x, offsets)`` with a crop of the 1024 frame (side a multiple of 16)
    adds the absolute position embedding of the crop's cells (per row, at its origin ``offsets``
    [B, 2] (x0, y0) in frame pixels), so a token means the same place as in full-frame inference."""

    position_dependent = True  # SamModel.embed passes crop offsets

    def __init__(self, embed_dim: int, depth: int, num_heads: int, patch_size: int, window_size: int,
                 global_attn_indexes: list[int], mlp_ratio: float, use_rel_pos: bool = True) -> None:
        super().__init__()
        self.patch_size = patch_size
        self.patch_embed = nn.Conv2d(3, embed_dim, patch_size, stride=patch_size)
        grid = 1024 // patch_size
        self.pos_embed = nn.Parameter(torch.zeros(1, grid, grid, embed_dim))

        def rel(i: int):
            if not use_rel_pos:
                return None
            return (grid, grid) if i in global_attn_indexes else (window_size, window_size)

        self.blocks = nn.ModuleList(
            ViTBlock(embed_dim, num_heads, mlp_ratio, 0 if i in global_attn_indexes else window_size, rel(i))
            for i in range(depth)
        )
        self.neck = nn.Sequential(
            nn.Conv2d(embed_dim, EMBED_DIM, 1, bias=False),
            LayerNorm2d(EMBED_DIM),
            nn.Conv2d(EMBED_DIM, EMBED_DIM, 3, padding=1, bias=False),
            LayerNorm2d(EMBED_DIM),
        )

    def position_embedding(self, h: int, w: int, offsets: torch.Tensor | None) -> torch.Tensor:
        """[1 or B, h, w, C]: the whole table (full frame), its top-left h×w cells (no offsets),
        or per row the h×w cells at ``offsets`` (px, x then y) — one gather, no host read."""
        pe = self.pos_embed
        full_h, full_w = pe.shape[1], pe.shape[2]
        if h > full_h or w > full_w:
            raise ValueError(f"image grid {h}×{w} is larger than the position embedding's {full_h}×{full_w}")
        if offsets is None:
            return pe if (h, w) == (full_h, full_w) else pe[:, :h, :w]
        cells = torch.div(offsets.to(device=pe.device, dtype=torch.long), self.patch_size, rounding_mode="floor")
        b = cells.shape[0]
        ys = (cells[:, 1:2] + torch.arange(h, device=pe.device)).view(b, h, 1)
        xs = (cells[:, 0:1] + torch.arange(w, device=pe.device)).view(b, 1, w)
        return pe[0][ys, xs]

    def forward(self, x: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        x = self.patch_embed(x).permute(0, 2, 3, 1)
        x = x + self.position_embedding(x.shape[1], x.shape[2], offsets)
        for blk in self.blocks:
            x = blk(x)
        return self.neck(x.permute(0, 3, 1, 2))


def build_encoder(kind: str, params: dict, detail_features: int = 0) -> nn.Module:
    if kind == "conv":
        return ConvEncoder(**params, detail_features=detail_features)
    if detail_features:
        raise ValueError("detail features need the conv encoder")
    if kind == "vit":
        return ViTEncoder(**params)
    raise ValueError(f"unknown encoder kind {kind!r}")
