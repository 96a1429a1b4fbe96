import math

import torch

import numpy as np

from dataengine_trainer.losses import (DICE_WEIGHT, FOCAL_ALPHA, FOCAL_WEIGHT, affinity_loss, detector_loss, dice_loss,
                                       focal_loss, mask_iou, sam_mask_loss)
from dataengine_trainer.targets import region_ids


def test_focal_and_dice_known_values():
    logits = torch.zeros(1, 4, 4)
    target = torch.ones(1, 4, 4)
    # p = 0.5: ce = ln 2, (1 - p_t)^2 = 0.25, weight α for positives, 1 − α for negatives
    assert math.isclose(float(focal_loss(logits, target)), FOCAL_ALPHA * 0.25 * math.log(2), rel_tol=1e-6)
    assert math.isclose(float(focal_loss(logits, 1 - target)), (1 - FOCAL_ALPHA) * 0.25 * math.log(2), rel_tol=1e-6)
    # dice with eps 1: 1 - (2·8 + 1) / (8 + 16 + 1)
    assert math.isclose(float(dice_loss(logits, target)), 1 - 17 / 25, rel_tol=1e-6)
    assert float(focal_loss(torch.full((1, 4, 4), 20.0), target)) < 1e-12


def test_focal_dice_ratio_is_20_to_1():
    assert FOCAL_WEIGHT / DICE_WEIGHT == 20


def test_sam_loss_backprops_only_the_best_ambiguity_mask():
    target = torch.zeros(2, 8, 8)
    target[:, 2:6, 2:6] = 1
    good = target * 20 - 10
    low = torch.stack([-good, -good, good, -good], 1).clone().requires_grad_(True)  # token 2 is right
    iou_pred = torch.zeros(2, 4, requires_grad=True)
    loss, chosen, iou = sam_mask_loss(low, iou_pred, target, torch.tensor([True, False]))
    assert chosen.tolist() == [2, 0]
    assert iou[0] == 1.0 and iou[1] == 0.0
    loss.backward()
    g = low.grad.abs().flatten(2).sum(-1)
    assert g[0, 2] > 0 and g[0, 0] == 0 and g[0, 1] == 0 and g[0, 3] == 0  # row 0: only token 2
    assert g[1, 0] > 0 and g[1, 1:].sum() == 0  # row 1 (multi-prompt): only token 0
    # IoU head: MSE against the true IoU of every token
    assert torch.allclose(mask_iou(low.detach(), target.unsqueeze(1).expand(-1, 4, -1, -1))[0], torch.tensor([0.0, 0.0, 1.0, 0.0]))
    assert iou_pred.grad is not None and iou_pred.grad[0, 2] < 0


def test_detector_loss_is_small_for_a_perfect_prediction():
    heat = torch.zeros(1, 1, 64, 64)
    centre = torch.zeros(1, 1, 64, 64, dtype=torch.bool)
    heat[0, 0, 10, 10] = 1
    centre[0, 0, 10, 10] = True
    td = torch.zeros(1, 4, 64, 64)
    td[0, :, 10, 10] = torch.tensor([30.0, 20.0, 30.0, 20.0])
    good = detector_loss(torch.where(centre, 9.0, -9.0), td.clone(), heat, centre, td)
    bad = detector_loss(torch.zeros(1, 1, 64, 64), td * 0 + 5, heat, centre, td)
    assert float(good) < 0.01 < float(bad)


def test_region_ids_take_the_smallest_covering_mask_per_cell():
    low = torch.zeros(3, 32, 32)  # 8×8 cells of 4 low-res px
    low[0, 0:16, 0:16] = 1  # whole object, cells 0..3
    low[1, 0:8, 0:8] = 1  # its part, cells 0..1
    low[2, 20:32, 20:32] = 1  # a second whole object, cells 5..7
    leaf, whole = region_ids(low, np.array([256, 64, 144]), np.array([True, False, True]))
    assert leaf.shape == (8, 8) and whole.shape == (8, 8)
    assert leaf[0, 0] == 2 and leaf[3, 3] == 1 and leaf[6, 6] == 3 and leaf[4, 0] == 0
    assert whole[0, 0] == 1 and whole[3, 3] == 1 and whole[6, 6] == 3 and whole[4, 0] == 0
    empty_leaf, empty_whole = region_ids(torch.zeros(0, 32, 32), np.zeros(0), np.zeros(0, bool))
    assert empty_leaf.shape == (8, 8) and int(empty_leaf.abs().sum() + empty_whole.abs().sum()) == 0


def test_affinity_loss_rewards_features_that_follow_the_regions():
    ids = torch.zeros(1, 16, 16, dtype=torch.long)
    ids[0, 4:12, 4:12] = 1
    ids[0, 0:3, 10:16] = 2
    basis = torch.eye(3)
    good = basis[ids].permute(0, 3, 1, 2)  # one orthogonal unit vector per region
    torch.manual_seed(0)
    rand = torch.nn.functional.normalize(torch.randn(1, 3, 16, 16), dim=1)
    same = torch.nn.functional.normalize(torch.ones(1, 3, 16, 16), dim=1)  # one vector everywhere
    scale = torch.tensor(10.0)
    lg, lr, ls = (float(affinity_loss(f, ids, scale)) for f in (good, rand, same))
    assert lg < 0.01 < lr and lg < ls
    # balanced: a constant embedding gets every "same" pair right and every "different" pair wrong
    assert math.isclose(ls, 0.5 * (math.log1p(math.exp(-5)) + math.log1p(math.exp(5))), rel_tol=1e-4)
