"""Grow a trained model without detail features into one with them (``ModelConfig.detail_features``),
its outputs unchanged, so training continues from what the model already knows instead of from
scratch.

The conv encoder's neck is a 1×1 conv from a narrow backbone (96 channels in ``tiny``) to 256
channels, then a LayerNorm: its output ``e = b + w ⊙ y`` with ``y`` the normalised conv output,
which lies in the span of ``P·[W, c]`` (``P`` removes the channel mean). So ``e − b`` lives in a
subspace of at most width + 1 directions. With an orthonormal basis ``Q`` of ``diag(w)·P·[W, c]``:

* the grown neck keeps the conv, drops the LayerNorm's affine and maps its output with
  ``Qᵀ·diag(w)`` (1×1, no bias) to the first ``r`` embedding channels (zeros up to ``256 − 16·F``);
* every reader of the embedding is a 1×1 conv ``A·e + a`` (the decoder's projection and skip, the
  detector's projection): it becomes ``(A·Q)·e' + (a + A·b)`` on those channels, zero on the rest;
* the detail branch fills the last ``16·F`` channels; the decoder's detail upsampling starts
  as the bilinear doubling.

The grown model's masks, IoUs and detections equal the original's to float rounding (tested).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import torch
from torch import nn

from .constants import EMBED_DIM
from .errors import TrainerError
from .model.config import ModelConfig
from .model.image_encoder import ConvEncoder, detail_channels
from .model.sam import SamModel, build_model

RANK_TOL = 1e-6
# the parameters a grown model adds (train --detail-lr-scale gives them their own learning rate)
DETAIL_PARAMS = ("image_encoder.detail.", "mask_decoder.detail_upsample.")


def _neck_basis(conv: nn.Conv2d, norm) -> np.ndarray:
    """Orthonormal basis [256, r] of the directions ``e − b`` can take."""
    w = conv.weight.detach().double().reshape(EMBED_DIM, -1).numpy()
    c = conv.bias.detach().double().numpy()[:, None] if conv.bias is not None else np.zeros((EMBED_DIM, 1))
    centred = np.concatenate([w, c], axis=1)
    centred = centred - centred.mean(axis=0, keepdims=True)
    spanned = norm.weight.detach().double().numpy()[:, None] * centred
    u, s, _ = np.linalg.svd(spanned, full_matrices=False)
    return u[:, s > RANK_TOL * s[0]]


def _fold_reader(old: nn.Conv2d, new: nn.Conv2d, q: torch.Tensor, b: torch.Tensor) -> None:
    """new(e') = old(b + Q·e'[:r]) for a 1×1 conv reading the embedding."""
    a = old.weight.detach().double().reshape(old.out_channels, EMBED_DIM)
    weight = torch.zeros(new.out_channels, EMBED_DIM, dtype=torch.float64)
    weight[:, : q.shape[1]] = a @ q
    bias = (old.bias.detach().double() if old.bias is not None else 0) + a @ b
    with torch.no_grad():
        new.weight.copy_(weight.reshape_as(new.weight).float())
        new.bias.copy_(bias.float())


def grow_detail(model: SamModel, features: int = 8, seed: int = 0) -> SamModel:
    """``model`` (conv encoder, token stride 2, no detail) → the same model with ``features`` detail
    maps and the decoder's detail upsampling, giving the same outputs."""
    cfg = model.config
    if cfg.detail_features:
        raise TrainerError(f"the model already has {cfg.detail_features} detail features")
    if cfg.encoder != "conv" or cfg.token_stride != 2:
        raise TrainerError("growing detail features needs the conv encoder and token stride 2 (the tiny presets)")
    encoder: ConvEncoder = model.image_encoder  # type: ignore[assignment]
    conv, norm = encoder.neck[0], encoder.neck[1]
    q = _neck_basis(conv, norm)
    semantic = EMBED_DIM - detail_channels(features)
    if q.shape[1] > semantic:
        raise TrainerError(f"the neck spans {q.shape[1]} directions; {features} detail maps leave room for {semantic}")
    grown_cfg: ModelConfig = dataclasses.replace(cfg, arch=f"{cfg.arch}-hd" if not cfg.arch.endswith("-hd") else cfg.arch,
                                                 detail_features=features)
    grown = build_model(grown_cfg, seed=seed)
    missing, unexpected = grown.load_state_dict(model.state_dict(), strict=False)
    if unexpected:
        raise TrainerError(f"unexpected keys growing the model: {unexpected}")
    qt = torch.from_numpy(q)
    b = norm.bias.detach().double()
    g_enc: ConvEncoder = grown.image_encoder  # type: ignore[assignment]
    with torch.no_grad():
        g_enc.neck[1].weight.fill_(1.0)
        g_enc.neck[1].bias.zero_()
        reduce = torch.zeros(semantic, EMBED_DIM, dtype=torch.float64)
        reduce[: q.shape[1]] = qt.T * norm.weight.detach().double()[None, :]
        g_enc.neck[2].weight.copy_(reduce.reshape_as(g_enc.neck[2].weight).float())
    old_dec, new_dec = model.mask_decoder, grown.mask_decoder
    _fold_reader(old_dec.embed_proj, new_dec.embed_proj, qt, b)
    _fold_reader(old_dec.skip_proj, new_dec.skip_proj, qt, b)
    _fold_reader(model.detector.proj[0], grown.detector.proj[0], qt, b)
    new_only = {k for k in missing if k.startswith((*DETAIL_PARAMS, "image_encoder.neck.2"))}
    left = set(missing) - new_only
    if left:
        raise TrainerError(f"keys with no counterpart growing the model: {sorted(left)}")
    return grown
