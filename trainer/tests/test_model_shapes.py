import dataclasses

import pytest

import torch

from dataengine_trainer.model import PRESETS, build_model
from dataengine_trainer.model.detector import decode_boxes
from dataengine_trainer.model.image_encoder import ViTEncoder
from dataengine_trainer.model.mask_decoder import MaskDecoder
from dataengine_trainer.model.prompt_encoder import PromptEncoder


def test_conv_encoders_emit_the_sam_embedding():
    for arch in ("micro", "tiny"):
        model = build_model(arch, seed=0).eval()
        with torch.no_grad():
            emb = model.embed(torch.randn(1, 3, 1024, 1024))
        assert emb.shape == (1, 256, 64, 64)


def test_vit_encoder_shapes_small_width():
    enc = ViTEncoder(embed_dim=32, depth=2, num_heads=2, patch_size=16, window_size=14, global_attn_indexes=[1], mlp_ratio=2)
    with torch.no_grad():
        assert enc(torch.randn(1, 3, 1024, 1024)).shape == (1, 256, 64, 64)


def test_sam_vit_b_preset_has_the_true_decoder_shapes():
    cfg = PRESETS["sam-vit-b"]
    assert (cfg.decoder_dim, cfg.decoder_heads, cfg.decoder_mlp_dim, cfg.decoder_depth) == (256, 8, 2048, 2)
    assert cfg.encoder_params["embed_dim"] == 768 and cfg.encoder_params["depth"] == 12
    dec = MaskDecoder(cfg.decoder_dim, cfg.decoder_heads, cfg.decoder_mlp_dim, cfg.decoder_depth, cfg.attn_downsample,
                      cfg.iou_head_hidden, cfg.mask_res)
    pe = PromptEncoder(cfg.decoder_dim)
    n = sum(p.numel() for p in dec.parameters()) + sum(p.numel() for p in pe.parameters())
    assert 3.5e6 < n < 4.5e6  # SAM's prompt encoder + mask decoder: ~3.9–4.1M parameters


def test_prompt_encoder_point_and_mask_embeddings():
    pe = PromptEncoder(32)
    coords = torch.tensor([[[10.0, 20.0], [0.0, 0.0]]])
    labels = torch.tensor([[1.0, -1.0]])
    emb = pe.embed_points(coords, labels)
    assert emb.shape == (1, 2, 32)
    assert torch.allclose(emb[0, 1], pe.not_a_point)  # padding: not-a-point only, coordinates ignored
    emb_moved = pe.embed_points(torch.tensor([[[10.0, 20.0], [500.0, 7.0]]]), labels)
    assert torch.allclose(emb[0, 1], emb_moved[0, 1])
    neg = pe.embed_points(coords, torch.tensor([[0.0, -1.0]]))
    assert torch.allclose(emb[0, 0] - neg[0, 0], pe.point_embeddings[1] - pe.point_embeddings[0])
    dense = pe.embed_masks(torch.randn(2, 1, 256, 256), torch.tensor([1.0, 0.0]))
    assert dense.shape == (2, 32, 64, 64)
    assert torch.allclose(dense[1], pe.no_mask.view(32, 1, 1).expand(32, 64, 64))
    assert pe.dense_pe().shape == (1, 32, 64, 64)


def test_click_maps_render_points_and_boxes():
    pe = PromptEncoder(16, click_maps=True)
    coords = torch.tensor([[[8.0, 8.0], [1000.0, 520.0], [0.0, 0.0]], [[100.0, 200.0], [300.0, 400.0], [0.0, 0.0]]])
    labels = torch.tensor([[1.0, 0.0, -1.0], [2.0, 3.0, 0.0]])
    maps = pe.render_clicks(coords, labels)
    assert maps.shape == (2, 3, 64, 64)
    assert abs(float(maps[0, 0, 0, 0]) - 1.0) < 1e-6 and float(maps[0, 0].max()) <= 1.0  # positive click at cell (0, 0)
    assert float(maps[0, 1, 32, 62]) > 0.9 and float(maps[0, 1, 0, 0]) < 1e-6  # negative click near (62, 32)
    assert float(maps[0, 2].max()) == 0.0  # no box
    box = maps[1, 2]
    assert float(box[18, 12]) > 0.9 and float(box[5, 5]) < 0.01 and float(box[30, 30]) < 0.01  # inside / outside
    assert float(maps[1, 1].max()) > 0.7  # the (0,0) point labelled 0 is a negative click (cell centre 8 px away)


