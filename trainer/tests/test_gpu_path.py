"""The GPU-session path on the CPU: snapshot packs (pack_snapshot.py → load_snapshot), state-dict
shards and their import (dataengine_trainer.shards, import_gpu_result.py), and gpu_train.sh end to end
with a tiny budget."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from cli_helpers import TRAINER_DIR, cli_env, json_lines, run_cli
from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.errors import TrainerError
from dataengine_trainer.model import build_model
from dataengine_trainer.shards import RESULT_NAME, read_shards, write_shards
from dataengine_trainer.train import AffinityHead

sys.path.insert(0, os.path.join(TRAINER_DIR, "scripts"))
from import_gpu_result import import_result  # noqa: E402
from pack_snapshot import pack_snapshot  # noqa: E402

REPO = os.path.dirname(TRAINER_DIR)


def _same_records(a, b):
    assert [r.image_id for r in a] == [r.image_id for r in b]
    for x, y in zip(a, b):
        assert (x.width, x.height) == (y.width, y.height)
        assert np.array_equal(x.load_rgb(), y.load_rgb())
        assert [(n.id, n.segmentation, n.bbox, n.area, n.is_whole) for n in x.annotations] == \
               [(n.id, n.segmentation, n.bbox, n.area, n.is_whole) for n in y.annotations]


def test_a_pack_reads_like_its_snapshot(tiny_snapshot, tmp_path):
    out = str(tmp_path / "pack")
    info = pack_snapshot(tiny_snapshot, out, max_mb=10, val=1, seed=0)
    assert sorted(os.listdir(out)) == ["images.bin", "pack.json.gz"] and info["val"] == 1 and info["train"] == 4
    snap, pack = load_snapshot(tiny_snapshot, need_val=True), load_snapshot(out, need_val=True)
    assert pack.snapshot_id.startswith(snap.snapshot_id + "#pack-")
    _same_records(pack.val, snap.val[:1])
    by_id = {r.image_id: r for r in snap.train}
    _same_records(pack.train, [by_id[r.image_id] for r in pack.train])
    assert any(not a.is_whole for r in pack.train for a in r.annotations)  # part-tree parents travel
    # a size budget stops adding training images; a truncated images file fails the load with one line
    small = pack_snapshot(tiny_snapshot, str(tmp_path / "small"), max_mb=info["bytes"] / 1e6 * 0.6, val=1)
    assert 1 <= small["train"] < info["train"]
    with open(os.path.join(out, "images.bin"), "r+b") as f:
        f.truncate(100)
    with pytest.raises(TrainerError, match="outside"):
        load_snapshot(out)


def _checkpoint(path: str, seed: int = 0):
    model = build_model("micro", seed=seed)
    with torch.no_grad():  # buffers and a BN counter that differ from a fresh model's
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(1234)
    aff = AffinityHead()
    save_checkpoint(path, model, step=42, elapsed_s=1.5, partial=False, stopped_by="time_limit", snapshot_id="snap-x",
                    parent={"path": "/x/models/default", "model_name": "parent-model", "step": 7}, seed=3,
                    affinity_state=aff.state_dict(), args={"lr": 1e-3, "device": "cuda"}, device="cuda:0")
    return model, aff


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_shards_round_trip_to_a_checkpoint_that_loads_and_runs(tmp_path, dtype):
    model, aff = _checkpoint(str(tmp_path / "ck.pt"))
    out = tmp_path / "out"
    result = write_shards(str(tmp_path / "ck.pt"), str(out), dtype=dtype, max_shard_bytes=60_000)
    assert len(result["shards"]) >= 3 and all(s["bytes"] <= 60_000 for s in result["shards"])
    assert all(os.path.getsize(out / s["file"]) == s["bytes"] for s in result["shards"])
    imported = import_result(str(out), str(tmp_path / "imp" / "checkpoint.pt"))
    assert imported["step"] == 42 and imported["dtype"] == dtype
    back, meta = load_checkpoint(str(tmp_path / "imp" / "checkpoint.pt"))
    cast = (lambda t: t.half().float()) if dtype == "float16" else (lambda t: t)
    for (k, a), (k2, b) in zip(model.state_dict().items(), back.state_dict().items()):
        assert k == k2 and b.dtype == a.dtype and b.shape == a.shape
        assert torch.equal(b, cast(a) if a.is_floating_point() else a), k
    for k, a in aff.state_dict().items():
        assert torch.equal(meta["affinity_state"][k], cast(a)), k
    assert meta["step"] == 42 and meta["parent"]["model_name"] == "parent-model" and meta["snapshot_id"] == "snap-x"
    assert meta["partial"] is False and meta["imported_from"]["dtype"] == dtype
    # it runs: an embedding and a click
    back.eval()
    with torch.no_grad():
        emb = back.embed(torch.zeros(1, 3, 1024, 1024))
        low, iou = back.decode(emb, torch.tensor([[[500.0, 400.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]), None)
    assert low.shape == (1, 4, 256, 256) and torch.isfinite(low).all() and torch.isfinite(iou).all()


def test_auto_keeps_a_small_state_in_float32_and_a_bad_shard_is_refused(tmp_path):
    _checkpoint(str(tmp_path / "ck.pt"))
    result = write_shards(str(tmp_path / "ck.pt"), str(tmp_path / "out"))
    assert result["dtype"] == "float32" and len(result["shards"]) == 1
    shard = tmp_path / "out" / result["shards"][0]["file"]
    data = bytearray(shard.read_bytes())
    data[-100] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(TrainerError, match="sha256"):
        read_shards(str(tmp_path / "out" / RESULT_NAME))


def test_gpu_train_script_runs_on_the_cpu_and_its_result_imports(tiny_snapshot, micro_bundle, tmp_path):
    """The whole device call with a few seconds of CPU training: train → shards → eval into OUT."""
    bundle_dir, _ = micro_bundle
    pack = str(tmp_path / "pack")
    pack_snapshot(tiny_snapshot, pack, max_mb=10, val=2)
    out = tmp_path / "OUT"
    env = {**cli_env(), "OUT": str(out), "DEVICE": "cpu", "PYTHON": sys.executable, "GPU_DATA": pack,
           "GPU_INIT": bundle_dir, "GPU_TIME_LIMIT": "4", "BATCH": "1", "MASKS": "2", "CROP": "256", "WORKERS": "1",
           "THREADS": "1", "EVAL_IMAGES": "1", "GPU_WORK": str(tmp_path / "work"), "WARMUP": "2"}
    proc = subprocess.run(["bash", os.path.join(TRAINER_DIR, "scripts", "gpu_train.sh")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(os.listdir(out))
    assert files == ["gpu_result.json", "metrics.json", "model-00001-of-00001.npz", "run.log", "train.jsonl"], files
    result = json.loads((out / "gpu_result.json").read_text())
    assert result["machine"]["torch"] == torch.__version__ and result["run"]["device"] == "cpu"
    assert result["run"]["train_done"]["stopped_by"] == "time_limit" and result["meta"]["parent"]["model_name"] == "micro-test"
    events = json_lines((out / "train.jsonl").read_text())
    assert events[0]["event"] == "train_start" and events[-1]["event"] == "train_done"
    metrics = json.loads((out / "metrics.json").read_text())["metrics"]
    assert metrics["num_images"] == 1 and 0 <= metrics["miou_1click"] <= 1
    ck = str(tmp_path / "imp" / "checkpoint.pt")
    imp = subprocess.run([sys.executable, os.path.join(TRAINER_DIR, "scripts", "import_gpu_result.py"), "--result", str(out),
                          "--out", ck], env=cli_env(), capture_output=True, text=True, timeout=120)
    assert imp.returncode == 0, imp.stderr
    proc = run_cli("eval", "--bundle", ck, "--data", pack, "--max-images", "1", "--device", "cpu", timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[-1]["metrics"]["miou_1click"] == pytest.approx(metrics["miou_1click"], abs=1e-4)
