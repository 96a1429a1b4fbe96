"""Device selection and the few torch-version differences the trainer meets (torch 1.13 CPU here,
torch 2.x with CUDA on a lent GPU machine)."""
from __future__ import annotations

import contextlib
import inspect

import torch

from .errors import TrainerError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """``auto`` → cuda when available, else cpu; ``cuda`` without a GPU is a caller error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise TrainerError(f"--device {name}: CUDA is not available to this torch ({torch.__version__})")
        return torch.device(name)
    raise TrainerError(f"unknown --device {name!r}; use one of {', '.join(DEVICE_CHOICES)}")


def configure(device: torch.device) -> None:
    """Fast float32 math on CUDA: TF32 matmuls and convolutions. No cuDNN autotuning: the number of
    prompts changes from batch to batch, and every new shape would be tuned again."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def autocast(device: torch.device, enabled: bool):
    """bf16 autocast on CUDA; a no-op context when not enabled."""
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def amp_supported(device: torch.device) -> bool:
    """CUDA with bf16 only. CPU autocast is not offered: torch 1.13's CPU autocast leaves layer_norm's
    input bf16 beside float32 weights (an error), where CUDA autocast runs layer_norm in float32."""
    return device.type == "cuda" and torch.cuda.is_bf16_supported()


_LOAD_HAS_WEIGHTS_ONLY = "weights_only" in inspect.signature(torch.load).parameters


def torch_load(f, map_location="cpu"):
    """torch.load of our own checkpoints (metadata dicts beside tensors): torch ≥ 2.6 defaults to
    ``weights_only=True``; ask for the full unpickler where the argument exists."""
    if _LOAD_HAS_WEIGHTS_ONLY:
        return torch.load(f, map_location=map_location, weights_only=False)
    return torch.load(f, map_location=map_location)


def cpu_state(module: torch.nn.Module) -> dict:
    """A state dict of detached CPU tensors (what checkpoints store, whatever device trained)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}
