"""Zoomed views of training images (zoom.py): what the annotator tool's focus view embeds."""
import numpy as np

from cli_helpers import json_lines, run_cli, test_threads
from dataengine_trainer.batches import build_batch
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.zoom import MIN_SIDE_FRACTION, zoom_view, zoom_views


def test_a_view_is_a_window_of_the_pixels_and_of_every_mask_it_shows(tiny_snapshot):
    rec = load_snapshot(tiny_snapshot).train[0]
    rgb = rec.load_rgb()
    for seed in range(5):
        view = zoom_view(rec, np.random.default_rng(seed))
        assert view is not None
        x0, y0, x1, y1 = view.window
        assert 0 <= x0 < x1 <= rec.width and 0 <= y0 < y1 <= rec.height
        assert (view.width, view.height) == (x1 - x0, y1 - y0)
        assert max(view.width, view.height) >= min(MIN_SIDE_FRACTION * max(rec.width, rec.height), min(rec.width, rec.height)) - 1
        assert np.array_equal(view.load_rgb(), rgb[y0:y1, x0:x1])
        by_id = {a.id: a for a in rec.annotations}
        assert view.annotations
        for a in view.annotations:
            m = a.mask()
            assert m.shape == (view.height, view.width)
            assert np.array_equal(m, by_id[a.id].mask()[y0:y1, x0:x1])
            assert a.area == int(m.sum()) and a.is_whole == by_id[a.id].is_whole
            bx, by, bw, bh = a.bbox  # SAM's inclusive extents, in the view
            ys, xs = np.nonzero(m)
            assert (bx, by, bw, bh) == (xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min())
        # the view is around one of the image's whole objects: one of them lies in it
        assert any(a.is_whole for a in view.annotations)


def test_views_are_seeded_and_named_apart_from_the_snapshots_images(tiny_snapshot):
    train = load_snapshot(tiny_snapshot).train
    a, b = zoom_views(train, 2, seed=4), zoom_views(train, 2, seed=4)
    assert [v.window for v in a] == [v.window for v in b] and len(a) >= len(train)
    ids = [v.image_id for v in a]
    assert len(set(ids)) == len(ids) and all(i < 0 for i in ids)
    assert zoom_views(train, 0, seed=4) == []


def test_zoom_off_leaves_the_batch_sequence_unchanged_and_on_it_trains_on_views(tiny_snapshot):
    train = load_snapshot(tiny_snapshot).train
    plain = build_batch(train, np.random.default_rng(3), 2, 3, crop=256)
    zero = build_batch(train, np.random.default_rng(3), 2, 3, crop=256, zoom=0.0)
    assert np.array_equal(plain.images.numpy(), zero.images.numpy()) and np.array_equal(plain.gt.numpy(), zero.gt.numpy())
    on = build_batch(train, np.random.default_rng(3), 2, 3, crop=256, zoom=1.0)
    assert on.images.shape == plain.images.shape and on.gt.shape[1:] == plain.gt.shape[1:]
    assert not np.array_equal(plain.images.numpy(), on.images.numpy())
    assert on.gt.flatten(1).sum(1).min() > 0  # every prompted mask is visible in its view


def test_a_fast_retrain_trains_on_zoomed_views_beside_the_images(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    proc = run_cli("train", "--mode", "fast", "--zoom-views", "2", "--data", tiny_snapshot, "--out", str(tmp_path / "run"),
                   "--init", bundle_dir, "--steps", "3", "--batch", "1", "--masks-per-image", "2", "--crop", "256",
                   "--calibrate-images", "0", "--log-every", "1", "--threads", test_threads(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    ready = next(e for e in events if e["event"] == "embeddings_ready")
    # 4 training images and up to 2 views of each, every view's embedding computed by the frozen encoder
    assert 4 < ready["images"] <= 12 and ready["computed"] == ready["images"]
    assert [e["step"] for e in events if e["event"] == "train_step"] == [1, 2, 3]


def test_zoom_needs_pixels_and_says_so(tiny_snapshot, micro_bundle, tmp_path):
    bundle_dir, _ = micro_bundle
    proc = run_cli("train", "--mode", "fast", "--zoom", "0.5", "--data", tiny_snapshot, "--out", str(tmp_path / "run"),
                   "--init", bundle_dir, timeout=60)
    assert proc.returncode != 0 and "--zoom-views" in proc.stderr
    proc = run_cli("train", "--zoom", "1.5", "--data", tiny_snapshot, "--out", str(tmp_path / "run2"), timeout=60)
    assert proc.returncode != 0 and "--zoom must be a probability" in proc.stderr
