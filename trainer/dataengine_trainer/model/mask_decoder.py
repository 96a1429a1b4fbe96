"""Mask decoder (SAM-SPEC.md §6.2): two-way transformer, IoU token + 4 mask tokens, hypernetwork
MLPs, transposed-conv 4× upscaling, IoU head. Output: low-res mask logits [B, 4, 256, 256]."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..constants import EMBED_DIM, EMBED_SIZE, LOW_RES_SIZE, NUM_MASK_TOKENS
from .common import MLP, DownConv2x, LayerNorm2d, UpConv2x
from .image_encoder import DETAIL_STRIDE  # the detail maps: 4×4 space-to-depth of the 256² grid
from .iou_calibration import IouCalibration
from .iou_rescorer import IouRescorer


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, downsample: int = 1) -> None:
        super().__init__()
        self.inner = dim // downsample
        self.heads = heads
        self.q = nn.Linear(dim, self.inner)
        self.k = nn.Linear(dim, self.inner)
        self.v = nn.Linear(dim, self.inner)
        self.out = nn.Linear(self.inner, dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(self.q(q)), self._split(self.k(k)), self._split(self.v(v))
        attn = (q @ k.transpose(-2, -1)) * (q.shape[-1] ** -0.5)
        x = attn.softmax(dim=-1) @ v
        b, h, n, d = x.shape
        return self.out(x.transpose(1, 2).reshape(b, n, h * d))


class TwoWayBlock(nn.Module):
    """Token self-attn → token-to-image cross-attn → MLP → image-to-token cross-attn."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, downsample: int, skip_first_pe: bool) -> None:
        super().__init__()
        self.self_attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.t2i = Attention(dim, heads, downsample)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.ReLU(), nn.Linear(mlp_dim, dim))
        self.norm3 = nn.LayerNorm(dim)
        self.i2t = Attention(dim, heads, downsample)
        self.norm4 = nn.LayerNorm(dim)
        self.skip_first_pe = skip_first_pe

    def forward(self, tokens, image, tokens_pe, image_pe):
        if self.skip_first_pe:
            tokens = self.self_attn(tokens, tokens, tokens)
        else:
            q = tokens + tokens_pe
            tokens = tokens + self.self_attn(q, q, tokens)
        tokens = self.norm1(tokens)
        q, k = tokens + tokens_pe, image + image_pe
        tokens = self.norm2(tokens + self.t2i(q, k, image))
        tokens = self.norm3(tokens + self.mlp(tokens))
        q, k = tokens + tokens_pe, image + image_pe
        image = self.norm4(image + self.i2t(k, q, tokens))
        return tokens, image


