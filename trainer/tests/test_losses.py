import math

import torch

from dataengine_trainer.losses import (DICE_WEIGHT, FOCAL_ALPHA, FOCAL_WEIGHT, detector_loss, dice_loss, focal_loss,
                                       mask_iou, sam_mask_loss)


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
