import os

import numpy as np
import torch

from cli_helpers import json_lines, run_cli, test_threads
from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.train import TrainArgs, lr_at


def test_thirty_steps_lower_the_loss(tiny_snapshot, tmp_path):
    out = tmp_path / "run"
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(out), "--arch", "micro", "--steps", "30", "--batch", "1", "--stability-margin", "0",
                   "--masks-per-image", "3", "--crop", "256", "--lr", "3e-3", "--warmup", "3", "--log-every", "1",
                   "--checkpoint-every", "10", "--threads", test_threads(), "--seed", "1", timeout=600)
    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    steps = [e for e in events if e["event"] == "train_step"]
    assert [e["step"] for e in steps] == list(range(1, 31))
    for e in steps:
        assert {"loss", "lr", "elapsed_s", "eta_s"} <= set(e)
    losses = np.array([e["loss"] for e in steps])
    assert losses[-8:].mean() < 0.85 * losses[:8].mean(), losses
    done = events[-1]
    assert done["event"] == "train_done" and done["steps_done"] == 30 and done["stopped_by"] is None
    model, meta = load_checkpoint(str(out / "checkpoint.pt"))
    assert meta["step"] == 30 and meta["partial"] is False and meta["snapshot_id"].startswith("sha256:")
    assert not [f for f in os.listdir(out) if f.endswith(".tmp")]


def test_fine_tune_from_a_bundle_records_the_parent(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    out = tmp_path / "ft"
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(out), "--init", bundle_dir, "--steps", "2", "--batch", "1",
                   "--crop", "256", timeout=240)
    assert proc.returncode == 0, proc.stderr
    _, meta = load_checkpoint(str(out / "checkpoint.pt"))
    assert meta["parent"]["model_name"] == "micro-test"
    bad = run_cli("train", "--data", tiny_snapshot, "--out", str(out), "--init", bundle_dir, "--arch", "micro", timeout=60)
    assert bad.returncode == 2 and "not both" in bad.stderr


def test_lr_schedule_warmup_and_step_decay():
    args = TrainArgs(data="", out="", steps=270, lr=1e-3, warmup=10)
    assert lr_at(0, 0.0, args) == 1e-4
    assert lr_at(9, 9 / 270, args) == 1e-3
    assert lr_at(100, 100 / 270, args) == 1e-3
    assert abs(lr_at(180, 180 / 270, args) - 1e-4) < 1e-12
    assert abs(lr_at(265, 265 / 270, args) - 1e-5) < 1e-12
    assert torch.optim.AdamW  # the optimiser in use (β 0.9/0.999, wd 0.1)


