"""Turns what a GPU session brought back (``gpu_result.json`` + ``model-*.npz`` shards, written by
``trainer/scripts/gpu_train.sh`` through ``dataengine_trainer.shards``) into an ordinary float32
``checkpoint.pt`` (dataengine-sam-checkpoint/1) for ``python3 -m dataengine_trainer eval/export``.
Runs here, with Debian's torch 1.13 on the CPU.

  PYTHONPATH=trainer /usr/bin/python3 trainer/scripts/import_gpu_result.py --result DIR_OR_gpu_result.json \
      --out RUN_DIR/checkpoint.pt

The model is rebuilt from the recorded config and the state loaded strictly (every key, every
shape); the checkpoint keeps the run's metadata (step, parent, snapshot id, seed, args, ...) and
adds ``imported_from`` (shard dtype, the device's torch and GPU). Prints one JSON line."""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from dataengine_trainer.errors import TrainerError  # noqa: E402
from dataengine_trainer.model import build_model, config_from_dict  # noqa: E402
from dataengine_trainer.shards import read_shards  # noqa: E402


def import_result(result_path: str, out: str) -> dict:
    result, state, affinity, meta = read_shards(result_path)
    model = build_model(config_from_dict(result["config"]))
    model.load_state_dict(state, strict=True)
    meta = {k: v for k, v in meta.items() if k not in ("path", "affinity_state")}
    meta["imported_from"] = {"result": os.path.abspath(result_path), "dtype": result["dtype"],
                             "written_by": result.get("written_by")}
    save_checkpoint(out, model, affinity_state=affinity, **meta)
    load_checkpoint(out)  # reads back as the trainer does
    return {"event": "import_done", "checkpoint": os.path.abspath(out), "step": meta.get("step"),
            "dtype": result["dtype"], "params": sum(p.numel() for p in model.parameters()),
            "affinity": affinity is not None}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--result", required=True, help="directory holding gpu_result.json (or the file)")
    p.add_argument("--out", required=True, help="checkpoint.pt to write")
    a = p.parse_args(argv)
    try:
        print(json.dumps(import_result(a.result, a.out)))
    except TrainerError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