class TwoWayTransformer(nn.Module):
    def __init__(self, depth: int, dim: int, heads: int, mlp_dim: int, downsample: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(TwoWayBlock(dim, heads, mlp_dim, downsample, i == 0) for i in range(depth))
        self.final_attn = Attention(dim, heads, downsample)
        self.norm_final = nn.LayerNorm(dim)

    def forward(self, image: torch.Tensor, image_pe: torch.Tensor, tokens: torch.Tensor):
        b, c, h, w = image.shape
        image = image.flatten(2).transpose(1, 2)
        image_pe = image_pe.flatten(2).transpose(1, 2)
        tokens_pe = tokens
        x = tokens
        for layer in self.layers:
            x, image = layer(x, image, tokens_pe, image_pe)
        x = self.norm_final(x + self.final_attn(x + tokens_pe, image + image_pe, image))
        return x, image


class LocalBlock(nn.Module):
    """Residual depthwise 7×7 → GELU → pointwise MLP (zero-initialised: starts as the identity)."""

    def __init__(self, channels: int, kernel: int = 7) -> None:
        super().__init__()
        self.dw = nn.Conv2d(channels, channels, kernel, padding=kernel // 2, groups=channels)
        self.pw1 = nn.Conv2d(channels, 2 * channels, 1)
        self.pw2 = nn.Conv2d(2 * channels, channels, 1)
        nn.init.zeros_(self.pw2.weight)
        nn.init.zeros_(self.pw2.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pw2(F.gelu(self.pw1(F.gelu(self.dw(x)))))


DETAIL_PACK = 8  # the decoder carries them per image on the 32² token grid as 8×8 space-to-depth


class DetailUpsample(nn.Module):
    """Masks at 256² (the low-res grid) where the decoder forms them at 128², with the image's
    detail deciding where the edge goes (content-aware upsampling, as CARAFE or joint bilateral
    upsampling; HQ-SAM's idea of bringing fine image features to the mask head). Per 256² pixel, a
    3×3 conv of the detail maps (DetailBranch; F maps at 256², once per image) gives 9 weights
    that sum to zero; the pixel's logit is the bilinear doubling plus those weights times the
    differences between the 3×3 neighbours of its 128² cell and the cell itself. Inside a region
    the neighbours agree and nothing changes; at an edge a pixel takes its value from the side the
    detail says it belongs to. The conv starts at zero: a new module leaves the masks as they were
    (the bilinear doubling).

    The bilinear doubling (half-pixel centres, edges clamped) is itself a fixed weighting of the
    same 3×3 neighbours (``BILINEAR_TAPS``), so ``prepare`` adds it to the learned weights once per
    image and a click costs 9 multiply-adds per mask pixel and nothing else."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.weights = nn.Conv2d(features, 9, 3, padding=1)
        nn.init.zeros_(self.weights.weight)
        nn.init.zeros_(self.weights.bias)

    def prepare(self, detail: torch.Tensor) -> torch.Tensor:
        """Packed detail channels [B, 16·F, G, G] → per-image weights [B, 9, 4G, 4G]: the learned
        zero-sum weights plus the bilinear doubling's (they sum to one over the 9)."""
        w = self.weights(F.pixel_shuffle(detail, DETAIL_STRIDE))
        w = w - w.mean(dim=1, keepdim=True)
        # per 2×2 block (the sub-pixels of one 128² cell): channel n·4 + sub-pixel
        taps = F.pixel_unshuffle(w, 2) + BILINEAR_TAPS.to(w.dtype).reshape(1, 36, 1, 1)
        return F.pixel_shuffle(taps, 2)

    def forward(self, coarse: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """coarse [B, 4, s, s] logits, weights [B, 9, 2s, 2s] (``prepare``'s) → [B, 4, 2s, 2s]."""
        s = coarse.shape[-1]
        # replicate padding: the clamped edges of the bilinear doubling; then each cell repeated 2×2, so
        # that neighbour (dy, dx) of every 256² pixel's cell sits at an even shift of one grid and the
        # products are plain [B, 4, 2s, 2s] × [B, 1, 2s, 2s] (faster in onnxruntime than the sub-pixel
        # layout and its final depth-to-space)
        up = F.interpolate(F.pad(coarse, (1, 1, 1, 1), mode="replicate"), scale_factor=2.0, mode="nearest")
        if torch.jit.is_tracing():  # the exported graph: plain Mul + Add nodes (the product's graph surgery reads them)
            out = None
            for n in range(9):
                term = weights[:, n : n + 1] * _NeighbourSum._slice(up, n, 2 * s)
                out = term if out is None else out + term
            return out
        return _NeighbourSum.apply(weights, up)


class _NeighbourSum(torch.autograd.Function):
    """``Σ_n weights[:, n] · up[:, :, 2dy:2dy+2s, 2dx:2dx+2s]`` (n = dy·3 + dx) for DetailUpsample,
    accumulated in place, with a hand-written backward: autograd's would give each of the nine
    slices its own zero-filled gradient of ``up``'s size and add them up; this fills one and adds
    into it. ``weights`` [B or 1, 9, 2s, 2s] (one image's weights broadcast over its prompt rows),
    ``up`` [B, C, 2s + 4, 2s + 4] → [B, C, 2s, 2s]."""

    @staticmethod
    def _slice(x: torch.Tensor, n: int, size: int) -> torch.Tensor:
        dy, dx = divmod(n, 3)
        return x[:, :, 2 * dy : 2 * dy + size, 2 * dx : 2 * dx + size]

    @staticmethod
    def forward(ctx, weights: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        size = up.shape[-1] - 4
        out = weights[:, 0:1] * _NeighbourSum._slice(up, 0, size)
        for n in range(1, 9):
            out.addcmul_(weights[:, n : n + 1], _NeighbourSum._slice(up, n, size))
        ctx.save_for_backward(weights, up)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        weights, up = ctx.saved_tensors
        size = up.shape[-1] - 4
        grad_w = grad_up = None
        if ctx.needs_input_grad[0]:
            planes = []
            for n in range(9):  # Σ over the channels of grad · neighbour n, one [B, 1, 2s, 2s] plane each
                part = _NeighbourSum._slice(up, n, size)
                plane = grad[:, 0:1] * part[:, 0:1]
                for c in range(1, grad.shape[1]):
                    plane.addcmul_(grad[:, c : c + 1], part[:, c : c + 1])
                planes.append(plane)
            grad_w = torch.cat(planes, dim=1)
            if weights.shape[0] != grad_w.shape[0]:  # broadcast over the rows: their gradients add up
                grad_w = grad_w.sum(0, keepdim=True)
        if ctx.needs_input_grad[1]:
            grad_up = grad.new_zeros(up.shape)
            for n in range(9):
                _NeighbourSum._slice(grad_up, n, size).addcmul_(weights[:, n : n + 1], grad)
        return grad_w, grad_up


def _bilinear_taps() -> torch.Tensor:
    """The 2× bilinear upsampling (half-pixel centres) as weights on a cell's 3×3 neighbours, per
    sub-pixel: [9 (neighbour dy·3 + dx), 4 (sub-pixel sy·2 + sx)]. Sub-pixel 0 of a row sits a quarter
    cell above the cell's centre: ¼ of the row above, ¾ of its own; sub-pixel 1: ¾ own, ¼ below."""
    r = torch.tensor([[0.25, 0.0], [0.75, 0.75], [0.0, 0.25]])  # [neighbour offset, sub-pixel]
    return torch.einsum("ap,bq->abpq", r, r).reshape(9, 4)


BILINEAR_TAPS = _bilinear_taps()


class MaskDecoder(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_dim: int, depth: int, downsample: int, iou_hidden: int,
                 mask_res: int = 256, token_stride: int = 1, mask_convs: int = 0, detail_features: int = 0) -> None:
        super().__init__()
        if token_stride not in (1, 2):
            raise ValueError(f"token_stride must be 1 or 2, not {token_stride}")
        self.dim = dim
        self.token_stride = token_stride
        self.low_res_per_token = LOW_RES_SIZE * token_stride // EMBED_SIZE  # 4, or 8 on the 32² grid
        # mask_res 256: SAM's two 2× upscalings (dim/4, dim/8 channels); 128: masks formed at 128² and
        # bilinearly doubled to the 256² low-res contract (cheaper): one upscaling (dim/4 channels) from
        # the 64² grid, or with token_stride 2 two upscalings from the 32² grid, the first joined by
        # the skip (a prompt-independent dim/4-channel projection of the 64² embedding).
        self.mask_res = mask_res
        if token_stride == 2 and mask_res != 128:
            raise ValueError("token_stride 2 forms masks at 128² (mask_res=128)")
        if mask_convs and token_stride != 2:
            raise ValueError("mask_convs needs token_stride 2")
        if detail_features and token_stride != 2:
            raise ValueError("detail_features needs token_stride 2")
        self.detail_channels = detail_features * DETAIL_STRIDE * DETAIL_STRIDE
        self.detail_upsample = DetailUpsample(detail_features) if detail_features else None
        if detail_features and mask_res != 128:
            raise ValueError("detail_features upsample masks formed at 128² (mask_res=128)")
        # the 256-channel contract embedding is projected to the decoder width when they differ
        self.embed_proj = nn.Identity() if dim == EMBED_DIM else nn.Conv2d(EMBED_DIM, dim, 1)
        if token_stride == 2:
            self.token_fold = DownConv2x(dim, dim)
            self.skip_proj = nn.Conv2d(EMBED_DIM, dim // 4, 1)
        self.iou_token = nn.Parameter(torch.randn(1, dim) * 0.02)
        self.mask_tokens = nn.Parameter(torch.randn(NUM_MASK_TOKENS, dim) * 0.02)
        self.transformer = TwoWayTransformer(depth, dim, heads, mlp_dim, downsample)
        if token_stride == 2:
            self.upscale = UpConv2x(dim, dim // 4)
            self.upscale_norm = LayerNorm2d(dim // 4)
            # only its 1×1 conv runs: the shuffle comes after the mask dot products (_last_upscale_and_masks)
            self.upscale2 = nn.Sequential(UpConv2x(dim // 4, dim // 4), nn.GELU())
            hyper_out = dim // 4
            self.mask_convs = nn.Sequential(*[LocalBlock(dim // 4) for _ in range(mask_convs)])
        elif mask_res == 256:
            self.upscale = nn.Sequential(
                UpConv2x(dim, dim // 4), LayerNorm2d(dim // 4), nn.GELU(),
                UpConv2x(dim // 4, dim // 8), nn.GELU(),
            )
            hyper_out = dim // 8
        else:
            self.upscale = nn.Sequential(UpConv2x(dim, dim // 4), LayerNorm2d(dim // 4), nn.GELU())
            hyper_out = dim // 4
        self.hyper = nn.ModuleList(MLP(dim, dim, hyper_out, 3) for _ in range(NUM_MASK_TOKENS))
        self.iou_head = MLP(dim, iou_hidden, NUM_MASK_TOKENS, 3)
        # fitted after training so iou_predictions estimate the true IoU (identity until then): a
        # correction from the masks themselves, then a monotone map per token
        self.iou_rescorer = IouRescorer()
        self.iou_calibration = IouCalibration()

    def project(self, image_embeddings: torch.Tensor) -> torch.Tensor:
        """[B, 256, h, w] → the per-image decoder input, done once per image, not per prompt:
        [B, dim, h, w] (token_stride 1), or with token_stride 2 the folded tokens and the skip packed
        on the token grid, [B, dim + dim, h/2, w/2] (the skip's 64² as 2×2 space-to-depth), then with
        detail features the upsampling weights at 256² ([B, 9, 4h, 4w] as 8×8 space-to-depth, 576 channels)."""
        x = self.embed_proj(image_embeddings)
        if self.token_stride == 1:
            return x
        parts = [self.token_fold(x), F.pixel_unshuffle(self.skip_proj(image_embeddings), 2)]
        if self.detail_upsample is not None:
            detail = image_embeddings[:, image_embeddings.shape[1] - self.detail_channels:]
            parts.append(F.pixel_unshuffle(self.detail_upsample.prepare(detail), DETAIL_PACK))
        return torch.cat(parts, dim=1)

    def _last_upscale_and_masks(self, x: torch.Tensor, hyper: torch.Tensor) -> torch.Tensor:
        """``hyper · GELU(PixelShuffle(conv(x)))`` computed as ``PixelShuffle(hyper · GELU(conv(x)))``:
        GELU is per element and the shuffle only moves elements, so the dot products with the
        hypernetwork weights run on the 4 sub-pixel planes before the shuffle and only the 4 mask
        channels are shuffled (not the 16 feature channels; the same numbers, a quarter of the moves).
        x [B, C, h, w] → masks [B, 4, 2h, 2w]."""
        y = F.gelu(self.upscale2[0].conv(x))  # [B, C·4, h, w], channel c·4 + sub-pixel (PixelShuffle order)
        b, _, h, w = y.shape
        c = hyper.shape[-1]
        masks = hyper @ y.reshape(b, c, 4 * h * w)  # [B, 4, 4·h·w]: mask k, sub-pixel, pixel
        return F.pixel_shuffle(masks.reshape(b, NUM_MASK_TOKENS * 4, h, w), 2)

    def forward(self, projected: torch.Tensor, image_pe: torch.Tensor,
                sparse: torch.Tensor, dense: torch.Tensor,
                prompt: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """projected (``project``'s output, one row per prompt) [B, C, g, g], image_pe [1, dim, g, g],
        sparse [B, N, dim], dense [B, dim, g, g] or [1, dim, 1, 1] (no mask), on the token grid g
        (64 for the full frame, or 32 with token_stride 2) → (low-res logits [B, 4, 256, 256], iou [B, 4]).
        ``prompt`` = (coords [B, N, 2], labels [B, N], has_mask [B]) the sparse embedding came from: a
        fitted IoU rescorer needs them (training runs with the rescorer reset and need not pass them)."""
        b = sparse.shape[0]
        out_tokens = torch.cat([self.iou_token, self.mask_tokens], dim=0).unsqueeze(0).expand(b, -1, -1)
        tokens = torch.cat([out_tokens, sparse], dim=1)
        skip = detail = None
        if self.token_stride == 2:
            if self.detail_upsample is not None:
                detail = _per_image(projected[:, 2 * self.dim :], lambda x: F.pixel_shuffle(x, DETAIL_PACK))
            skip = _per_image(projected[:, self.dim : 2 * self.dim], lambda x: F.pixel_shuffle(x, 2))
            projected = projected[:, : self.dim]
        src = projected + dense
        _, _, h, w = src.shape
        hs, src = self.transformer(src, image_pe, tokens)
        iou_out = hs[:, 0, :]
        mask_out = hs[:, 1 : 1 + NUM_MASK_TOKENS, :]
        up = self.upscale(src.transpose(1, 2).reshape(b, self.dim, h, w))
        hyper = torch.stack([self.hyper[i](mask_out[:, i, :]) for i in range(NUM_MASK_TOKENS)], dim=1)
        if skip is not None:
            masks = self._last_upscale_and_masks(self.mask_convs(F.gelu(self.upscale_norm(up + skip))), hyper)
        else:
            bb, c, hh, ww = up.shape
            masks = (hyper @ up.reshape(bb, c, hh * ww)).reshape(bb, NUM_MASK_TOKENS, hh, ww)
        r = self.low_res_per_token
        if detail is not None:
            masks = self.detail_upsample(masks, detail)
        elif masks.shape[-2] != r * h:
            masks = F.interpolate(masks, size=(r * h, r * w), mode="bilinear", align_corners=False)
        iou = self.iou_head(iou_out)
        if not self.iou_rescorer.is_identity:
            if prompt is None:
                raise ValueError("a fitted IoU rescorer needs the prompt (coords, labels, has_mask)")
            iou = self.iou_rescorer(iou, masks, *prompt)
        return masks, self.iou_calibration(iou)


def _per_image(x: torch.Tensor, f) -> torch.Tensor:
    """``f(x)`` where x's rows are one image's data repeated (``expand``, as the decoders of a single
    image's prompts get it): computed on one row and broadcast, not once per prompt. Elementwise
    consumers broadcast the single row."""
    if x.shape[0] > 1 and x.stride(0) == 0:
        return f(x[:1])
    return f(x)


def upscale_masks(low_res: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(low_res, size=(size, size), mode="bilinear", align_corners=False)
