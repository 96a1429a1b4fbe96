"""Export a checkpoint to a bundle: encoder.onnx, decoder.onnx, detector.onnx, model.pt, manifest.json.

The manifest follows libs/segment's bundle schema (`dataengine-checkpoint-bundle` v1, snake_case)."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import warnings

import torch

from .checkpoint import atomic_write_bytes, atomic_write_json, save_checkpoint
from .constants import (BUNDLE_FORMAT_VERSION, EMBED_DIM, EMBED_SIZE, IMAGE_SIZE, LOW_RES_SIZE, MASK_THRESHOLD,
                        NUM_MASK_TOKENS, ONNX_OPSET, PIXEL_MEAN, PIXEL_STD)
from .model import SamModel
from .onnx_modules import DecoderOnnx, DetectorOnnx, EncoderOnnx

BUNDLE_FORMAT = "dataengine-checkpoint-bundle"
ENCODER_INPUT = "input_image"
ENCODER_OUTPUT = "image_embeddings"
DECODER_INPUTS = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"]
DECODER_OUTPUTS = ["masks", "iou_predictions", "low_res_masks"]
DETECTOR_OUTPUTS = ["objectness", "boxes"]


def example_decoder_inputs(num_points: int = 3) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE, generator=g),
        torch.randint(0, IMAGE_SIZE, (1, num_points, 2), generator=g).to(torch.float32),
        torch.tensor([[1.0] * (num_points - 1) + [-1.0]]),
        torch.randn(1, 1, LOW_RES_SIZE, LOW_RES_SIZE, generator=g),
        torch.tensor([1.0]),
        torch.tensor([1500.0, 2250.0]),
    )


def _export(module: torch.nn.Module, args: tuple, input_names, output_names, dynamic_axes=None) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about data-dependent sizes are expected (§1.5)
        torch.onnx.export(module, args, buf, export_params=True, opset_version=ONNX_OPSET, do_constant_folding=True,
                          input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes)
    return buf.getvalue()


def _declare_output_shapes(data: bytes, want: dict[str, list]) -> bytes:
    """The tracer may leave output dims anonymous (data-dependent ``masks`` dims; reshapes in the
    ViT): declare the contract shapes (SAM-SPEC.md §1.3, §2.1)."""
    import onnx

    proto = onnx.load_from_string(data)
    for out in proto.graph.output:
        if out.name in want:
            dims = out.type.tensor_type.shape.dim
            for d, v in zip(dims, want[out.name]):
                if isinstance(v, int):
                    d.dim_value = v
                else:
                    d.dim_param = v
    return proto.SerializeToString()


def export_onnx(model: SamModel) -> dict[str, bytes]:
    model = model.eval()
    with torch.no_grad():
        enc = _export(EncoderOnnx(model), (torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE),), [ENCODER_INPUT], [ENCODER_OUTPUT])
        dec = _export(DecoderOnnx(model), example_decoder_inputs(), DECODER_INPUTS, DECODER_OUTPUTS,
                      {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}})
        det = _export(DetectorOnnx(model), (torch.randn(1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE),), ["image_embeddings"],
                      DETECTOR_OUTPUTS)
    emb = [1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE]
    grid = [1, 1, EMBED_SIZE, EMBED_SIZE]
    return {
        "encoder.onnx": _declare_output_shapes(enc, {ENCODER_OUTPUT: emb}),
        "decoder.onnx": _declare_output_shapes(dec, {"masks": [1, NUM_MASK_TOKENS, "H", "W"],
                                                     "iou_predictions": [1, NUM_MASK_TOKENS],
                                                     "low_res_masks": [1, NUM_MASK_TOKENS, LOW_RES_SIZE, LOW_RES_SIZE]}),
        "detector.onnx": _declare_output_shapes(det, {"objectness": grid, "boxes": [1, 4, EMBED_SIZE, EMBED_SIZE]}),
    }


def build_manifest(model: SamModel, name: str, lineage: dict, metrics: dict | None, extra: dict | None = None) -> dict:
    numeric = {k: float(v) for k, v in (metrics or {}).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "name": name,
        "model_type": f"dataengine-{model.config.arch}",
        "image_size": IMAGE_SIZE,
        "pixel_mean": list(PIXEL_MEAN),
        "pixel_std": list(PIXEL_STD),
        "image_format": "RGB",
        "embedding_shape": [EMBED_DIM, EMBED_SIZE, EMBED_SIZE],
        "low_res_size": LOW_RES_SIZE,
        "mask_channels": NUM_MASK_TOKENS,
        "mask_threshold": MASK_THRESHOLD,
        "opset": ONNX_OPSET,
        "encoder": {"input": ENCODER_INPUT, "output": ENCODER_OUTPUT},
        "decoder": {"inputs": DECODER_INPUTS, "outputs": DECODER_OUTPUTS},
        "detector": {
            "input": "image_embeddings",
            "outputs": {"objectness": [1, 1, EMBED_SIZE, EMBED_SIZE], "boxes": [1, 4, EMBED_SIZE, EMBED_SIZE]},
            "box_format": "ltrb",
            "score": "logit",
            "stride": IMAGE_SIZE // EMBED_SIZE,
            "targets": "whole objects (roots of the part tree)",
        },
        "lineage": {
            "parent": lineage.get("parent"),
            "snapshot_id": lineage.get("snapshot_id"),
            "metrics": numeric,
            "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        },
        "architecture": model.config.to_dict(),
        "files": {"encoder": "encoder.onnx", "decoder": "decoder.onnx", "detector": "detector.onnx", "pytorch": "model.pt"},
        **(extra or {}),
    }


def export_bundle(model: SamModel, out_dir: str, name: str, lineage: dict, metrics: dict | None = None,
                  extra: dict | None = None, ckpt_meta: dict | None = None, include_pytorch: bool = True) -> dict:
    """Writes the bundle into a temp dir beside ``out_dir`` and swaps it in, so readers never see a half bundle."""
    out_dir = os.path.abspath(out_dir)
    parent_dir = os.path.dirname(out_dir)
    os.makedirs(parent_dir, exist_ok=True)
    tmp = out_dir + ".tmp-export"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    keep = {}
    if os.path.isdir(out_dir):  # keep hand-written files (e.g. MODEL_CARD.md) that export does not produce
        for f in os.listdir(out_dir):
            if f.endswith(".md"):
                keep[f] = os.path.join(out_dir, f)
    for fname, data in export_onnx(model).items():
        atomic_write_bytes(os.path.join(tmp, fname), data)
    if include_pytorch:
        save_checkpoint(os.path.join(tmp, "model.pt"), model, model_name=name, **(ckpt_meta or {}))
    manifest = build_manifest(model, name, lineage, metrics, extra)
    if not include_pytorch:
        manifest["files"].pop("pytorch")
    atomic_write_json(os.path.join(tmp, "manifest.json"), manifest)
    for f, src in keep.items():
        shutil.copy2(src, os.path.join(tmp, f))
    old = out_dir + ".old-export"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.isdir(out_dir):
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return manifest
