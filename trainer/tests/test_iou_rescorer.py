"""The mask-aware IoU rescorer: its features read the masks and the prompt as documented, it is the
identity until fitted (and for checkpoints made before it), and the fit keeps it only when it predicts
held-out IoUs better than the head."""
import numpy as np
import pytest
import torch

from dataengine_trainer.calibration import MIN_RESCORER_PAIRS, fit_rescorer
from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint
from dataengine_trainer.model import build_model
from dataengine_trainer.model.iou_rescorer import INPUTS, MAX_CENTROID_DISTANCE, TOKEN_FEATURES, IouRescorer


def _square_case():
    masks = torch.full((1, 4, 256, 256), -5.0)
    masks[0, 1, 100:120, 50:70] = 0.5  # a 20×20 square whose 1-pixel rim sits between 0 and 1 ...
    masks[0, 1, 101:119, 51:69] = 5.0  # ... around an 18×18 core well inside
    masks[0, 3] = 5.0  # everything
    click = torch.tensor([[[60 * 4 + 2.0, 110 * 4 + 2.0], [0.0, 0.0]]])  # low-res pixel (60, 110)
    return masks, click


def test_features_read_each_mask_and_the_prompt():
    masks, click = _square_case()
    iou = torch.tensor([[0.1, 0.2, 0.3, 0.4]])
    f = IouRescorer.features(iou, masks, click, torch.tensor([[1.0, -1.0]]), torch.zeros(1))
    assert f.shape == (1, INPUTS)
    tok = f[0, : 4 * TOKEN_FEATURES].reshape(4, TOKEN_FEATURES)
    # raw score, stability, area fraction, mean positive logit / 10, logit under the click / 10, centroid distance
    assert tok[:, 0].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    # every second row and column: the square is 10×10 samples, its core 9×9
    assert tok[1, 1].item() == pytest.approx(81 / 100)
    assert tok[1, 2].item() == pytest.approx(400 / 256 ** 2)
    assert tok[1, 3].item() == pytest.approx((81 * 5.0 + 19 * 0.5) / 100 / 10)
    assert tok[1, 4].item() == pytest.approx(0.5)
    # the samples' centroid is (59.5, 109.5) in low-res pixels; the click lands at (60.5, 110.5)
    assert tok[1, 5].item() == pytest.approx(np.sqrt(2) / 20, rel=1e-3)
    # an empty mask: no area, no stability, the logit under the click, the distance capped
    assert tok[0, 1].item() == 0 and tok[0, 2].item() == 0 and tok[0, 4].item() == pytest.approx(-0.5)
    assert tok[0, 5].item() == MAX_CENTROID_DISTANCE
    assert tok[3, 2].item() == 1.0 and tok[3, 1].item() == 1.0
    assert f[0, -4:].tolist() == [1.0, 0.0, 0.0, 0.0]  # one positive click, no negative, no box, no mask input
    # a box with a negative click and a mask input; no positive click: no click logit, no distance
    assert tok[:, 6].abs().sum() == 0  # no box prompt: no box IoU
    # a box with a negative click and a mask input; no positive click: no click logit, no distance.
    # The box covers low-res x 50..74, y 100..119 (the square's 20×20 in a 25×20 box: IoU 0.8)
    box = torch.tensor([[[100.0, 100.0], [50 * 4.0, 100 * 4.0], [75 * 4.0, 120 * 4.0]]])
    f = IouRescorer.features(iou, masks, box, torch.tensor([[0.0, 2.0, 3.0]]), torch.ones(1))
    tok = f[0, : 4 * TOKEN_FEATURES].reshape(4, TOKEN_FEATURES)
    assert tok[:, 4].abs().sum() == 0 and tok[:, 5].abs().sum() == 0
    assert tok[1, 6].item() == pytest.approx(0.8)
    assert tok[0, 6].item() == 0  # empty mask
    assert tok[3, 6].item() == pytest.approx(500 / 256 ** 2)  # the whole frame
    assert f[0, -4:].tolist() == [0.0, 1.0, 1.0, 1.0]


