"""Architecture presets. Contract-fixed numbers (SAM-SPEC.md §1–§2) live in ``constants.py``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


@dataclass
class ModelConfig:
    arch: str
    encoder: str  # "conv" (small efficient backbone) | "vit"
    encoder_params: dict = field(default_factory=dict)
    decoder_dim: int = 256  # prompt-encoder / two-way-transformer width
    decoder_heads: int = 8
    decoder_mlp_dim: int = 2048
    decoder_depth: int = 2
    attn_downsample: int = 2  # cross-attention projects to decoder_dim / attn_downsample
    iou_head_hidden: int = 256
    detector_dim: int = 64
    mask_res: int = 256  # 256: SAM upscaling; 128: cheaper (masks doubled to 256 bilinearly)
    click_maps: bool = False  # add dense click/box maps to the dense prompt embedding (see PromptEncoder)
    # 1: the two-way transformer attends over the 64×64 embedding grid (SAM); 2: over a 32×32 grid
    # (the projected embedding folded 2×2), with a prompt-independent 64×64 skip joining the first
    # upscaling — 4× fewer tokens per prompt (see MaskDecoder)
    token_stride: int = 1
    # token_stride 2 only: residual depthwise-conv blocks on the prompt-conditioned 64² features before
    # the last upscaling — local spatial reasoning (a mask grows along the image's regions), which
    # global attention and 1×1 upscalings alone do not give
    mask_convs: int = 0
    # conv encoder + token_stride 2 only: F fine-detail maps from the image at 256² travel in the
    # embedding's last 16·F channels (4×4 space-to-depth), and they steer the upsampling of the
    # 128²-formed masks to 256², the low-res grid (see DetailUpsample, DetailBranch)
    detail_features: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, ModelConfig] = {
    # Default: small conv backbone (stride-8 patchify stem, depthwise-separable blocks) and a
    # narrow decoder over a 32×32 token grid, sized to train on a 2-core CPU in about an hour and
    # to decode a click in a few milliseconds.
    "tiny": ModelConfig(
        arch="tiny",
        encoder="conv",
        encoder_params={"widths": [24, 48, 96], "depths": [0, 1, 4], "kernel": 7, "expansion": 2, "stem_stride": 8},
        decoder_dim=64,
        decoder_heads=2,
        decoder_mlp_dim=256,
        decoder_depth=2,
        attn_downsample=2,
        iou_head_hidden=64,
        detector_dim=64,
        mask_res=128,
        click_maps=True,
        token_stride=2,
        mask_convs=2,
    ),
    # Test-sized model for the unit tests (fast on CPU; same I/O contract).
    "micro": ModelConfig(
        arch="micro",
        encoder="conv",
        encoder_params={"widths": [8, 16, 32], "depths": [0, 0, 1], "kernel": 3, "expansion": 2, "stem_stride": 8},
        decoder_dim=32,
        decoder_heads=2,
        decoder_mlp_dim=64,
        decoder_depth=1,
        attn_downsample=2,
        iou_head_hidden=32,
        detector_dim=16,
        mask_res=128,
        click_maps=True,
        token_stride=2,
        mask_convs=1,
    ),
}


def _sam_vit(name: str, embed_dim: int, depth: int, num_heads: int, global_attn_indexes: list[int]) -> ModelConfig:
    """The official SAM architecture (SAM-SPEC.md §2.1, §6.2, §10; build_sam.py): ViT with patch 16,
    MLP ratio 4, qkv bias, 14×14 windows, relative position terms in every block; SAM's prompt
    encoder (no click maps) and mask decoder (256-d, 8 heads, MLP 2048, 2 layers, 64² tokens, masks
    at 256²). An official checkpoint loads into it key for key (``sam_import.py``)."""
    return ModelConfig(
        arch=name,
        encoder="vit",
        encoder_params={
            "embed_dim": embed_dim,
            "depth": depth,
            "num_heads": num_heads,
            "patch_size": 16,
            "window_size": 14,
            "global_attn_indexes": global_attn_indexes,
            "mlp_ratio": 4.0,
            "use_rel_pos": True,
        },
        decoder_dim=256,
        decoder_heads=8,
        decoder_mlp_dim=2048,
        decoder_depth=2,
        attn_downsample=2,
        iou_head_hidden=256,
        detector_dim=64,
        mask_res=256,
        click_maps=False,
        token_stride=1,
        mask_convs=0,
    )


# tiny + fine detail: masks upsampled to 256² along the image's edges (the 128² mask grid caps one
# object in three of the studio family below IoU 0.85, whatever the logits); ``trainer grow`` makes one
# from a trained tiny model
PRESETS["tiny-hd"] = replace(PRESETS["tiny"], arch="tiny-hd", detail_features=8)
PRESETS["sam-vit-b"] = _sam_vit("sam-vit-b", 768, 12, 12, [2, 5, 8, 11])
PRESETS["sam-vit-l"] = _sam_vit("sam-vit-l", 1024, 24, 16, [5, 11, 17, 23])
PRESETS["sam-vit-h"] = _sam_vit("sam-vit-h", 1280, 32, 16, [7, 15, 23, 31])


def config_from_dict(d: dict) -> ModelConfig:
    return ModelConfig(**d)
