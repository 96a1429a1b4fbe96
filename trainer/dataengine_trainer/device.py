"""Device selection and the few torch-version differences the trainer meets (torch 1.13 CPU here,
torch 2.x with CUDA on a lent GPU machine)."""
from __future__ import annotations

import contextlib
import inspect
import pickle
import types

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
# torch 1.13's weights_only unpickler lacks the float opcode (BINFLOAT), so our metadata (elapsed
# seconds, learning rates) would not load; from torch 2 it reads every plain-data opcode.
_NATIVE_WEIGHTS_ONLY = _LOAD_HAS_WEIGHTS_ONLY and int(torch.__version__.split(".")[0]) >= 2


def _restricted_pickle():
    """A pickle module whose unpickler resolves only the globals torch's own weights_only loader
    allows (tensor rebuilders, storages, dtypes, OrderedDict): the standard unpickler for plain
    data, and no callable a file could name (os.system, builtins.eval, …)."""
    from torch._weights_only_unpickler import _get_allowed_globals

    allowed = _get_allowed_globals()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            found = allowed.get(f"{module}.{name}")
            if found is None:
                raise pickle.UnpicklingError(f"{module}.{name} may not be loaded from a checkpoint (tensors and plain data only)")
            return found

    return types.SimpleNamespace(__name__="restricted_pickle", Unpickler=Unpickler, load=lambda f, **kw: Unpickler(f, **kw).load())


def torch_load(f, map_location="cpu"):
    """torch.load of checkpoint files that cannot run code: tensors and plain containers (dicts,
    lists, numbers, strings — our metadata and optimizer state) load, pickled callables are refused.
    ``weights_only=True`` from torch 2. torch 1.13's ``torch.load`` ignores a ``pickle_module``
    unless weights_only is set, so there its zip reader is called with the restricted unpickler
    (every checkpoint torch ≥ 1.6 writes is a zip). Older torch is refused."""
    if _NATIVE_WEIGHTS_ONLY:
        return torch.load(f, map_location=map_location, weights_only=True)
    if not _LOAD_HAS_WEIGHTS_ONLY:
        raise TrainerError(f"this torch ({torch.__version__}) cannot load checkpoints without running pickled code; use torch ≥ 1.13")
    from torch import serialization

    with serialization._open_file_like(f, "rb") as opened:
        if not serialization._is_zipfile(opened):
            raise pickle.UnpicklingError("not a zip-format torch checkpoint (torch.save of torch ≥ 1.6)")
        with serialization._open_zipfile_reader(opened) as archive:
            return serialization._load(archive, map_location, _restricted_pickle(), encoding="utf-8")


def cpu_state(module: torch.nn.Module) -> dict:
    """A state dict of detached CPU tensors (what checkpoints store, whatever device trained)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}
