"""Checkpoint files are data, never code: loading one runs no pickled callable (``weights_only``),
while the trainer's own checkpoints (tensors beside metadata and optimizer state) still load."""
import os

import pytest
import torch

from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint
from dataengine_trainer.errors import TrainerError
from dataengine_trainer.model import build_model
from dataengine_trainer.shards import write_shards


class _RunsOnLoad:
    """Unpickling this calls os.system — what a hostile checkpoint would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _hostile(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    torch.save({"format": "dataengine-sam-checkpoint/1", "config": {}, "state_dict": {}, "extra": _RunsOnLoad(str(marker))}, path)
    return path, marker


def test_a_checkpoint_with_pickled_code_is_refused_and_runs_nothing(tmp_path):
    path, marker = _hostile(tmp_path)
    with pytest.raises(TrainerError) as refused:
        load_checkpoint(str(path))
    assert not marker.exists(), "loading the checkpoint ran its pickled code"
    assert "unreadable" in str(refused.value)
    with pytest.raises(Exception):
        write_shards(str(path), str(tmp_path / "shards"))
    assert not marker.exists(), "sharding the checkpoint ran its pickled code"


def test_the_trainers_own_checkpoint_with_optimizer_state_still_loads(tmp_path):
    model = build_model("micro", seed=1)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for p in model.parameters():  # one step on zero gradients: the optimizer gets its state

        p.grad = torch.zeros_like(p)
    opt.step()
    path = tmp_path / "model.pt"
    save_checkpoint(str(path), model, step=3, elapsed_s=1.5, optimizer=opt.state_dict(), device="cpu", history=[{"loss": 0.5}], note=None)
    loaded, meta = load_checkpoint(str(path))
    assert meta["step"] == 3 and meta["device"] == "cpu" and meta["history"] == [{"loss": 0.5}]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))
