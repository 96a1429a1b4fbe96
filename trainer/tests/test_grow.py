"""Growing fine-detail features into a trained model (grow.py): the grown model answers exactly as
the original, its detail channels reach the masks once trained, and flips mirror the detail grid."""
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dataengine_trainer.batches import flip_embedding
from dataengine_trainer.errors import TrainerError
from dataengine_trainer.grow import grow_detail
from dataengine_trainer.model import PRESETS, build_model


def _trained_looking(seed: int):
    """A micro model whose norms and heads are not at their initial values (the neck's LayerNorm
    affine especially, which the fold has to carry)."""
    model = build_model("micro", seed=seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "neck.1" in name or name.endswith("bias"):
                p.add_(torch.randn(p.shape, generator=g) * 0.3)
    return model.eval()


def _answers(model, image, coords, labels, mask_input=None):
    with torch.no_grad():
        emb = model.embed(image)
        has = torch.ones(1) if mask_input is not None else None
        low, iou = model.decode(emb, coords, labels, mask_input, has)
        obj, dist = model.detector(emb)
    return emb, low, iou, obj, dist


def test_a_grown_model_answers_as_the_original():
    model = _trained_looking(3)
    grown = grow_detail(model, features=4).eval()
    assert grown.config.detail_features == 4 and grown.config.arch == "micro-hd"
    g = torch.Generator().manual_seed(0)
    image = torch.randn(1, 3, 1024, 1024, generator=g)
    coords, labels = torch.tensor([[[300.0, 420.0], [600.0, 500.0]]]), torch.tensor([[1.0, 0.0]])
    _, low0, iou0, obj0, dist0 = _answers(model, image, coords, labels)
    emb1, low1, iou1, obj1, dist1 = _answers(grown, image, coords, labels)
    scale = low0.abs().max().item()
    assert (low1 - low0).abs().max().item() < 1e-4 * max(scale, 1.0)
    assert torch.allclose(iou1, iou0, atol=1e-5)
    assert torch.allclose(obj1, obj0, atol=1e-4) and torch.allclose(dist1, dist0, atol=1e-3, rtol=1e-4)
    # with a previous mask fed back too
    prev = low0[:, :1]
    _, l0, _, _, _ = _answers(model, image, coords, labels, prev)
    _, l1, _, _, _ = _answers(grown, image, coords, labels, prev)
    assert (l1 - l0).abs().max().item() < 1e-4 * max(l0.abs().max().item(), 1.0)
    # the detail channels are filled by the detail branch, not left empty
    assert emb1[:, -64:].abs().mean().item() > 1e-3


def test_the_detail_upsampling_moves_only_edges_and_starts_as_the_bilinear_doubling():
    from dataengine_trainer.model.mask_decoder import DetailUpsample

    up = DetailUpsample(2)
    g = torch.Generator().manual_seed(7)
    detail = torch.randn(1, 32, 32, 32, generator=g)  # 2 maps at 128², packed 4×4
    coarse = torch.full((1, 4, 64, 64), -6.0)
    coarse[..., 30:] = 6.0  # a vertical edge between coarse columns 29 and 30
    bilinear = F.interpolate(coarse, size=(128, 128), mode="bilinear", align_corners=False)
    with torch.no_grad():
        torch.testing.assert_close(up(coarse, up.prepare(detail)), bilinear)  # zero-initialised
        up.weights.weight.normal_(0.0, 1.0, generator=g)
        up.weights.bias.normal_(0.0, 1.0, generator=g)
        weights = up.prepare(detail)
        # the learned part sums to zero and the bilinear part to one: a flat region stays flat
        assert torch.allclose(weights.sum(1), torch.ones(1), atol=1e-5)
        out = up(coarse, weights)
    moved = (out - bilinear).abs().amax(dim=(0, 1, 2))  # per 128² column
    assert moved[:58].max() < 1e-4 and moved[62:].max() < 1e-4  # away from the edge: unchanged (float rounding)
    assert moved[58:62].max() > 0.1  # at the edge: the detail moves it
    flat = torch.full((1, 4, 64, 64), 3.0)
    with torch.no_grad():
        torch.testing.assert_close(up(flat, weights), torch.full((1, 4, 128, 128), 3.0), atol=1e-4, rtol=0)


def test_prompt_rows_sharing_one_image_decode_as_rows_with_their_own_copy():
    """One image's prompts share its projection as a view (``expand``): the decoder computes the
    per-image parts once and broadcasts them; answers and gradients equal the per-row copies'."""
    model = grow_detail(_trained_looking(5), features=4)
    with torch.no_grad():
        model.mask_decoder.detail_upsample.weights.weight.normal_(0.0, 0.5, generator=torch.Generator().manual_seed(1))
    g = torch.Generator().manual_seed(2)
    emb = model.embed(torch.randn(1, 3, 1024, 1024, generator=g)).detach()
    coords = torch.rand(5, 2, 2, generator=g) * 1024
    labels = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, -1.0], [2.0, 3.0], [0.0, 1.0]])
    answers = []
    for shared in (True, False):
        model.zero_grad()
        proj = model.mask_decoder.project(emb)
        rows = proj.expand(5, -1, -1, -1) if shared else proj.repeat(5, 1, 1, 1)
        low, iou = model.decode(rows, coords, labels, None, projected=True)
        (low.square().mean() + iou.sum()).backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        answers.append((low.detach(), iou.detach(), grads))
    (low_a, iou_a, grads_a), (low_b, iou_b, grads_b) = answers
    torch.testing.assert_close(low_a, low_b, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(iou_a, iou_b)
    assert grads_a.keys() == grads_b.keys() and "mask_decoder.detail_upsample.weights.weight" in grads_a
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name], atol=1e-5, rtol=1e-4, msg=name)


