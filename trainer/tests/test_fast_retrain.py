"""The fast retrain: the image encoder frozen and never run per step, the rest trained on the images'
embeddings (stored by the engine, or computed once)."""
import json
import os

import numpy as np
import torch

from cli_helpers import json_lines, run_cli, test_threads
from dataengine_trainer.batches import flip_embedding
from dataengine_trainer.checkpoint import load_checkpoint
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.embeddings import encoder_hash, stored_path
from dataengine_trainer.preprocess import preprocess_image

COMMON = ("--batch", "1", "--masks-per-image", "2", "--crop", "256", "--calibrate-images", "0", "--log-every", "1")


def _train_fast(snapshot, bundle_dir, out, *extra):
    proc = run_cli("train", "--mode", "fast", "--data", snapshot, "--out", str(out), "--init", bundle_dir, *COMMON,
                   "--threads", test_threads(), *extra, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json_lines(proc.stdout)


def _write_embeddings(directory, snapshot, model, encoder_sha256, corrupt=False):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)
    for rec in load_snapshot(snapshot).train:
        with torch.no_grad():
            emb = model.embed(preprocess_image(rec.load_rgb())).numpy()
        if corrupt:
            emb = rng.normal(0, 1, emb.shape)
        emb.astype("<f2").tofile(stored_path(str(directory), rec.image_id))
    with open(os.path.join(directory, "embeddings.json"), "w") as f:
        json.dump({"dtype": "float16", "shape": [1, 256, 64, 64], "encoder_sha256": encoder_sha256}, f)


