"""Export a checkpoint to a bundle: encoder.onnx, decoder.onnx, detector.onnx, model.pt, manifest.json.

The manifest follows libs/segment's bundle schema (`dataengine-checkpoint-bundle` v1, snake_case)."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import warnings

import torch

from .checkpoint import atomic_write_bytes, atomic_write_json, load_checkpoint, save_checkpoint
from .constants import (BUNDLE_FORMAT_VERSION, EMBED_DIM, EMBED_SIZE, IMAGE_SIZE, LOW_RES_SIZE, MASK_THRESHOLD,
                        NUM_MASK_TOKENS, ONNX_OPSET, PIXEL_MEAN, PIXEL_STD)
from .errors import TrainerError
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


# Above this many parameter bytes a graph keeps its weights in a side file ``<name>.data`` (protobuf
# caps one message at 2 GB: SAM ViT-H's encoder is 2.5 GB; the TS side reads such files, SAM-SPEC.md §2.4).
EXTERNAL_DATA_BYTES = 1 << 30


def _export(module: torch.nn.Module, args: tuple, input_names, output_names, dynamic_axes=None, path: str | None = None) -> bytes | None:
    """The ONNX graph as bytes, or (``path``) written to that file — the only way torch exports a model
    over 2 GB (it then stores the weights beside it)."""
    buf = io.BytesIO() if path is None else path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about data-dependent sizes are expected (§1.5)
        torch.onnx.export(module, args, buf, export_params=True, opset_version=ONNX_OPSET, do_constant_folding=True,
                          input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes)
    return buf.getvalue() if path is None else None


def _declare_shapes(proto, want: dict[str, list]) -> None:
    for out in proto.graph.output:
        if out.name in want:
            dims = out.type.tensor_type.shape.dim
            for d, v in zip(dims, want[out.name]):
                if isinstance(v, int):
                    d.dim_value = v
                else:
                    d.dim_param = v


def _declare_output_shapes(data: bytes, want: dict[str, list]) -> bytes:
    """The tracer may leave output dims anonymous (data-dependent ``masks`` dims; reshapes in the
    ViT): declare the contract shapes (SAM-SPEC.md §1.3, §2.1)."""
    import onnx

    proto = onnx.load_from_string(data)
    _declare_shapes(proto, want)
    return proto.SerializeToString()


def _graphs(model: SamModel, include_detector: bool = True):
    """(file, wrapper, example inputs, input names, output names, dynamic axes, declared output shapes)."""
    emb = [1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE]
    grid = [1, 1, EMBED_SIZE, EMBED_SIZE]
    yield ("encoder.onnx", EncoderOnnx(model), (torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE),), [ENCODER_INPUT], [ENCODER_OUTPUT],
           None, {ENCODER_OUTPUT: emb})
    yield ("decoder.onnx", DecoderOnnx(model), example_decoder_inputs(), DECODER_INPUTS, DECODER_OUTPUTS,
           {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}},
           {"masks": [1, NUM_MASK_TOKENS, "H", "W"], "iou_predictions": [1, NUM_MASK_TOKENS],
            "low_res_masks": [1, NUM_MASK_TOKENS, LOW_RES_SIZE, LOW_RES_SIZE]})
    if include_detector:
        yield ("detector.onnx", DetectorOnnx(model), (torch.randn(1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE),), ["image_embeddings"],
               DETECTOR_OUTPUTS, None, {"objectness": grid, "boxes": [1, 4, EMBED_SIZE, EMBED_SIZE]})


def export_onnx(model: SamModel) -> dict[str, bytes]:
    model = model.eval()
    out = {}
    with torch.no_grad():
        for fname, module, args, ins, outs, axes, shapes in _graphs(model):
            out[fname] = _declare_output_shapes(_export(module, args, ins, outs, axes), shapes)
    return out


def _param_bytes(module: torch.nn.Module) -> int:
    return sum(t.numel() * t.element_size() for t in list(module.parameters()) + list(module.buffers()))


def write_onnx_files(model: SamModel, out_dir: str, include_detector: bool = True,
                     external_data_bytes: int | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    """Exports the bundle's graphs into ``out_dir``; a graph whose weights exceed ``external_data_bytes``
    is written as ``<file>`` + ``<file>.data`` (all its weights in one side file). Returns the file names.
    Graphs named in ``skip`` are not exported (the caller provides them)."""
    import onnx

    limit = EXTERNAL_DATA_BYTES if external_data_bytes is None else external_data_bytes
    model = model.eval()
    written = []
    with torch.no_grad():
        for fname, module, args, ins, outs, axes, shapes in _graphs(model, include_detector):
            if fname in skip:
                continue
            path = os.path.join(out_dir, fname)
            if _param_bytes(module) <= limit:
                atomic_write_bytes(path, _declare_output_shapes(_export(module, args, ins, outs, axes), shapes))
                written.append(fname)
                continue
            with tempfile.TemporaryDirectory(dir=out_dir) as raw_dir:
                raw = os.path.join(raw_dir, fname)
                _export(module, args, ins, outs, axes, path=raw)
                proto = onnx.load(raw)  # with any side files torch wrote
            _declare_shapes(proto, shapes)
            onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=fname + ".data", size_threshold=1024)
            written += [fname, fname + ".data"]
    return written


def build_manifest(model: SamModel, name: str, lineage: dict, metrics: dict | None, extra: dict | None = None,
                   include_detector: bool = True) -> dict:
    """``include_detector`` False: no ``detector`` contract and no detector.onnx (a head that was never
    trained, e.g. an imported SAM checkpoint's: stage-2 prefill refuses a bundle without one)."""
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
        **({"detector": {
            "input": "image_embeddings",
            "outputs": {"objectness": [1, 1, EMBED_SIZE, EMBED_SIZE], "boxes": [1, 4, EMBED_SIZE, EMBED_SIZE]},
            "box_format": "ltrb",
            "score": "logit",
            "stride": IMAGE_SIZE // EMBED_SIZE,
            "targets": "whole objects (roots of the part tree)",
        }} if include_detector else {}),
        "lineage": {
            "parent": lineage.get("parent"),
            "snapshot_id": lineage.get("snapshot_id"),
            "metrics": numeric,
            "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        },
        "architecture": model.config.to_dict(),
        "files": {"encoder": "encoder.onnx", "decoder": "decoder.onnx",
                  **({"detector": "detector.onnx"} if include_detector else {}), "pytorch": "model.pt"},
        **(extra or {}),
    }


def check_same_encoder(model: SamModel, bundle_dir: str) -> None:
    """TrainerError unless ``bundle_dir`` has an encoder.onnx and its model.pt has exactly ``model``'s
    image-encoder weights and buffers."""
    if not os.path.isfile(os.path.join(bundle_dir, "encoder.onnx")):
        raise TrainerError(f"--encoder-from {bundle_dir}: the bundle has no encoder.onnx")
    parent, _ = load_checkpoint(bundle_dir)
    mine, theirs = model.image_encoder.state_dict(), parent.image_encoder.state_dict()
    differs = [k for k in mine if k not in theirs or mine[k].shape != theirs[k].shape or not torch.equal(mine[k], theirs[k])]
    differs += sorted(set(theirs) - set(mine))
    if differs:
        raise TrainerError(f"--encoder-from {bundle_dir}: the checkpoint's image encoder differs from the bundle's "
                           f"({len(differs)} tensor(s), e.g. {differs[0]}); export without --encoder-from")


def export_bundle(model: SamModel, out_dir: str, name: str, lineage: dict, metrics: dict | None = None,
                  extra: dict | None = None, ckpt_meta: dict | None = None, include_pytorch: bool = True,
                  include_detector: bool = True, encoder_from: str | None = None) -> dict:
    """Writes the bundle into a temp dir beside ``out_dir`` and swaps it in, so readers never see a half bundle.
    ``include_detector`` False leaves out detector.onnx and the manifest's detector contract (model.pt
    still holds the head, so a retrain trains it and exports it). ``encoder_from``: a bundle whose
    image encoder is ``model``'s (a fast retrain's parent); its encoder graph is copied byte for byte,
    so both bundles share stored embeddings (TrainerError when the encoders differ)."""
    out_dir = os.path.abspath(out_dir)
    if encoder_from:
        check_same_encoder(model, encoder_from)
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
    for f in ("encoder.onnx", "encoder.onnx.data") if encoder_from else ():
        if os.path.isfile(os.path.join(encoder_from, f)):
            shutil.copyfile(os.path.join(encoder_from, f), os.path.join(tmp, f))
    write_onnx_files(model, tmp, include_detector, skip=("encoder.onnx",) if encoder_from else ())
    if include_pytorch:
        save_checkpoint(os.path.join(tmp, "model.pt"), model, model_name=name, **(ckpt_meta or {}))
    manifest = build_manifest(model, name, lineage, metrics, extra, include_detector)
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