def test_the_grouping_head_travels_with_checkpoints_and_bundles(tiny_snapshot, tmp_path):
    common = ("--data", tiny_snapshot, "--batch", "1", "--masks-per-image", "2", "--crop", "256", "--threads", test_threads())
    proc = run_cli("train", *common, "--out", str(tmp_path / "a"), "--arch", "micro", "--steps", "2", "--seed", "3", timeout=240)
    assert proc.returncode == 0, proc.stderr
    _, meta = load_checkpoint(str(tmp_path / "a" / "checkpoint.pt"))
    parent = meta["affinity_state"]
    assert parent["proj.weight"].shape == (32, 256, 1, 1)
    proc = run_cli("export", "--checkpoint", str(tmp_path / "a" / "checkpoint.pt"), "--out", str(tmp_path / "bundle"), timeout=240)
    assert proc.returncode == 0, proc.stderr
    # the retrain path: fine-tuning the bundle starts from the parent's head (a fresh one is random)
    proc = run_cli("train", *common, "--out", str(tmp_path / "b"), "--init", str(tmp_path / "bundle"), "--steps", "1",
                   "--lr", "1e-7", "--seed", "4", timeout=240)
    assert proc.returncode == 0, proc.stderr
    _, child = load_checkpoint(str(tmp_path / "b" / "checkpoint.pt"))
    assert torch.allclose(child["affinity_state"]["proj.weight"], parent["proj.weight"], atol=1e-5)
    assert not torch.allclose(child["affinity_state"]["proj.weight"], torch.zeros_like(parent["proj.weight"]), atol=1e-3)
    # turned off, there is no head to carry
    proc = run_cli("train", *common, "--out", str(tmp_path / "c"), "--arch", "micro", "--steps", "1", "--affinity-weight", "0",
                   timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert load_checkpoint(str(tmp_path / "c" / "checkpoint.pt"))[1]["affinity_state"] is None
    bad = run_cli("train", *common, "--out", str(tmp_path / "d"), "--arch", "micro", "--affinity-weight", "-1", timeout=60)
    assert bad.returncode == 2 and "--affinity-weight" in bad.stderr


def test_a_box_alone_trains_the_ambiguity_tokens(tiny_snapshot, monkeypatch):
    """The return_single_mask rule (SAM-SPEC.md §1.4) returns the best of tokens 1–3 for a box alone, so
    the initial round supervises the best of 1–3 for box rows too; refinement rounds train token 0."""
    from dataengine_trainer import train as train_mod
    from dataengine_trainer.batches import build_batch
    from dataengine_trainer.dataset import load_snapshot
    from dataengine_trainer.model import build_model

    chosen = []
    real = train_mod.sam_mask_loss

    def recording(low, iou, target, multimask, *rest):
        loss, picked, iou_true = real(low, iou, target, multimask, *rest)
        chosen.append(picked.tolist())
        return loss, picked, iou_true

    monkeypatch.setattr(train_mod, "sam_mask_loss", recording)
    snap = load_snapshot(tiny_snapshot)
    batch = build_batch(snap.train, np.random.default_rng(0), 1, 3, crop=256)
    args = TrainArgs(data="", out="", box_probability=1.0, max_nograd_rounds=0)
    train_mod.train_step(build_model("micro", seed=0), batch, args, torch.Generator().manual_seed(0))
    first, refined = chosen
    assert first and all(k in (1, 2, 3) for k in first)
    assert all(k == 0 for k in refined)


def test_cached_low_res_targets_match_and_stay_in_budget(tiny_snapshot):
    """Batches built with the loader's cache carry the same targets (to float16 rounding) as batches
    built from the RLEs each time, and the cache drops old images to keep to its byte budget."""
    from dataengine_trainer.batches import LowResCache, build_batch
    from dataengine_trainer.dataset import load_snapshot

    snap = load_snapshot(tiny_snapshot)
    cache = LowResCache()
    for seed in range(6):  # the second round of seeds reads from the cache
        plain = build_batch(snap.train, np.random.default_rng(seed % 3), 1, 3, crop=256)
        cached = build_batch(snap.train, np.random.default_rng(seed % 3), 1, 3, crop=256, cache=cache)
        assert torch.equal(plain.offsets, cached.offsets) and torch.equal(plain.leaf_ids, cached.leaf_ids)
        assert (plain.gt - cached.gt).abs().max() < 5e-4
    assert cache.entries
    one = next(iter(cache.entries.values())).numel() * 2
    small = LowResCache(max_bytes=one)
    for seed in range(8):
        build_batch(snap.train, np.random.default_rng(seed), 1, 3, crop=256, cache=small)
    assert small.bytes <= one and len(small.entries) <= 1


def test_a_step_that_raises_ends_the_run_with_its_error_instead_of_hanging_on_the_loader(tiny_snapshot, tmp_path):
    import subprocess
    import sys

    script = (
        "import dataengine_trainer.train as t\n"
        "def boom(*a, **k):\n    raise RuntimeError('step failed')\n"
        "t.lr_at = boom\n"
        f"t.run_training(t.TrainArgs(data={tiny_snapshot!r}, out={str(tmp_path / 'run')!r}, arch='micro', steps=3, crop=256,"
        " images_per_batch=1, masks_per_image=2, loader_workers=1, threads=1, calibrate_images=0))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..")}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90, env=env)
    assert proc.returncode != 0 and "step failed" in proc.stderr
