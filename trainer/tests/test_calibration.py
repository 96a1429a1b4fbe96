"""IoU calibration: the isotonic fit, the in-graph piecewise-linear map, checkpoints with and
without it, and the ``calibrate`` command and the fit at the end of training."""
import numpy as np
import pytest
import torch

from cli_helpers import json_lines, run_cli, test_threads
from dataengine_trainer.calibration import isotonic, knots_from_pairs
from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint
from dataengine_trainer.model import build_model
from dataengine_trainer.model.iou_calibration import IouCalibration


def test_isotonic_pools_adjacent_violators():
    xs, fit = isotonic(np.array([4.0, 1.0, 3.0, 2.0]), np.array([4.0, 1.0, 2.0, 3.0]))
    assert xs.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert fit.tolist() == [1.0, 2.5, 2.5, 4.0]


def test_knots_follow_the_conditional_mean_and_stay_monotone():
    rng = np.random.default_rng(0)
    raw = rng.random(4000).astype(np.float32)
    true = np.clip(raw ** 2 + rng.normal(0, 0.05, raw.shape), 0, 1)  # an over-confident head
    x, y = knots_from_pairs(raw, true)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) >= 0)
    mid = np.interp(0.5, x, y)
    assert abs(mid - 0.25) < 0.05
    calibrated = np.interp(raw, x, y)
    assert np.abs(calibrated - true).mean() < 0.6 * np.abs(raw - true).mean()


def test_too_few_pairs_keep_the_identity():
    x, y = knots_from_pairs(np.array([0.1, 0.9], np.float32), np.array([0.5, 0.5], np.float32))
    np.testing.assert_array_equal(x, y)


def test_the_map_is_identity_until_set_then_piecewise_linear_and_flat_outside():
    cal = IouCalibration(knots=3)
    raw = torch.tensor([[-0.3, 0.2, 0.7, 1.4]])
    assert torch.equal(cal(raw), raw)  # untouched, even outside [0, 1] (training regresses the raw head)
    cal.set(torch.tensor([[0.0, 0.5, 1.0]]).repeat(4, 1), torch.tensor([[0.1, 0.2, 0.9]]).repeat(4, 1))
    out = cal(raw)[0].tolist()
    assert out == pytest.approx([0.1, 0.1 + 0.1 * 0.4, 0.2 + 0.7 * 0.4, 0.9])
    with pytest.raises(ValueError):
        cal.set(torch.tensor([[0.5, 0.5, 1.0]]).repeat(4, 1), torch.tensor([[0.1, 0.2, 0.9]]).repeat(4, 1))
    with pytest.raises(ValueError):
        cal.set(torch.tensor([[0.0, 0.5, 1.0]]).repeat(4, 1), torch.tensor([[0.3, 0.2, 0.9]]).repeat(4, 1))
    cal.reset()
    assert cal.is_identity


def test_checkpoints_without_calibration_load_as_identity_and_fitted_knots_round_trip(tmp_path):
    model = build_model("micro", seed=0)
    state = {k: v for k, v in model.state_dict().items() if "iou_calibration" not in k}  # a bundle from before
    fresh = build_model("micro", seed=1)
    fresh.load_state_dict(state)
    assert fresh.mask_decoder.iou_calibration.is_identity
    cal = model.mask_decoder.iou_calibration
    cal.set(torch.linspace(0, 1, cal.x.shape[1]).repeat(4, 1), torch.linspace(0.2, 0.8, cal.x.shape[1]).repeat(4, 1))
    save_checkpoint(str(tmp_path / "c.pt"), model)
    loaded, _ = load_checkpoint(str(tmp_path / "c.pt"))
    assert torch.equal(loaded.mask_decoder.iou_calibration.y, cal.y)


def test_calibrate_command_and_training_fit_the_map(tiny_snapshot, tmp_path):
    out = tmp_path / "run"
    proc = run_cli("train", "--data", tiny_snapshot, "--out", str(out), "--arch", "micro", "--steps", "3", "--batch", "1",
                   "--crop", "256", "--threads", test_threads(), "--calibrate-images", "3", timeout=600)
    assert proc.returncode == 0, proc.stderr
    done = [e for e in json_lines(proc.stdout) if e["event"] == "calibrate_done"]
    assert len(done) == 1 and set(done[0]["tokens"]) == {"token0", "token1", "token2", "token3"}
    model, meta = load_checkpoint(str(out / "checkpoint.pt"))
    assert meta["calibration"]["images"] == 3
    cal = model.mask_decoder.iou_calibration
    assert torch.all(cal.x[:, 1:] > cal.x[:, :-1]) and torch.all(cal.y[:, 1:] >= cal.y[:, :-1])
    again = run_cli("calibrate", "--checkpoint", str(out / "checkpoint.pt"), "--data", tiny_snapshot, "--max-images", "2",
                    "--out", str(tmp_path / "cal.pt"), "--threads", test_threads(), timeout=600)
    assert again.returncode == 0, again.stderr
    _, meta2 = load_checkpoint(str(tmp_path / "cal.pt"))
    assert meta2["calibration"]["images"] == 2 and meta2["step"] == 3
    bad = run_cli("calibrate", "--checkpoint", str(tmp_path / "missing.pt"), "--data", tiny_snapshot, "--out",
                  str(tmp_path / "x.pt"), timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: checkpoint not found")


@pytest.mark.parametrize("h,w", [(384, 512), (512, 384), (1000, 1000), (300, 1100), (77, 1024), (1024, 1), (2000, 3000)])
def test_upscale_masks_is_the_graphs_postprocessing_bit_for_bit(h, w):
    """Evaluation and calibration upscale with ``upscale_masks``, which skips the rows and columns the
    crop throws away: it must give exactly what the exported decoder's ``postprocess_masks`` gives."""
    from dataengine_trainer.onnx_modules import postprocess_masks, upscale_masks

    low = torch.randn(2, 3, 256, 256, generator=torch.Generator().manual_seed(h * 7 + w)) * 6
    expected = postprocess_masks(low, torch.tensor([float(h), float(w)]))
    got = upscale_masks(low, h, w)
    assert got.shape == expected.shape == (2, 3, h, w)
    assert torch.equal(got, expected)


def test_ious_against_several_targets_take_the_best_and_count_empty_as_one():
    from dataengine_trainer.calibration import _ious_at
    from dataengine_trainer.onnx_modules import upscale_masks

    h, w = 48, 64
    low = torch.full((2, 4, 256, 256), -5.0)
    low[0, 1, 10:40, 10:30] = 5.0  # row 0, channel 1: a block
    low[1, 2, 50:90, 100:200] = 5.0
    full = (upscale_masks(low, h, w) > 0).numpy()
    a = full[0, 1].copy()
    b = np.zeros((h, w), bool)
    b[:10, :10] = True
    c = full[1, 2].copy()
    c[:, : w // 2] = False  # half of row 1's prediction
    stack = torch.from_numpy(np.stack([m.reshape(-1) for m in (a, b, c)]))
    chans = torch.tensor([[1, 3], [2, 1]])
    ious, masks = _ious_at(low, chans, h, w, stack, [[1, 0], [2]])
    assert ious[0, 0] == pytest.approx(1.0)  # a, the better of b and a
    assert ious[0, 1] == pytest.approx(0.0)  # channel 3 is empty; both targets are not
    expected = np.logical_and(full[1, 2], c).sum() / np.logical_or(full[1, 2], c).sum()
    assert ious[1, 0] == pytest.approx(expected)
    assert masks.shape == (2, 2, h * w) and torch.equal(masks[1, 0], torch.from_numpy(full[1, 2].reshape(-1)))