def test_fast_mode_trains_everything_but_the_encoder(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    parent, _ = load_checkpoint(bundle_dir)
    events = _train_fast(tiny_snapshot, bundle_dir, tmp_path / "run", "--steps", "4")
    ready = next(e for e in events if e["event"] == "embeddings_ready")
    assert ready["images"] == 4 and ready["stored"] == 0 and ready["computed"] == 4
    start = next(e for e in events if e["event"] == "train_start")
    assert start["mode"] == "fast" and 0 < start["trainable_params"] < start["params"]
    model, meta = load_checkpoint(str(tmp_path / "run" / "checkpoint.pt"))
    assert meta["mode"] == "fast" and meta["encoder_frozen"] is True and meta["step"] == 4
    before, after = parent.state_dict(), model.state_dict()
    encoder = [k for k in after if k.startswith("image_encoder.")]
    assert encoder and all(torch.equal(before[k], after[k]) for k in encoder)  # batch-norm statistics included
    changed = [k for k in after if not k.startswith("image_encoder.") and not torch.equal(before[k], after[k])]
    assert any(k.startswith("mask_decoder.") for k in changed) and any(k.startswith("detector.") for k in changed)


def test_stored_embeddings_of_the_init_encoder_are_used(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, model = micro_bundle
    emb_dir = tmp_path / "emb"
    _write_embeddings(emb_dir, tiny_snapshot, model.eval(), encoder_hash(bundle_dir))
    events = _train_fast(tiny_snapshot, bundle_dir, tmp_path / "run", "--steps", "1", "--embeddings", str(emb_dir))
    ready = next(e for e in events if e["event"] == "embeddings_ready")
    assert (ready["stored"], ready["computed"]) == (4, 0), ready
    # another encoder's embeddings (the hash says so) are not used
    _write_embeddings(emb_dir, tiny_snapshot, model.eval(), "0" * 64)
    ready = next(e for e in _train_fast(tiny_snapshot, bundle_dir, tmp_path / "r2", "--steps", "1", "--embeddings", str(emb_dir))
                 if e["event"] == "embeddings_ready")
    assert (ready["stored"], ready["computed"]) == (0, 4) and "another encoder" in ready["note"]


def test_stored_embeddings_that_disagree_with_the_encoder_are_recomputed(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, model = micro_bundle
    emb_dir = tmp_path / "emb"
    _write_embeddings(emb_dir, tiny_snapshot, model.eval(), encoder_hash(bundle_dir), corrupt=True)
    ready = next(e for e in _train_fast(tiny_snapshot, bundle_dir, tmp_path / "run", "--steps", "1", "--embeddings", str(emb_dir))
                 if e["event"] == "embeddings_ready")
    assert (ready["stored"], ready["computed"]) == (0, 4) and "disagree" in ready["note"]


def test_a_truncated_embedding_file_is_a_clear_error(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, model = micro_bundle
    emb_dir = tmp_path / "emb"
    _write_embeddings(emb_dir, tiny_snapshot, model.eval(), encoder_hash(bundle_dir))
    first = load_snapshot(tiny_snapshot).train[0].image_id
    with open(stored_path(str(emb_dir), first), "r+b") as f:
        f.truncate(1000)
    proc = run_cli("train", "--mode", "fast", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), "--init", bundle_dir,
                   *COMMON, "--steps", "1", "--embeddings", str(emb_dir), timeout=120)
    assert proc.returncode == 2 and "holds 500 values" in proc.stderr


def test_fast_mode_needs_a_trained_model(tiny_snapshot, tmp_path):
    proc = run_cli("train", "--mode", "fast", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), "--arch", "micro", timeout=60)
    assert proc.returncode == 2 and "give --init" in proc.stderr


def test_a_flipped_embedding_mirrors_the_image_content_and_keeps_the_padding_right():
    cells = np.arange(64, dtype=np.float32)
    emb = np.broadcast_to(cells, (2, 64, 64)).copy()
    # a 1024×768 frame: the image covers 48 columns of cells, padding the last 16
    out = flip_embedding(emb, 768)
    assert np.array_equal(out[0, 5, :48], cells[47::-1]) and np.array_equal(out[1, 0, 48:], cells[48:])
    assert np.array_equal(flip_embedding(out, 768), emb)
    assert np.array_equal(flip_embedding(emb, 1024)[0, 0], cells[::-1])


def test_a_fast_candidate_keeps_its_parents_encoder_graph_byte_for_byte(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    _train_fast(tiny_snapshot, bundle_dir, tmp_path / "run", "--steps", "1")
    ckpt = str(tmp_path / "run" / "checkpoint.pt")
    proc = run_cli("export", "--checkpoint", ckpt, "--out", str(tmp_path / "cand"), "--encoder-from", bundle_dir, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert encoder_hash(str(tmp_path / "cand")) == encoder_hash(bundle_dir)
    with open(tmp_path / "cand" / "manifest.json") as f:
        assert json.load(f)["files"]["encoder"] == "encoder.onnx"
    _, meta = load_checkpoint(str(tmp_path / "cand"))
    assert meta["mode"] == "fast" and meta["encoder_frozen"] is True
    # a full retrain changes the encoder: its graph cannot be borrowed
    full = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "full"), "--init", bundle_dir, *COMMON,
                   "--steps", "1", "--lr", "1e-2", timeout=240)
    assert full.returncode == 0, full.stderr
    bad = run_cli("export", "--checkpoint", str(tmp_path / "full" / "checkpoint.pt"), "--out", str(tmp_path / "x"),
                  "--encoder-from", bundle_dir, timeout=240)
    assert bad.returncode == 2 and "image encoder differs" in bad.stderr
    assert not [p for p in os.listdir(tmp_path) if p.startswith("x")]


def test_hard_examples_weigh_each_mask_by_the_parents_one_click_error(tiny_snapshot, micro_bundle, tmp_path):
    """--hard-examples: the parent answers one click per training mask first; a mask it misses is
    drawn up to (1 + FLOOR) / FLOOR times as often as one it gets right, and none is never drawn."""
    from dataengine_trainer.batches import build_batch, usable_annotations
    from dataengine_trainer.hardness import FLOOR, mask_weights
    from dataengine_trainer.preprocess import masks_to_low_res

    bundle_dir, model = micro_bundle
    snap = load_snapshot(tiny_snapshot)
    embedding_of = lambda rec: model.eval().embed(preprocess_image(rec.load_rgb())).squeeze(0).detach().numpy()  # noqa: E731
    weights = mask_weights(model, snap.train, embedding_of)
    assert set(weights) == {r.image_id for r in snap.train}
    for rec in snap.train:
        w = weights[rec.image_id]
        assert len(w) == len(usable_annotations(rec))
        assert np.all(w >= FLOOR - 1e-9) and np.all(w <= 1 + FLOOR + 1e-9)
    # draws follow the weights: one mask of the first image weighted far above the rest comes up most
    rec = snap.train[0]
    skewed = {r.image_id: np.full(len(usable_annotations(r)), 1e-3) for r in snap.train}
    skewed[rec.image_id][0] = 1.0
    target = masks_to_low_res(usable_annotations(rec)[0].mask()[None])[0]
    rng = np.random.default_rng(0)
    draws = [build_batch([rec], rng, 1, 1, crop=0, augment=False, mask_weights=skewed).gt[0] for _ in range(20)]
    assert sum(int(torch.allclose(g, target)) for g in draws) >= 18
    events = _train_fast(tiny_snapshot, bundle_dir, tmp_path / "run", "--steps", "2", "--hard-examples")
    hard = next(e for e in events if e["event"] == "hard_examples")
    assert hard["images"] == 4 and hard["masks"] > 0 and 0 <= hard["mean_iou"] <= 1


def test_hard_examples_need_fast_mode(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), "--init", bundle_dir, *COMMON,
                   "--steps", "1", "--hard-examples", "--threads", test_threads(), timeout=300)
    assert proc.returncode != 0 and "--hard-examples needs --mode fast" in proc.stderr


def test_a_full_run_with_a_refit_phase_trains_the_encoder_then_refits_the_rest_on_its_embeddings(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    parent, _ = load_checkpoint(bundle_dir)
    out = tmp_path / "run"
    proc = run_cli("train", "--mode", "full", "--refit-steps", "3", "--data", tiny_snapshot, "--out", str(out), "--init", bundle_dir,
                   "--steps", "2", "--batch", "1", "--masks-per-image", "2", "--crop", "256", "--loader-workers", "0",
                   "--calibrate-images", "2", "--log-every", "1", "--threads", test_threads(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    starts = [e for e in events if e["event"] == "train_start"]
    assert [(e["phase"], e["mode"], e["steps"]) for e in starts] == [("full", "full", 2), ("refit", "fast", 3)]
    steps = [(e["phase"], e["step"]) for e in events if e["event"] == "train_step"]
    assert steps == [("full", 1), ("full", 2), ("refit", 1), ("refit", 2), ("refit", 3)]
    # the refit runs on the trained encoder's embeddings, computed once; the calibration follows it
    names = [e["event"] for e in events]
    ready = events[names.index("embeddings_ready")]
    assert ready["phase"] == "refit" and ready["computed"] == 4
    assert names.index("calibrate_done") > max(i for i, e in enumerate(events) if e["event"] == "train_step")
    done = [e for e in events if e["event"] == "train_done"]
    assert len(done) == 1 and done[0]["steps_done"] == 5 and (done[0]["full_steps_done"], done[0]["refit_steps_done"]) == (2, 3)
    model, meta = load_checkpoint(str(out / "checkpoint.pt"))
    # the run's parent is the init bundle, not the full phase's own checkpoint
    assert meta["mode"] == "full" and meta["encoder_frozen"] is False and (meta["full_steps"], meta["refit_steps"]) == (2, 3)
    assert meta["parent"]["path"] == os.path.abspath(bundle_dir) and meta["calibration"]
    before, after = parent.state_dict(), model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in after if k.startswith("image_encoder."))


def test_a_refit_phase_needs_a_full_run(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    proc = run_cli("train", "--mode", "fast", "--refit-steps", "3", "--data", tiny_snapshot, "--out", str(tmp_path / "run"),
                   "--init", bundle_dir, timeout=60)
    assert proc.returncode == 2 and "--refit-steps follows a full run" in proc.stderr