def test_identity_until_fitted_and_checkpoints_without_it_load_as_identity(tmp_path):
    model = build_model("micro", seed=0)
    r = model.mask_decoder.iou_rescorer
    assert r.is_identity and not any(p.requires_grad for p in r.parameters())
    masks, click = _square_case()
    iou = torch.tensor([[0.1, 0.2, 0.3, 0.4]])
    labels = torch.tensor([[1.0, -1.0]])
    assert torch.equal(r(iou, masks, click, labels, torch.zeros(1)), iou)
    state = {k: v for k, v in model.state_dict().items() if "iou_rescorer" not in k}  # a bundle from before
    fresh = build_model("micro", seed=1)
    fresh.mask_decoder.iou_rescorer.w3.data.fill_(1.0)
    fresh.load_state_dict(state)  # strict: the missing rescorer is not an error ...
    assert not fresh.mask_decoder.iou_rescorer.is_identity  # ... and leaves the module as it was
    with torch.no_grad():
        r.w3.normal_(0, 0.5)
    assert not torch.equal(r(iou, masks, click, labels, torch.zeros(1)), iou)
    save_checkpoint(str(tmp_path / "c.pt"), model)
    loaded, _ = load_checkpoint(str(tmp_path / "c.pt"))
    assert torch.equal(loaded.mask_decoder.iou_rescorer.w3, r.w3)
    # a fitted rescorer needs the prompt the masks answer
    emb = torch.randn(1, 256, 64, 64)
    with pytest.raises(ValueError, match="needs the prompt"):
        src = model.mask_decoder.project(emb)
        pe = model.prompt_encoder
        model.mask_decoder(src, pe.dense_pe(), pe.embed_points(click, labels), pe.no_mask.reshape(1, -1, 1, 1))
    low, scores = model.decode(emb, click, labels, None)
    assert scores.shape == (1, 4)
    r.reset()
    assert r.is_identity


def _synthetic_rows(n: int, seed: int):
    """The head's score is noise around a true IoU that a stability-like feature explains."""
    rng = np.random.default_rng(seed)
    feats = rng.normal(size=(n, INPUTS)).astype(np.float32)
    signal = feats[:, 1 + TOKEN_FEATURES]  # token 1's second feature
    true = np.clip(0.5 + 0.25 * np.tanh(signal), 0, 1)
    raw = np.clip(true + rng.normal(0, 0.2, n), 0, 1)
    feats[:, TOKEN_FEATURES] = raw  # token 1's raw score
    raws = np.zeros((n, 4), np.float32)
    raws[:, 1] = raw
    trues = np.full((n, 4), np.nan, np.float32)
    trues[:, 1] = true
    return feats, raws, trues, np.arange(n) // 20


def test_the_fit_learns_what_the_head_misses_and_keeps_only_a_held_out_gain():
    r = IouRescorer()
    feats, raw, true, image = _synthetic_rows(4000, 0)
    out = fit_rescorer(r, feats, raw, true, image, seed=0)
    assert out["fitted"] and not r.is_identity
    assert out["held_out_mae_rescored"] < 0.6 * out["held_out_mae_raw"]
    # nothing to learn: the head is already right; the fit must not keep a correction that adds noise
    exact = raw.copy()
    exact[:, 1] = true[:, 1]
    feats2 = feats.copy()
    feats2[:, TOKEN_FEATURES] = true[:, 1]
    out = fit_rescorer(r, feats2, exact, true, image, seed=0)
    assert not out["fitted"] and r.is_identity
    # too few pairs
    out = fit_rescorer(r, feats[:100], raw[:100], true[:100], image[:100], seed=0)
    assert not out["fitted"] and str(MIN_RESCORER_PAIRS) in out["reason"] and r.is_identity


def test_a_parent_rescorer_is_the_start_and_stays_when_a_refit_cannot_beat_it():
    feats, raw, true, image = _synthetic_rows(4000, 0)
    parent = IouRescorer()
    assert fit_rescorer(parent, feats, raw, true, image, seed=0)["fitted"]
    start = {k: v.clone() for k, v in parent.state_dict().items()}
    # a retrain's handful of images: too few to fit, the parent's rescorer is kept as it is
    r = IouRescorer()
    out = fit_rescorer(r, feats[:100], raw[:100], true[:100], image[:100], seed=0, start=start)
    assert out["kept"] == "start" and torch.equal(r.w3, parent.w3)
    # enough images: the refit starts from the parent and is kept only if it predicts held-out images better
    more, more_raw, more_true, more_image = _synthetic_rows(3000, 1)
    out = fit_rescorer(r, more, more_raw, more_true, more_image, seed=1, start=start)
    assert out["kept"] in ("fit", "start") and not r.is_identity
    assert out["held_out_mse_rescored"] <= out["held_out_mse_start"] and out["held_out_mse_rescored"] < out["held_out_mse_raw"]