def test_the_detail_upsamplings_hand_written_gradient_is_the_true_one():
    from dataengine_trainer.model.mask_decoder import DetailUpsample, _NeighbourSum

    g = torch.Generator().manual_seed(11)
    for rows_w in (3, 1):  # per-row weights, and one image's weights broadcast over 3 rows
        weights = torch.randn(rows_w, 9, 10, 10, generator=g, dtype=torch.float64, requires_grad=True)
        up = torch.randn(3, 2, 14, 14, generator=g, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(_NeighbourSum.apply, (weights, up))
    # and the module's answer is the plain sum of products (what the exported graph computes)
    module = DetailUpsample(2)
    coarse = torch.randn(3, 4, 8, 8, generator=g)
    weights = torch.randn(1, 9, 16, 16, generator=g)
    up = F.interpolate(F.pad(coarse, (1, 1, 1, 1), mode="replicate"), scale_factor=2.0, mode="nearest")
    plain = sum(weights[:, n : n + 1] * up[:, :, 2 * (n // 3) : 2 * (n // 3) + 16, 2 * (n % 3) : 2 * (n % 3) + 16] for n in range(9))
    torch.testing.assert_close(module(coarse, weights), plain)


def test_growing_refuses_models_it_cannot_fold():
    grown = grow_detail(_trained_looking(5), features=1)
    with pytest.raises(TrainerError, match="already has"):
        grow_detail(grown)
    sam_shaped = build_model(dataclasses.replace(PRESETS["micro"], token_stride=1, mask_convs=0, mask_res=256, click_maps=False))
    with pytest.raises(TrainerError, match="token stride 2"):
        grow_detail(sam_shaped)


def test_a_flip_mirrors_the_detail_maps_on_their_own_grid():
    # detail map value = its 256²-grid column; packed 4×4 space-to-depth into the last channels
    cols = torch.arange(256, dtype=torch.float32).view(1, 1, 1, 256).expand(1, 2, 256, 256)
    packed = F.pixel_unshuffle(cols, 4)[0].numpy()  # [32, 64, 64]
    emb = np.concatenate([np.zeros((224, 64, 64), np.float32), packed])
    out = flip_embedding(emb, 768, detail_channels=32)
    fine = F.pixel_shuffle(torch.from_numpy(out[224:]).unsqueeze(0), 4)[0].numpy()
    # a 768-px-wide image covers 48 cells = 192 detail columns; the padding stays on the right
    assert np.array_equal(fine[1, 7, :192], np.arange(191, -1, -1)) and np.array_equal(fine[0, 0, 192:], np.arange(192, 256))
    assert np.array_equal(flip_embedding(out, 768, detail_channels=32), emb)


def test_a_grown_bundle_fast_retrains_and_its_detail_upsampling_learns(tiny_snapshot, tmp_path):
    """The built-in model is a grown one: the fast retrain (frozen encoder, stored embeddings, flips
    of the detail grid) must train its detail upsampling and keep its encoder."""
    from cli_helpers import json_lines, run_cli, test_threads
    from dataengine_trainer.checkpoint import load_checkpoint
    from dataengine_trainer.export import export_bundle

    grown = grow_detail(_trained_looking(6), features=2)
    bundle = str(tmp_path / "grown")
    export_bundle(grown, bundle, "grown-test", {"parent": None, "snapshot_id": "test"}, {"miou_1click": 0.5})
    proc = run_cli("train", "--mode", "fast", "--data", tiny_snapshot, "--out", str(tmp_path / "run"), "--init", bundle,
                   "--batch", "1", "--masks-per-image", "2", "--crop", "256", "--calibrate-images", "0",
                   "--embedding-flip", "1", "--steps", "3", "--threads", test_threads(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert any(e["event"] == "train_done" for e in json_lines(proc.stdout))
    model, _ = load_checkpoint(str(tmp_path / "run" / "checkpoint.pt"))
    before, after = grown.state_dict(), model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in after if k.startswith("image_encoder."))
    assert not torch.equal(before["mask_decoder.detail_upsample.weights.weight"], after["mask_decoder.detail_upsample.weights.weight"])
