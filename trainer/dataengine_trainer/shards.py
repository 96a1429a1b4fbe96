"""A checkpoint as pickle-free shards, for bringing a model back from a lent GPU machine (files come
back only if each is ≤ 16 MB, ≤ 8 in all; the torch there is 2.x, here 1.13).

``write_shards`` turns a ``checkpoint.pt`` into ``gpu_result.json`` (format, model config, the
checkpoint's metadata, where each tensor is, each shard's size and sha256) plus
``model-0000k-of-0000n.npz`` (numpy arrays, no pickle: any numpy and torch version reads them).
Floating tensors are stored as float32 when the whole state fits in ``AUTO_MAX_SHARDS`` shards
(the default model's does: ~2 MB) and as float16 otherwise (or when asked); integer tensors keep
their dtype; a tensor that float16 cannot hold (|x| > 65504) stays float32.
``read_shards`` reverses it (float32 state dicts), checking the hashes; ``trainer/scripts/
import_gpu_result.py`` writes the result as an ordinary checkpoint.

  python3 -m dataengine_trainer.shards --checkpoint RUN/checkpoint.pt --out OUT_DIR [--dtype auto|float16|float32]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch

from .checkpoint import CHECKPOINT_FORMAT, atomic_write_json
from .device import torch_load
from .errors import TrainerError

SHARD_FORMAT = "dataengine-state-shards/1"
RESULT_NAME = "gpu_result.json"
MAX_SHARD_BYTES = 15_000_000
AUTO_MAX_SHARDS = 4  # float32 while the state fits in this many shards (≤ 8 files come back, logs too)
FLOAT16_MAX = 65504.0
GROUPS = ("state_dict", "affinity_state")  # the checkpoint's tensor dicts


def _json_safe(v):
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, torch.Tensor) and v.numel() == 1:
        return v.item()
    return str(v)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_shards(checkpoint: str, out_dir: str, dtype: str = "auto", max_shard_bytes: int = MAX_SHARD_BYTES,
                 extra: dict | None = None) -> dict:
    """checkpoint.pt → out_dir/gpu_result.json + shards. Returns the result index."""
    payload = torch_load(checkpoint, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise TrainerError(f"{checkpoint} is not a {CHECKPOINT_FORMAT} file")
    named = [(g, k, v.detach().cpu()) for g in GROUPS for k, v in (payload.get(g) or {}).items()]
    f32_bytes = sum(v.numel() * (4 if v.is_floating_point() else v.element_size()) for _, _, v in named)
    if dtype == "auto":
        dtype = "float32" if f32_bytes <= AUTO_MAX_SHARDS * max_shard_bytes else "float16"
    if dtype not in ("float16", "float32"):
        raise TrainerError(f"shard dtype must be auto, float16 or float32, not {dtype!r}")
    arrays, entries = [], []
    for g, k, v in named:
        if v.is_floating_point():
            keep32 = dtype == "float32" or (v.numel() and float(v.abs().max()) > FLOAT16_MAX)
            a = v.to(torch.float32 if keep32 else torch.float16).numpy()
        else:
            a = v.numpy()
        arrays.append(np.asarray(a, order="C"))  # (ascontiguousarray would make 0-d arrays 1-d)
        entries.append({"group": g, "key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                        "stored": str(a.dtype)})
    # greedy, in state-dict order; a shard's npz adds ~ 200 bytes per array to the data
    shards: list[list[int]] = [[]]
    used = 0
    for i, a in enumerate(arrays):
        size = a.nbytes + 256
        if size > max_shard_bytes:
            raise TrainerError(f"tensor {entries[i]['key']} ({size} bytes) does not fit one shard of {max_shard_bytes}")
        if used + size > max_shard_bytes and shards[-1]:
            shards.append([])
            used = 0
        shards[-1].append(i)
        used += size
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for s, idx in enumerate(shards):
        name = f"model-{s + 1:05d}-of-{len(shards):05d}.npz"
        path = os.path.join(out_dir, name)
        tmp = path + ".tmp.npz"
        np.savez(tmp, **{f"t{i}": arrays[i] for i in idx})
        os.replace(tmp, path)
        for i in idx:
            entries[i]["shard"] = name
            entries[i]["name"] = f"t{i}"
        files.append({"file": name, "bytes": os.path.getsize(path), "sha256": _sha256(path)})
    meta = {k: _json_safe(v) for k, v in payload.items() if k not in ("format", "config", *GROUPS, "optimizer")}
    result = {"format": SHARD_FORMAT, "checkpoint_format": CHECKPOINT_FORMAT, "dtype": dtype,
              "config": payload["config"], "meta": meta, "has_affinity": payload.get("affinity_state") is not None,
              "tensors": entries, "shards": files,
              "written_by": {"torch": torch.__version__, "numpy": np.__version__,
                             "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None},
              **(extra or {})}
    atomic_write_json(os.path.join(out_dir, RESULT_NAME), result)
    return result


def read_shards(path: str) -> tuple[dict, dict, dict | None, dict]:
    """gpu_result.json (or its directory) → (result index, float32 state dict, affinity state or None,
    checkpoint metadata). Fails on a missing or altered shard."""
    if os.path.isdir(path):
        path = os.path.join(path, RESULT_NAME)
    try:
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise TrainerError(f"cannot read {path} ({e})") from None
    if result.get("format") != SHARD_FORMAT:
        raise TrainerError(f"{path} is not a {SHARD_FORMAT} index")
    root = os.path.dirname(os.path.abspath(path))
    loaded = {}
    for s in result["shards"]:
        p = os.path.join(root, s["file"])
        if not os.path.isfile(p):
            raise TrainerError(f"shard missing: {p}")
        if _sha256(p) != s["sha256"]:
            raise TrainerError(f"shard {p} does not match its sha256 in {path}")
        with np.load(p, allow_pickle=False) as z:
            loaded[s["file"]] = {k: z[k] for k in z.files}
    groups: dict[str, dict] = {g: {} for g in GROUPS}
    for e in result["tensors"]:
        a = loaded[e["shard"]][e["name"]]
        t = torch.from_numpy(np.array(a))
        want = getattr(torch, e["dtype"])
        t = t.to(want)
        if list(t.shape) != e["shape"]:
            raise TrainerError(f"tensor {e['key']} has shape {list(t.shape)}, expected {e['shape']}")
        groups[e["group"]][e["key"]] = t
    aff = groups["affinity_state"] if result.get("has_affinity") else None
    return result, groups["state_dict"], aff, result.get("meta") or {}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m dataengine_trainer.shards", description="checkpoint → shards")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--dtype", default="auto", choices=["auto", "float16", "float32"])
    p.add_argument("--max-shard-bytes", type=int, default=MAX_SHARD_BYTES)
    p.add_argument("--extra", default=None, help="JSON file whose object is merged into gpu_result.json")
    a = p.parse_args(argv)
    try:
        extra = None
        if a.extra:
            with open(a.extra, encoding="utf-8") as f:
                extra = json.load(f)
        r = write_shards(a.checkpoint, a.out, a.dtype, a.max_shard_bytes, extra)
    except (TrainerError, OSError, json.JSONDecodeError) as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    print(json.dumps({"event": "shards_done", "dtype": r["dtype"], "shards": r["shards"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
