"""Splits the decoder's latency into the model core (prompt encoder + mask decoder → low-res
logits) and the contract's in-graph upscaling to orig_im_size (SAM-SPEC.md §1.5), by exporting the
core alone to a temporary file and timing both in onnxruntime-node.

Usage: PYTHONPATH=trainer /usr/bin/python3 trainer/scripts/bench_decoder_split.py BUNDLE [--height 768 --width 1024]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np
import torch

from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.export import DECODER_INPUTS, _export
from dataengine_trainer.ort_bridge import run_onnx


class DecoderCore(torch.nn.Module):
    def __init__(self, model) -> None:
        super().__init__()
        self.pe, self.dec = model.prompt_encoder, model.mask_decoder

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input):
        dense = self.pe.dense_embedding(point_coords, point_labels, mask_input, has_mask_input)
        sparse = self.pe.embed_points(point_coords, point_labels)
        return self.dec(self.dec.project(image_embeddings), self.pe.dense_pe(), sparse, dense,
                        prompt=(point_coords, point_labels, has_mask_input))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("bundle")
    p.add_argument("--height", type=int, default=768)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--repeat", type=int, default=30)
    a = p.parse_args()
    model, _ = load_checkpoint(a.bundle)
    model.eval()
    s = 1024 / max(a.height, a.width)
    inputs = {
        "image_embeddings": np.random.default_rng(0).standard_normal((1, 256, 64, 64)).astype(np.float32),
        "point_coords": np.array([[[0.4 * a.width * s, 0.5 * a.height * s], [0, 0]]], np.float32),
        "point_labels": np.array([[1, -1]], np.float32),
        "mask_input": np.zeros((1, 1, 256, 256), np.float32),
        "has_mask_input": np.zeros((1,), np.float32),
    }
    with tempfile.TemporaryDirectory() as d:
        core = os.path.join(d, "core.onnx")
        with torch.no_grad():
            data = _export(DecoderCore(model), tuple(torch.from_numpy(inputs[k]) for k in DECODER_INPUTS[:5]),
                           DECODER_INPUTS[:5], ["low_res_masks", "iou_predictions"],
                           {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}})
        with open(core, "wb") as f:
            f.write(data)
        _, t_core = run_onnx(core, inputs, repeat=a.repeat, warmup=3)
    full_inputs = dict(inputs, orig_im_size=np.array([a.height, a.width], np.float32))
    _, t_full = run_onnx(os.path.join(a.bundle, "decoder.onnx"), full_inputs, repeat=a.repeat, warmup=3)
    med = lambda t: round(float(np.median(t)), 2)  # noqa: E731
    print(json.dumps({"decoder_full_ms": med(t_full), "decoder_core_ms": med(t_core),
                      "upscaling_ms": round(med(t_full) - med(t_core), 2), "orig_im_size": [a.height, a.width]}))


if __name__ == "__main__":
    main()
