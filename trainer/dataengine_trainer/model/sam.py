"""The whole model: image encoder + prompt encoder + mask decoder + box-detector head."""
from __future__ import annotations

import torch
from torch import nn

from ..constants import EMBED_SIZE, IMAGE_SIZE
from .config import PRESETS, ModelConfig
from .detector import DetectorHead
from .image_encoder import build_encoder
from .mask_decoder import MaskDecoder
from .prompt_encoder import PromptEncoder


class SamModel(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.image_encoder = build_encoder(config.encoder, config.encoder_params, config.detail_features)
        self.prompt_encoder = PromptEncoder(config.decoder_dim, config.click_maps, EMBED_SIZE // config.token_stride)
        self.mask_decoder = MaskDecoder(
            config.decoder_dim, config.decoder_heads, config.decoder_mlp_dim, config.decoder_depth,
            config.attn_downsample, config.iou_head_hidden, config.mask_res, config.token_stride,
            config.mask_convs, config.detail_features,
        )
        self.detector = DetectorHead(config.detector_dim)

    @property
    def token_px(self) -> int:
        """Side of one decoder token in 1024-frame pixels (16, or 32 with token_stride 2)."""
        return IMAGE_SIZE // self.prompt_encoder.grid

    def embed(self, images: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
        """images [B, 3, s, s] → embeddings [B, 256, s/16, s/16]. For a crop of the 1024 frame,
        ``offsets`` [B, 2] (x0, y0 in frame pixels) places it: a position-dependent encoder (the ViT's
        absolute position embedding) uses the crop's cells; the conv encoders do not need it."""
        if offsets is not None and getattr(self.image_encoder, "position_dependent", False):
            return self.image_encoder(images, offsets)
        return self.image_encoder(images)

    def decode(self, embeddings: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor,
               mask_input: torch.Tensor | None, has_mask: torch.Tensor | None = None,
               projected: bool = False, image_pe: torch.Tensor | None = None,
               crop: tuple[torch.Tensor, int] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """One row per prompt: embeddings [B, 256, 64, 64] (or already projected with
        ``mask_decoder.project`` when ``projected``), coords [B, N, 2] (1024-frame px), labels [B, N],
        mask_input [B, 1, 256, 256] or None (no mask for any row), has_mask [B]
        → (low-res logits [B, 4, 256, 256], iou predictions [B, 4]).
        Training on crops passes the crop's slice of the dense positional encoding as ``image_pe`` and
        ``crop`` = (each row's crop origin in tokens [B, 2], the crop's side in tokens) (then the grids
        are smaller than the full frame's and the masks smaller than 256×256)."""
        pe = self.prompt_encoder
        sparse = pe.embed_points(coords, labels)
        if mask_input is None:
            dense = pe.no_mask.reshape(1, -1, 1, 1)
        else:
            dense = pe.embed_masks(mask_input, has_mask if has_mask is not None else mask_input.new_ones(mask_input.shape[0]))
        if pe.click_maps:
            dense = dense + pe.click_embed(crop_grid(pe.render_clicks(coords, labels), crop))
        src = embeddings if projected else self.mask_decoder.project(embeddings)
        rows = coords.shape[0]
        flags = has_mask if has_mask is not None else coords.new_full((rows,), 0.0 if mask_input is None else 1.0)
        return self.mask_decoder(src, pe.dense_pe() if image_pe is None else image_pe, sparse, dense,
                                 prompt=(coords, labels, flags))


def crop_grid(maps: torch.Tensor, crop: tuple[torch.Tensor, int] | None) -> torch.Tensor:
    """Per-row g×g window of [B, C, G, G] maps at cell offsets crop[0] [B, 2] (x, y); None = all.
    One gather (no per-row slices, no device→host read of the offsets)."""
    if crop is None:
        return maps
    cells, g = crop
    b = maps.shape[0]
    cells = cells.to(device=maps.device, dtype=torch.long)
    steps = torch.arange(g, device=maps.device)
    ys = (cells[:, 1:2] + steps).view(b, g, 1)  # [B, g, 1]
    xs = (cells[:, 0:1] + steps).view(b, 1, g)  # [B, 1, g]
    rows = torch.arange(b, device=maps.device).view(b, 1, 1)
    return maps.permute(0, 2, 3, 1)[rows, ys, xs].permute(0, 3, 1, 2).contiguous()  # [B, g, g, C] → [B, C, g, g]


def build_model(arch: str | ModelConfig, seed: int | None = None) -> SamModel:
    config = PRESETS[arch] if isinstance(arch, str) else arch
    if seed is not None:
        torch.manual_seed(seed)
    return SamModel(config)
