import math

import numpy as np

from cli_helpers import json_lines, run_cli
from dataengine_trainer.clicks import farthest_point, next_click
from dataengine_trainer.evaluate import average_precision


def test_first_click_is_farthest_from_the_boundary():
    m = np.zeros((20, 30), bool)
    m[5:16, 10:21] = True  # 11×11 square centred at (15, 10)
    assert farthest_point(m) == (15.0, 10.0)


def test_next_click_targets_the_largest_error_region():
    gt = np.zeros((40, 40), bool)
    gt[5:35, 5:35] = True
    pred = gt.copy()
    pred[5:35, 25:35] = False  # missed strip (300 px) → positive click inside it
    pred[0:3, 0:3] = True  # small false positive (9 px)
    x, y, label = next_click(pred, gt)
    assert label == 1.0 and 25 <= x < 35 and 5 <= y < 35
    pred2 = gt.copy()
    pred2[36:40, :] = True  # large false positive (160 px) → negative click
    x, y, label = next_click(pred2, gt)
    assert label == 0.0 and y >= 36
    assert next_click(gt, gt) is None


def test_average_precision_known_cases():
    gts = {0: np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)}
    perfect = [(0, 0.9, np.array([0, 0, 10, 10])), (0, 0.8, np.array([20, 20, 30, 30]))]
    assert average_precision(perfect, gts) == 1.0
    # a false positive ranked first, then both hits: precision 1/2 at recall .5, 2/3 at recall 1
    mixed = [(0, 0.95, np.array([50, 50, 60, 60]))] + perfect
    assert math.isclose(average_precision(mixed, gts), 2 / 3)
    half = [(0, 0.9, np.array([0, 0, 10, 10]))]
    assert average_precision(half, gts) == 0.5


def test_eval_cli_reports_click_and_detector_metrics(tiny_snapshot, micro_bundle, tmp_path):
    bundle, _ = micro_bundle
    out = tmp_path / "metrics.json"
    proc = run_cli("eval", "--bundle", bundle, "--data", tiny_snapshot, "--out", str(out), timeout=240)
    assert proc.returncode == 0, proc.stderr
    done = json_lines(proc.stdout)[-1]
    assert done["event"] == "eval_done"
    m = done["metrics"]
    for k in ("miou_1click", "miou_2click", "miou_3click", "miou_4click", "miou_5click", "box_ap50",
              "miou_1click_oracle", "miou_1click_channel0", "miou_box", "frac_085_1click", "top_ranked_1click"):
        assert 0.0 <= m[k] <= 1.0
    assert m["num_images"] == 2 and m["num_masks"] > 0
    assert m["miou_1click_oracle"] >= m["miou_1click"]
    assert m["iou_error_1click"] >= 0.0


def test_one_click_diagnostics_per_mask(tiny_snapshot, micro_bundle):
    import torch

    from dataengine_trainer.dataset import load_snapshot
    from dataengine_trainer.evaluate import MAX_CLICKS, interactive_ious
    from dataengine_trainer.onnx_modules import DecoderOnnx
    from dataengine_trainer.preprocess import preprocess_image

    _, model = micro_bundle
    model.eval()
    rec = load_snapshot(tiny_snapshot, need_val=True).val[0]
    with torch.no_grad():
        emb = model.embed(preprocess_image(rec.load_rgb()))
    out = interactive_ious(DecoderOnnx(model), emb, rec, [a.mask() for a in rec.annotations])
    picked, oracle, predicted, top = out[:, 0], out[:, MAX_CLICKS], out[:, MAX_CLICKS + 2], out[:, MAX_CLICKS + 3]
    assert set(top.tolist()) <= {0.0, 1.0}
    # top-ranked exactly when the returned mask is as good as the best of the three
    np.testing.assert_array_equal(top == 1.0, picked >= oracle - 1e-6)
    assert np.all(np.isfinite(predicted))
