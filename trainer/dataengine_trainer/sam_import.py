"""Official SAM checkpoints (``sam_vit_b_01ec64.pth`` …, SAM-SPEC.md §10) → the trainer's model and a
bundle: the retrain path's starting point for a user who brings the real weights.

An official file is a flat ``state_dict`` of the official model. The ``sam-vit-*`` presets are the
same architecture, so every official tensor lands in exactly one trainer tensor — by a rename, or a
re-layout where the trainer computes the same function differently:

* 2×2 stride-2 convolutions (mask downscaling) run as space-to-depth + 1×1 conv: the kernel
  ``[out, in, 2, 2]`` becomes ``[out, in·4, 1, 1]`` (channel ``c·4 + dy·2 + dx``);
* 2×2 stride-2 transposed convolutions (mask upscaling) run as 1×1 conv + pixel shuffle: the kernel
  ``[in, out, 2, 2]`` becomes ``[out·4, in, 1, 1]`` (channel ``o·4 + dy·2 + dx``), the bias repeats 4×;
* ``Embedding`` rows (point-type embeddings, not-a-point, no-mask, IoU and mask tokens) become bare
  parameters (the four point-type rows one ``[4, 256]`` tensor).

Loading is strict both ways: an official key nothing consumes, or a trainer tensor nothing fills
(other than the trainer's own heads: the box detector and the IoU calibration, which keep their
fresh initialisation and are reported), is an error.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import time
import zipfile
from typing import Callable

import torch

from .device import _LOAD_HAS_WEIGHTS_ONLY
from .errors import TrainerError
from .model import PRESETS, ModelConfig, SamModel, build_model

# --model-type (the official names, build_sam.py) → trainer preset and the encoder's (width, depth)
MODEL_TYPES = {"vit_b": "sam-vit-b", "vit_l": "sam-vit-l", "vit_h": "sam-vit-h"}
ENCODER_SHAPES = {"vit_b": (768, 12), "vit_l": (1024, 24), "vit_h": (1280, 32)}
# trainer tensors no official checkpoint has: they keep their fresh initialisation
TRAINER_ONLY = {"detector.": "box detector head (untrained until a retrain)",
                "mask_decoder.iou_rescorer.": "mask-aware IoU rescorer (identity until fitted)",
                "mask_decoder.iou_calibration.": "IoU calibration (identity until fitted)"}


def _row(t: torch.Tensor) -> torch.Tensor:  # nn.Embedding(1, C).weight [1, C] → a [C] parameter
    return t.reshape(-1)


def _conv2x2_as_space_to_depth(w: torch.Tensor) -> torch.Tensor:  # [out, in, 2, 2] → [out, in·4, 1, 1]
    return w.reshape(w.shape[0], -1, 1, 1)


def _conv_transpose2x2_as_shuffle(w: torch.Tensor) -> torch.Tensor:  # [in, out, 2, 2] → [out·4, in, 1, 1]
    return w.permute(1, 2, 3, 0).reshape(-1, w.shape[0], 1, 1)


def _repeat4(b: torch.Tensor) -> torch.Tensor:  # bias of each output channel, for its 4 sub-pixels
    return b.repeat_interleave(4)


_ATTN = {"self_attn": "self_attn", "cross_attn_token_to_image": "t2i", "cross_attn_image_to_token": "i2t"}
_LIN = {"1": "0", "2": "2"}  # MLPBlock lin1 / lin2 → nn.Sequential(Linear, act, Linear)

# (official key pattern, trainer key (template or function of the match), re-layout or None)
_Rule = tuple[str, "str | Callable[[re.Match], str]", "Callable[[torch.Tensor], torch.Tensor] | None"]
RULES: list[_Rule] = [
    # image encoder (image_encoder.py): same names but the patch conv and the MLP's Sequential indices
    (r"image_encoder\.pos_embed", "image_encoder.pos_embed", None),
    (r"image_encoder\.patch_embed\.proj\.(weight|bias)", r"image_encoder.patch_embed.\1", None),
    (r"image_encoder\.blocks\.(\d+)\.(norm1|norm2)\.(weight|bias)", r"image_encoder.blocks.\1.\2.\3", None),
    (r"image_encoder\.blocks\.(\d+)\.attn\.(qkv|proj)\.(weight|bias)", r"image_encoder.blocks.\1.attn.\2.\3", None),
    (r"image_encoder\.blocks\.(\d+)\.attn\.(rel_pos_h|rel_pos_w)", r"image_encoder.blocks.\1.attn.\2", None),
    (r"image_encoder\.blocks\.(\d+)\.mlp\.lin([12])\.(weight|bias)",
     lambda m: f"image_encoder.blocks.{m[1]}.mlp.{_LIN[m[2]]}.{m[3]}", None),
    (r"image_encoder\.neck\.([0-3])\.(weight|bias)", r"image_encoder.neck.\1.\2", None),
    # prompt encoder (prompt_encoder.py); point_embeddings.N are gathered separately
    (r"prompt_encoder\.pe_layer\.positional_encoding_gaussian_matrix", "prompt_encoder.pe.gaussian", None),
    (r"prompt_encoder\.not_a_point_embed\.weight", "prompt_encoder.not_a_point", _row),
    (r"prompt_encoder\.no_mask_embed\.weight", "prompt_encoder.no_mask", _row),
    (r"prompt_encoder\.mask_downscaling\.([03])\.weight", r"prompt_encoder.mask_downscaling.\1.conv.weight",
     _conv2x2_as_space_to_depth),
    (r"prompt_encoder\.mask_downscaling\.([03])\.bias", r"prompt_encoder.mask_downscaling.\1.conv.bias", None),
    (r"prompt_encoder\.mask_downscaling\.([146])\.(weight|bias)", r"prompt_encoder.mask_downscaling.\1.\2", None),
    # mask decoder (mask_decoder.py)
    (r"mask_decoder\.transformer\.layers\.(\d+)\.(self_attn|cross_attn_token_to_image|cross_attn_image_to_token)"
     r"\.(q|k|v|out)_proj\.(weight|bias)",
     lambda m: f"mask_decoder.transformer.layers.{m[1]}.{_ATTN[m[2]]}.{m[3]}.{m[4]}", None),
    (r"mask_decoder\.transformer\.layers\.(\d+)\.(norm[1-4])\.(weight|bias)", r"mask_decoder.transformer.layers.\1.\2.\3",
     None),
    (r"mask_decoder\.transformer\.layers\.(\d+)\.mlp\.lin([12])\.(weight|bias)",
     lambda m: f"mask_decoder.transformer.layers.{m[1]}.mlp.{_LIN[m[2]]}.{m[3]}", None),
    (r"mask_decoder\.transformer\.final_attn_token_to_image\.(q|k|v|out)_proj\.(weight|bias)",
     r"mask_decoder.transformer.final_attn.\1.\2", None),
    (r"mask_decoder\.transformer\.norm_final_attn\.(weight|bias)", r"mask_decoder.transformer.norm_final.\1", None),
    (r"mask_decoder\.iou_token\.weight", "mask_decoder.iou_token", None),
    (r"mask_decoder\.mask_tokens\.weight", "mask_decoder.mask_tokens", None),
    (r"mask_decoder\.output_upscaling\.([03])\.weight", r"mask_decoder.upscale.\1.conv.weight",
     _conv_transpose2x2_as_shuffle),
    (r"mask_decoder\.output_upscaling\.([03])\.bias", r"mask_decoder.upscale.\1.conv.bias", _repeat4),
    (r"mask_decoder\.output_upscaling\.1\.(weight|bias)", r"mask_decoder.upscale.1.\1", None),
    (r"mask_decoder\.output_hypernetworks_mlps\.(\d+)\.layers\.(\d+)\.(weight|bias)", r"mask_decoder.hyper.\1.layers.\2.\3",
     None),
    (r"mask_decoder\.iou_prediction_head\.layers\.(\d+)\.(weight|bias)", r"mask_decoder.iou_head.layers.\1.\2", None),
]
_COMPILED = [(re.compile(p), target, fn) for p, target, fn in RULES]
_POINT_EMBEDDING = re.compile(r"prompt_encoder\.point_embeddings\.(\d+)\.weight")


def convert_state_dict(official: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], list[str]]:
    """Official keys → trainer keys (renamed / re-laid out). Returns (converted, official keys no rule consumes)."""
    out: dict[str, torch.Tensor] = {}
    unused: list[str] = []
    points: dict[int, torch.Tensor] = {}
    for key, value in official.items():
        m = _POINT_EMBEDDING.fullmatch(key)
        if m:
            points[int(m[1])] = value
            continue
        for pattern, target, fn in _COMPILED:
            m = pattern.fullmatch(key)
            if m:
                name = target(m) if callable(target) else m.expand(target)
                out[name] = fn(value) if fn is not None else value
                break
        else:
            unused.append(key)
    if points:
        if sorted(points) != list(range(len(points))):
            unused += [f"prompt_encoder.point_embeddings.{i}.weight" for i in sorted(points)]
        else:  # labels 0..3: negative, positive, box top-left, box bottom-right
            out["prompt_encoder.point_embeddings"] = torch.cat([points[i].reshape(1, -1) for i in range(len(points))])
    return out, unused


def detect_model_type(official: dict[str, torch.Tensor]) -> str | None:
    """vit_b / vit_l / vit_h from the image encoder's width and depth, or None."""
    width, depth = encoder_shape(official)
    return next((t for t, shape in ENCODER_SHAPES.items() if shape == (width, depth)), None)