def test_decoder_and_detector_shapes():
    for mask_res, clicks, stride in ((256, False, 1), (128, True, 1), (128, True, 2)):
        cfg = dataclasses.replace(PRESETS["micro"], mask_res=mask_res, click_maps=clicks, token_stride=stride,
                                  mask_convs=PRESETS["micro"].mask_convs if stride == 2 else 0)
        model = build_model(cfg, seed=0)
        emb = torch.randn(3, 256, 64, 64)
        low, iou = model.decode(emb, torch.rand(3, 4, 2) * 1024, torch.tensor([[1.0, 0.0, 2.0, 3.0]] * 3),
                                torch.randn(3, 1, 256, 256), torch.ones(3))
        assert low.shape == (3, 4, 256, 256) and iou.shape == (3, 4)
        assert model.token_px == 16 * stride
    obj, dist = model.detector(emb)
    assert obj.shape == (3, 1, 64, 64) and dist.shape == (3, 4, 64, 64) and (dist >= 0).all()
    boxes = decode_boxes(torch.zeros(1, 4, 64, 64))
    assert boxes[0, :, 0, 0].tolist() == [8.0, 8.0, 8.0, 8.0]  # zero distances → the cell centre
    assert boxes[0, :, 10, 20].tolist() == [328.0, 168.0, 328.0, 168.0]


def test_token_stride_two_folds_the_grid_and_keeps_a_64_skip():
    cfg = dataclasses.replace(PRESETS["micro"], token_stride=2)
    model = build_model(cfg, seed=0).eval()
    dim = cfg.decoder_dim
    emb = torch.randn(1, 256, 64, 64)
    with torch.no_grad():
        packed = model.mask_decoder.project(emb)
    assert packed.shape == (1, 2 * dim, 32, 32)  # folded tokens + the dim/4-channel 64² skip as 2×2 space-to-depth
    skip = torch.nn.functional.pixel_shuffle(packed[:, dim:], 2)
    assert torch.allclose(skip, model.mask_decoder.skip_proj(emb), atol=1e-6)
    pe = model.prompt_encoder
    assert pe.dense_pe().shape == (1, dim, 32, 32)
    assert pe.render_clicks(torch.tensor([[[40.0, 1000.0]]]), torch.tensor([[1.0]])).shape == (1, 3, 32, 32)
    assert float(pe.render_clicks(torch.tensor([[[48.0, 1008.0]]]), torch.tensor([[1.0]]))[0, 0, 31, 1]) > 0.99
    assert pe.embed_masks(torch.randn(2, 1, 256, 256), torch.ones(2)).shape == (2, dim, 32, 32)
    # a crop of the frame (training): 16×16 tokens of a 512 crop → 128² low-res logits
    with torch.no_grad():
        crop_emb = torch.randn(2, 256, 32, 32)
        low, _ = model.decode(crop_emb, torch.rand(2, 2, 2) * 512, torch.tensor([[1.0, -1.0]] * 2), None,
                              image_pe=pe.dense_pe()[:, :, :16, :16].expand(2, -1, -1, -1),
                              crop=(torch.zeros(2, 2), 16))
    assert low.shape == (2, 4, 128, 128)


def test_token_stride_must_be_one_or_two():
    import pytest

    with pytest.raises(ValueError, match="token_stride"):
        build_model(dataclasses.replace(PRESETS["micro"], token_stride=4))



def test_local_blocks_start_as_the_identity_and_need_the_32_grid():
    import pytest

    from dataengine_trainer.model.mask_decoder import LocalBlock

    block = LocalBlock(16)
    x = torch.randn(2, 16, 32, 32)
    assert torch.equal(block(x), x)  # zero-initialised output projection
    torch.nn.init.normal_(block.pw2.weight)
    y = block(x)
    # 7×7 depthwise: a change at one cell reaches cells 3 away, not 4
    x2 = x.clone()
    x2[:, :, 16, 16] += 1.0
    d = (block(x2) - y).abs().sum((0, 1))
    assert float(d[16, 19]) > 0 and float(d[16, 20]) == 0
    assert len(build_model("micro", seed=0).mask_decoder.mask_convs) == PRESETS["micro"].mask_convs >= 1
    with pytest.raises(ValueError, match="mask_convs"):
        build_model(dataclasses.replace(PRESETS["micro"], token_stride=1, mask_convs=1))
