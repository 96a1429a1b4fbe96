"""Runs ONNX models through onnxruntime-node (no Python onnxruntime on our machines) via
``tests/ort_run.mjs``: inputs/outputs travel as raw float32 files."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile

import numpy as np

RUNNER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "ort_run.mjs")


def run_onnx(model_path: str, inputs: dict[str, np.ndarray], threads: int = 2, repeat: int = 1,
             warmup: int = 0, timeout: float = 300) -> tuple[dict[str, np.ndarray], list[float]]:
    with tempfile.TemporaryDirectory(prefix="ort-") as d:
        spec = {"model": os.path.abspath(model_path), "inputs": {}, "outDir": d, "threads": threads,
                "repeat": repeat, "warmup": warmup}
        for name, arr in inputs.items():
            f = os.path.join(d, f"in_{name}.f32")
            np.ascontiguousarray(arr, dtype="<f4").tofile(f)
            spec["inputs"][name] = {"shape": list(arr.shape), "file": f}
        spec_path = os.path.join(d, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        proc = subprocess.run(["node", RUNNER, spec_path], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed: {proc.stderr.strip()[-2000:]}")
        with open(os.path.join(d, "result.json")) as f:
            result = json.load(f)
        outs = {name: np.fromfile(os.path.join(d, f"{name}.f32"), dtype="<f4").reshape(shape)
                for name, shape in result["outputs"].items()}
        return outs, result["times_ms"]