def encoder_shape(official: dict[str, torch.Tensor]) -> tuple[int, int]:
    pos = official.get("image_encoder.pos_embed")
    blocks = {int(m[1]) for k in official if (m := re.match(r"image_encoder\.blocks\.(\d+)\.", k))}
    return (int(pos.shape[-1]) if pos is not None else 0), len(blocks)


def _describe(shape: tuple[int, int]) -> str:
    return f"image encoder width {shape[0]}, {shape[1]} blocks"


def load_official_checkpoint(path: str) -> dict[str, torch.Tensor]:
    """Reads a ``.pth`` state dict without running pickled code (``weights_only``), or fails with one
    line saying what the file is instead."""
    if not os.path.isfile(path):
        raise TrainerError(f"SAM checkpoint not found: {path}")
    if not _LOAD_HAS_WEIGHTS_ONLY:
        raise TrainerError(f"this torch ({torch.__version__}) cannot load {path} without running pickled code "
                           "(torch.load has no weights_only); use torch ≥ 1.13")
    with open(path, "rb") as f:
        head = f.read(2)
    if not zipfile.is_zipfile(path) and not head.startswith(b"\x80"):  # torch's zip format, or a legacy pickle
        raise TrainerError(f"{path} is not a readable PyTorch checkpoint (neither torch.save's zip format nor a pickle)")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise TrainerError(f"{path} stores Python objects that only pickle code execution can load, and it was not "
                           f"run (weights_only); an official SAM checkpoint is a plain state dict of tensors "
                           f"({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    except Exception as e:  # noqa: BLE001 — not a torch file at all (zip/magic-number errors, truncation)
        raise TrainerError(f"{path} is not a readable PyTorch checkpoint ({type(e).__name__}: "
                           f"{str(e).splitlines()[0] if str(e) else ''})") from None
    if isinstance(payload, dict) and payload.get("format") == "dataengine-sam-checkpoint/1":
        raise TrainerError(f"{path} is already a dataengine checkpoint; use it directly (train --init, export)")
    if isinstance(payload, dict):
        # fine-tuning scripts often save {"model": state_dict}; the official files are the bare state dict
        for wrapper in ("model", "state_dict"):
            inner = payload.get(wrapper)
            if isinstance(inner, dict) and any(str(k).startswith("image_encoder.") for k in inner):
                payload = inner
                break
    if not isinstance(payload, dict) or not payload:
        raise TrainerError(f"{path} is not a state dict (a mapping of parameter names to tensors): it holds "
                           f"{type(payload).__name__}")
    bad = [k for k, v in payload.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise TrainerError(f"{path} is not a state dict: {bad[0]!r} is a {type(payload[bad[0]]).__name__}, not a tensor")
    keys = list(payload)
    if any(k.startswith(("image_encoder.trunk.", "sam_mask_decoder.", "memory_attention.")) for k in keys):
        raise TrainerError(f"{path} is a SAM 2 checkpoint; only SAM (v1) ViT-B/L/H checkpoints can be imported")
    if "image_encoder.pos_embed" not in payload or not any(k.startswith("image_encoder.blocks.") for k in keys):
        raise TrainerError(f"{path} is not a SAM ViT checkpoint: it has no image_encoder.pos_embed / image_encoder.blocks.* "
                           f"(its keys start {', '.join(keys[:3])}{', …' if len(keys) > 3 else ''})")
    return {k: v.float() if v.is_floating_point() else v for k, v in payload.items()}


def import_official(official: dict[str, torch.Tensor], model_type: str | None = None,
                    config: ModelConfig | None = None, source: str = "the checkpoint") -> tuple[SamModel, dict]:
    """Builds the preset of ``model_type`` (or ``config``: the same architecture at another size, for
    tests) and loads the official tensors into it strictly. → (model, report)."""
    if config is None:
        if model_type not in MODEL_TYPES:
            raise TrainerError(f"unknown model type {model_type!r}; use one of {', '.join(MODEL_TYPES)}")
        found, shape = detect_model_type(official), encoder_shape(official)
        if found != model_type:
            what = f"a SAM {found} checkpoint" if found else "a checkpoint that matches none of vit_b, vit_l, vit_h"
            hint = f"; run again with --model-type {found}" if found else ""
            raise TrainerError(f"{source} is {what} ({_describe(shape)}), not {model_type} "
                               f"({_describe(ENCODER_SHAPES[model_type])}){hint}")
        config = PRESETS[MODEL_TYPES[model_type]]
    converted, unused = convert_state_dict(official)
    model = build_model(config, seed=0)
    own = model.state_dict()
    fresh = [k for k in own if k.startswith(tuple(TRAINER_ONLY))]
    missing = [k for k in own if k not in converted and k not in fresh]
    unexpected = unused + [k for k in converted if k not in own or k in fresh]
    wrong = [f"{k} {tuple(v.shape)} (expected {tuple(own[k].shape)})" for k, v in converted.items()
             if k in own and k not in fresh and v.shape != own[k].shape]
    if missing or unexpected or wrong:
        parts = []
        for label, items in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong)):
            if items:
                parts.append(f"{len(items)} {label}: {', '.join(items[:4])}{', …' if len(items) > 4 else ''}")
        raise TrainerError(f"{source} does not match the {config.arch} architecture: {'; '.join(parts)}")
    model.load_state_dict({**{k: own[k] for k in fresh}, **converted}, strict=True)
    report = {
        "model_type": model_type,
        "arch": config.arch,
        "official_tensors": len(official),
        "loaded_tensors": len(converted),
        "parameters": sum(p.numel() for p in model.parameters()),
        "fresh": {prefix.rstrip("."): why for prefix, why in TRAINER_ONLY.items()},
    }
    return model, report


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def import_sam_checkpoint(path: str, out_dir: str, model_type: str | None, name: str | None = None,
                          config: ModelConfig | None = None,
                          on_phase: Callable[..., None] | None = None) -> dict:
    """``.pth`` → a complete bundle in ``out_dir``: model.pt (the trainer's checkpoint, so ``train --init
    out_dir`` fine-tunes it), encoder.onnx and decoder.onnx (the official export contract, SAM-SPEC.md
    §1), manifest.json. No detector.onnx and no ``detector`` contract: the head is untrained, so stage-2
    prefill refuses the bundle until a retrain (which trains the head) produces one with it."""
    from .export import export_bundle

    started = time.time()
    phase = on_phase or (lambda *_a, **_k: None)
    phase("reading", checkpoint=os.path.abspath(path))
    official = load_official_checkpoint(path)
    model, report = import_official(official, model_type, config, source=path)
    del official
    loaded_s = time.time() - started
    phase("exporting", arch=model.config.arch, parameters=report["parameters"])
    name = name or os.path.basename(os.path.abspath(out_dir))
    source = {"kind": "official SAM checkpoint", "file": os.path.basename(path), "sha256": _sha256(path),
              "bytes": os.path.getsize(path), "model_type": model_type}
    untrained = ["detector"]
    manifest = export_bundle(
        model, out_dir, name, {"parent": None, "snapshot_id": None}, None,
        extra={"model_type": model.config.arch, "source": source, "untrained_heads": untrained,
               "training": {"step": 0, "steps_total": None, "seed": None, "elapsed_s": None, "partial": False,
                            "stopped_by": None}},
        ckpt_meta={"step": 0, "arch": model.config.arch, "source": source, "untrained_heads": untrained},
        include_detector=False,
    )
    files = {f: os.path.getsize(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir))}
    return {**report, "out": os.path.abspath(out_dir), "name": manifest["name"], "files": files,
            "load_s": round(loaded_s, 3), "elapsed_s": round(time.time() - started, 3)}
