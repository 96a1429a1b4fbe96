"""Training clicks (interactive.py): where the simulated annotator of a training step clicks."""
import torch

from cli_helpers import run_cli
from dataengine_trainer.interactive import DEPTH_STEPS, SCALE, error_clicks, initial_prompts, mask_boxes, region_depth


def _masks():
    gt = torch.zeros(2, 40, 40)
    gt[0, 4:34, 4:34] = 1  # a square 30 cells wide
    gt[1, 10:12, 0:36] = 1  # a bar 2 cells thick, cut by the crop's left edge
    return gt


def test_depth_counts_erosions_and_the_crop_edge_erodes_nothing():
    d = region_depth(_masks() > 0.5)
    assert d[0, 19, 4:13].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 8]  # saturates at DEPTH_STEPS
    assert d.max() == DEPTH_STEPS and d[0, 0, 0] == 0 and d[0, 3, 19] == 0
    assert d[1, 10, 0] == 1 and d[1, 10, 1:35].eq(1).all()  # a 2-cell bar is all edge


def _first_points(interior, n=300, seed=0):
    gt = _masks()[:1]
    off = torch.zeros(1, 2)
    gen = torch.Generator().manual_seed(seed)
    pts = torch.stack([initial_prompts(gt, mask_boxes(gt, off), torch.zeros(1, dtype=torch.bool), off, gen, interior)[0][0, 0]
                       for _ in range(n)])
    return pts / SCALE, gen


def test_interior_clicks_land_nearer_the_middle_and_stay_inside():
    uniform, _ = _first_points(0.0)
    interior, _ = _first_points(1.0)
    for pts in (uniform, interior):
        assert ((pts >= 4) & (pts < 34)).all()
    centre = torch.tensor([19.0, 19.0])
    # uniform over a 30-cell square: mean |offset| 7.5 cells per axis; squared depth weighs the middle
    assert (uniform - centre).abs().mean() > 6.5
    assert (interior - centre).abs().mean() < 0.8 * (uniform - centre).abs().mean()


def test_off_it_draws_nothing_more_than_before():
    # at 0 the generator is left where the uniform sampling leaves it (runs without the flag repeat exactly)
    a, gen_a = _first_points(0.0, n=5, seed=3)
    gt = _masks()[:1]
    off = torch.zeros(1, 2)
    gen = torch.Generator().manual_seed(3)
    for _ in range(5):
        fg = (gt > 0.5).float()
        w = fg.flatten(1)
        torch.multinomial(w, 1, generator=gen)
        torch.rand(1, 2, generator=gen)
        torch.randn(1, 4, generator=gen)
    assert torch.equal(gen_a.get_state(), gen.get_state())


def test_interior_error_clicks_are_in_the_error_region_with_its_label():
    gt = _masks()
    pred = torch.full_like(gt, -5.0)
    pred[0, 4:34, 4:20] = 5.0  # half the square found: the error is its right half (a miss → positive)
    pred[1] = 5.0 * (gt[1] > 0.5)  # the bar found …
    pred[1, 20:30, 20:30] = 5.0  # … and a false blob beside it (→ negative)
    off = torch.zeros(2, 2)
    gen = torch.Generator().manual_seed(1)
    for _ in range(50):
        xy, lab = error_clicks(pred, gt, off, gen, interior=1.0)
        x, y = (xy / SCALE).long().unbind(1)
        assert lab.tolist() == [1.0, 0.0]
        assert 20 <= x[0] < 34 and 4 <= y[0] < 34
        assert 20 <= x[1] < 30 and 20 <= y[1] < 30


def test_the_flag_is_a_probability(tiny_snapshot, tmp_path):
    proc = run_cli("train", "--interior-clicks", "2", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), timeout=60)
    assert proc.returncode == 2 and "--interior-clicks must be a probability" in proc.stderr
