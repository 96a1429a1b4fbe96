"""Device selection (--device auto|cpu|cuda), checkpoints that hold CPU tensors whatever trained them,
and loader processes that each build their own batches (--loader-workers N)."""
import itertools

import numpy as np
import pytest
import torch

from cli_helpers import json_lines, run_cli, test_threads
from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.device import resolve_device, torch_load
from dataengine_trainer.errors import TrainerError
from dataengine_trainer.train import TrainArgs, batch_stream, loader_seed

CUDA = torch.cuda.is_available()
COMMON = ("--arch", "micro", "--batch", "1", "--masks-per-image", "2", "--crop", "256", "--loader-workers", "0")


def _tensors(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _tensors(v)


@pytest.mark.skipif(CUDA, reason="checks the CPU-only machine's answers")
def test_auto_resolves_to_cpu_here_and_cuda_is_a_caller_error():
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(TrainerError, match="CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(TrainerError, match="unknown --device"):
        resolve_device("tpu")


def test_train_with_device_cpu_writes_a_checkpoint_of_cpu_tensors(tiny_snapshot, tmp_path):
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), *COMMON, "--steps", "2",
                   "--device", "cpu", "--threads", test_threads(), timeout=240)
    assert proc.returncode == 0, proc.stderr
    start = json_lines(proc.stdout)[0]
    assert start["event"] == "train_start" and start["device"] == "cpu" and start["amp"] is False
    path = str(tmp_path / "run" / "checkpoint.pt")
    # no map_location: every storage in the file must already be a CPU one
    payload = torch_load(path, map_location=None)
    tensors = list(_tensors(payload))
    assert len(tensors) > 100 and all(t.device.type == "cpu" for t in tensors)
    model, meta = load_checkpoint(path)
    assert meta["device"] == "cpu" and meta["affinity_state"]["proj.weight"].device.type == "cpu"


@pytest.mark.skipif(CUDA, reason="checks the CPU-only machine's answers")
def test_cli_auto_trains_on_cpu_here_and_refuses_cuda_and_amp(tiny_snapshot, tmp_path):
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "a"), *COMMON, "--steps", "1",
                   "--threads", test_threads(), timeout=240)  # --device auto is the default
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[0]["device"] == "cpu"
    for extra, word in ((("--device", "cuda"), "CUDA is not available"), (("--amp",), "--amp")):
        bad = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "b"), *COMMON, "--steps", "1", *extra,
                      timeout=120)
        assert bad.returncode == 2 and bad.stderr.startswith("error:") and word in bad.stderr, bad.stderr
    bad = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "b"), *COMMON[:-2], "--loader-workers", "-1",
                  timeout=120)
    assert bad.returncode == 2 and "--loader-workers" in bad.stderr


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device (a lent GPU machine)")
def test_a_cuda_run_checkpoints_cpu_tensors_and_loads_here(tiny_snapshot, tmp_path):
    for extra in ((), ("--amp",)):
        out = tmp_path / ("amp" if extra else "fp32")
        proc = run_cli("train", "--data", tiny_snapshot, "--out", str(out), *COMMON, "--steps", "3", "--device", "cuda",
                       *extra, timeout=240)
        assert proc.returncode == 0, proc.stderr
        payload = torch_load(str(out / "checkpoint.pt"), map_location=None)
        assert all(t.device.type == "cpu" for t in _tensors(payload))
        model, meta = load_checkpoint(str(out / "checkpoint.pt"))
        assert meta["device"].startswith("cuda") and all(torch.isfinite(p).all() for p in model.parameters())


def _first_batches(records, workers: int, n: int):
    args = TrainArgs(data="", out="", images_per_batch=1, masks_per_image=2, crop=256, seed=7, loader_workers=workers)
    stream = batch_stream(records, args)
    out = [next(stream) for _ in range(n)]
    del stream
    return out


def _key(batch) -> tuple:
    return (tuple(batch.offsets.flatten().tolist()), float(batch.images.sum()), tuple(batch.gt.shape))


def test_loader_workers_build_distinct_batches(tmp_path):
    from fixtures import make_snapshot

    snap = load_snapshot(make_snapshot(str(tmp_path / "snap"), images=24, seed=11, val=2))
    one = [_key(b) for b in _first_batches(snap.train, 1, 4)]
    assert one == [_key(b) for b in _first_batches(snap.train, 0, 4)]  # one process: the in-loop sequence
    many = [_key(b) for b in _first_batches(snap.train, 3, 9)]
    assert len(set(many)) == len(many)  # no two workers repeat each other
    # each worker's stream is its own seeded generator's, in turn
    assert loader_seed(7, 0, 1) == 7 and loader_seed(7, 2, 3) == [7, 2]
    rngs = [np.random.default_rng(loader_seed(7, w, 3)).integers(1 << 30, size=4).tolist() for w in range(3)]
    assert all(a != b for a, b in itertools.combinations(rngs, 2))


def test_cli_trains_with_several_loader_workers(tiny_snapshot, tmp_path):
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), *COMMON[:-2], "--loader-workers", "2",
                   "--steps", "3", "--device", "cpu", "--threads", test_threads(), timeout=240)
    assert proc.returncode == 0, proc.stderr
    done = json_lines(proc.stdout)[-1]
    assert done["event"] == "train_done" and done["steps_done"] == 3 and done["data_wait_s"] >= 0
