"""Atomic checkpoint I/O: write to a temp file in the same directory, fsync, rename."""
from __future__ import annotations

import json
import os
import tempfile

import torch

from .device import cpu_state, torch_load
from .errors import TrainerError
from .model import SamModel, build_model, config_from_dict

CHECKPOINT_FORMAT = "dataengine-sam-checkpoint/1"


def _atomic(path: str, write) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; bundles are read by other processes/users
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str, data: bytes) -> None:
    _atomic(path, lambda f: f.write(data))


def atomic_write_json(path: str, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode())


def _to_cpu(v):
    if isinstance(v, torch.Tensor):
        return v.detach().cpu()
    if isinstance(v, dict):
        return {k: _to_cpu(x) for k, x in v.items()}
    return v


def save_checkpoint(path: str, model: SamModel, **meta) -> None:
    """Always CPU tensors (a checkpoint written on a GPU machine loads here as it is)."""
    payload = {"format": CHECKPOINT_FORMAT, "config": model.config.to_dict(), "state_dict": cpu_state(model),
               **{k: _to_cpu(v) for k, v in meta.items()}}
    _atomic(path, lambda f: torch.save(payload, f))


def load_checkpoint(path: str) -> tuple[SamModel, dict]:
    """Loads a checkpoint file or a bundle directory (its ``model.pt``) → (model, metadata)."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.pt")
    if not os.path.isfile(path):
        raise TrainerError(f"checkpoint not found: {path}")
    try:
        payload = torch_load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 — any unpickling failure is a bad file for the caller
        raise TrainerError(f"checkpoint {path} is unreadable ({type(e).__name__}: {e})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise TrainerError(f"checkpoint {path} is not a {CHECKPOINT_FORMAT} file")
    model = build_model(config_from_dict(payload["config"]))
    model.load_state_dict(payload["state_dict"])
    meta = {k: v for k, v in payload.items() if k not in ("state_dict", "config", "optimizer")}
    meta["path"] = path
    return model, meta
