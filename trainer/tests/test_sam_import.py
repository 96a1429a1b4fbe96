"""Official SAM checkpoints → the trainer (sam_import.py, the sam-vit-* presets, import-sam).

No real weights are downloaded: state dicts with the official key names, shapes and layouts
(SAM-SPEC.md §10) are built in ``sam_reference.py`` — at ViT-B size for the key-for-key check, and
for a small encoder (width 64, 2 blocks, 2 heads, block 1 global; SAM's real prompt encoder and mask
decoder) through the same code path for the numerical checks, which compare the converted model
with ``sam_reference``'s own functional version of the official math."""
import dataclasses
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cli_helpers import json_lines, run_cli
from dataengine_trainer import export as export_module
from dataengine_trainer.checkpoint import load_checkpoint, save_checkpoint
from dataengine_trainer.errors import TrainerError
from dataengine_trainer.export import DECODER_INPUTS, DECODER_OUTPUTS
from dataengine_trainer.model import PRESETS, build_model
from dataengine_trainer.model.common import DownConv2x, UpConv2x
from dataengine_trainer.model.image_encoder import Attention, get_rel_pos
from dataengine_trainer.onnx_modules import DecoderOnnx, EncoderOnnx
from dataengine_trainer.ort_bridge import run_onnx
from dataengine_trainer.sam_import import (convert_state_dict, detect_model_type, import_official,
                                           import_sam_checkpoint, load_official_checkpoint)
from sam_reference import official_state_dict, reference_decoder, reference_encoder, rel_pos_attention

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WIDTH, DEPTH, HEADS, GLOBAL = 64, 2, 2, [1]


def small_config():
    base = PRESETS["sam-vit-b"]
    return dataclasses.replace(base, arch="sam-vit-small", encoder_params={
        **base.encoder_params, "embed_dim": WIDTH, "depth": DEPTH, "num_heads": HEADS, "global_attn_indexes": GLOBAL})


@pytest.fixture(scope="module")
def official():
    return official_state_dict(WIDTH, DEPTH, HEADS, GLOBAL, seed=1)


@pytest.fixture(scope="module")
def converted(official):
    model, report = import_official(official, config=small_config())
    return model.eval(), report


def _max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


def test_vit_b_checkpoint_layout_loads_key_for_key():
    sd = official_state_dict(768, 12, 12, [2, 5, 8, 11], seed=0)
    assert len(sd) == 314  # SAM-SPEC.md §10
    assert sd["image_encoder.blocks.0.attn.rel_pos_h"].shape == (27, 64)
    assert sd["image_encoder.blocks.2.attn.rel_pos_w"].shape == (127, 64)
    assert detect_model_type(sd) == "vit_b"
    model, report = import_official(sd, "vit_b")
    assert model.config.arch == "sam-vit-b" and report["official_tensors"] == 314
    own = model.state_dict()
    fresh = {k for k in own if k.startswith(("detector.", "mask_decoder.iou_rescorer.", "mask_decoder.iou_calibration."))}
    converted, unused = convert_state_dict(sd)
    assert unused == [] and set(converted) == set(own) - fresh  # every official key consumed, every tensor filled
    assert report["loaded_tensors"] == len(converted) == 311  # 4 point-embedding rows → one tensor
    assert torch.equal(model.image_encoder.blocks[11].attn.rel_pos_w, sd["image_encoder.blocks.11.attn.rel_pos_w"])
    assert torch.equal(model.mask_decoder.mask_tokens, sd["mask_decoder.mask_tokens.weight"])
    assert report["fresh"].keys() == {"detector", "mask_decoder.iou_rescorer", "mask_decoder.iou_calibration"}


def test_presets_are_the_official_architectures():
    for preset, (width, depth, heads, glob) in {"sam-vit-b": (768, 12, 12, [2, 5, 8, 11]),
                                                 "sam-vit-l": (1024, 24, 16, [5, 11, 17, 23]),
                                                 "sam-vit-h": (1280, 32, 16, [7, 15, 23, 31])}.items():
        p = PRESETS[preset]
        e = p.encoder_params
        assert (e["embed_dim"], e["depth"], e["num_heads"], e["global_attn_indexes"]) == (width, depth, heads, glob)
        assert (e["patch_size"], e["window_size"], e["mlp_ratio"], e["use_rel_pos"]) == (16, 14, 4.0, True)
        assert (p.decoder_dim, p.decoder_heads, p.decoder_mlp_dim, p.decoder_depth, p.iou_head_hidden) == (256, 8, 2048, 2, 256)
        assert (p.token_stride, p.mask_res, p.click_maps, p.mask_convs) == (1, 256, False, 0)
        shapes = {"image_encoder.pos_embed": torch.empty(1, 64, 64, width)}
        shapes.update({f"image_encoder.blocks.{i}.norm1.weight": torch.empty(width) for i in range(depth)})
        assert detect_model_type(shapes) == preset.replace("sam-vit-", "vit_")


def test_converted_model_matches_the_reference_math(official, converted):
    model, _ = converted
    g = torch.Generator().manual_seed(0)
    image = torch.randn(1, 3, 1024, 1024, generator=g)
    with torch.no_grad():
        ours = model.embed(image)
    ref = reference_encoder(official, image, HEADS, GLOBAL)
    assert ours.shape == (1, 256, 64, 64)
    assert _max_diff(ours, ref) < 1e-4, _max_diff(ours, ref)
    # decoder: clicks + padding point, box + click, with and without a mask prompt, two rows at once
    emb = torch.randn(2, 256, 64, 64, generator=g)
    coords = torch.tensor([[[300.0, 500.5], [620.0, 80.0], [0.0, 0.0]], [[100.0, 120.0], [700.0, 900.0], [400.0, 512.0]]])
    labels = torch.tensor([[1.0, 0.0, -1.0], [2.0, 3.0, 1.0]])
    mask_input = torch.randn(2, 1, 256, 256, generator=g)
    has_mask = torch.tensor([1.0, 0.0])
    with torch.no_grad():
        low, iou = model.decode(emb, coords, labels, mask_input, has_mask)
    ref_low, ref_iou = reference_decoder(official, emb, coords, labels, mask_input, has_mask)
    assert low.shape == (2, 4, 256, 256) and iou.shape == (2, 4)
    assert _max_diff(low, ref_low) < 1e-4 * float(ref_low.abs().max()), _max_diff(low, ref_low)
    assert _max_diff(iou, ref_iou) < 1e-5


def test_crop_embedding_is_the_frame_at_its_offset(official, converted):
    """A training crop adds the absolute position embedding of its own cells (per row), and a global
    block sees the full grid's relative terms at the same offsets (the reference indexes the 127-row
    table by qh − kh + 63 for a 32×32 crop, as full-frame inference does for those token pairs)."""
    model, _ = converted
    image = torch.randn(1, 3, 1024, 1024, generator=torch.Generator().manual_seed(5))
    origins = [(192, 320), (512, 0)]
    crops = torch.cat([image[:, :, y:y + 512, x:x + 512] for x, y in origins])
    with torch.no_grad():
        ours = model.embed(crops, torch.tensor(origins))
    assert ours.shape == (2, 256, 32, 32)
    for row, origin in enumerate(origins):
        ref = reference_encoder(official, crops[row:row + 1], HEADS, GLOBAL, origin=origin)
        assert _max_diff(ours[row:row + 1], ref) < 1e-4, (origin, _max_diff(ours[row:row + 1], ref))
    with torch.no_grad():  # without offsets a crop would be placed at the frame's top-left: not the same
        assert _max_diff(model.embed(crops[:1]), ours[:1]) > 1e-2


def test_rel_pos_attention_and_the_official_resize_rule():
    torch.manual_seed(0)
    attn = Attention(32, 2, rel_size=(14, 14))
    with torch.no_grad():
        attn.rel_pos_h.normal_(0, 0.5)
        attn.rel_pos_w.normal_(0, 0.5)
        x = torch.randn(3, 14, 14, 32)
        sd = {"a.qkv.weight": attn.qkv.weight, "a.qkv.bias": attn.qkv.bias, "a.proj.weight": attn.proj.weight,
              "a.proj.bias": attn.proj.bias, "a.rel_pos_h": attn.rel_pos_h, "a.rel_pos_w": attn.rel_pos_w}
        assert _max_diff(attn(x), rel_pos_attention(x, sd, "a", 2, 14)) < 1e-5
    # a table of another length is resized linearly (half-pixel centres, clamped) to 2·max(q, k) − 1 rows
    table = torch.randn(27, 4)
    got = get_rel_pos(7, 7, table)  # 13 rows wanted
    src = np.clip((np.arange(13) + 0.5) * 27 / 13 - 0.5, 0, 26)
    resized = np.stack([np.interp(src, np.arange(27), table[:, c].numpy()) for c in range(4)], 1)
    want = np.stack([[resized[q - k + 6] for k in range(7)] for q in range(7)])
    np.testing.assert_allclose(got.numpy(), want, atol=1e-5)
    assert torch.equal(get_rel_pos(14, 14, table), torch.stack([table[q - torch.arange(14) + 13] for q in range(14)]))


def test_transposed_and_strided_conv_layouts(official):
    converted, _ = convert_state_dict(official)
    x = torch.randn(2, 256, 8, 8)
    up = UpConv2x(256, 64)
    up.conv.weight.data = converted["mask_decoder.upscale.0.conv.weight"]
    up.conv.bias.data = converted["mask_decoder.upscale.0.conv.bias"]
    want = F.conv_transpose2d(x, official["mask_decoder.output_upscaling.0.weight"],
                              official["mask_decoder.output_upscaling.0.bias"], stride=2)
    assert _max_diff(up(x), want) < 1e-5
    m = torch.randn(2, 4, 16, 16)
    down = DownConv2x(4, 16)
    down.conv.weight.data = converted["prompt_encoder.mask_downscaling.3.conv.weight"]
    down.conv.bias.data = converted["prompt_encoder.mask_downscaling.3.conv.bias"]
    want = F.conv2d(m, official["prompt_encoder.mask_downscaling.3.weight"], official["prompt_encoder.mask_downscaling.3.bias"],
                    stride=2)
    assert _max_diff(down(m), want) < 1e-5


def test_loading_is_strict(official):
    cfg = small_config()
    missing = {k: v for k, v in official.items() if k != "mask_decoder.iou_prediction_head.layers.2.bias"}
    with pytest.raises(TrainerError, match=r"1 missing: mask_decoder\.iou_head\.layers\.2\.bias"):
        import_official(missing, config=cfg)
    extra = {**official, "mask_decoder.extra_token.weight": torch.zeros(1, 256)}
    with pytest.raises(TrainerError, match=r"1 unexpected: mask_decoder\.extra_token\.weight"):
        import_official(extra, config=cfg)
    wrong = {**official, "image_encoder.blocks.1.attn.rel_pos_h": torch.zeros(27, 32)}  # a windowed table in the global block
    with pytest.raises(TrainerError, match=r"wrong shape: image_encoder\.blocks\.1\.attn\.rel_pos_h \(27, 32\) \(expected \(127, 32\)\)"):
        import_official(wrong, config=cfg)


def test_a_wrong_model_type_names_the_matching_one(official):
    vit_b = official_state_dict(768, 12, 12, [2, 5, 8, 11], fill="empty")
    with pytest.raises(TrainerError, match=r"is a SAM vit_b checkpoint \(image encoder width 768, 12 blocks\), not vit_l "
                                           r"\(image encoder width 1024, 24 blocks\); run again with --model-type vit_b"):
        import_official(vit_b, "vit_l", source="sam.pth")
    with pytest.raises(TrainerError, match="matches none of vit_b, vit_l, vit_h"):
        import_official(official, "vit_b")


class _RunsCode:
    """Unpickling this would create a directory: the import must refuse it without running it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def test_files_that_are_not_sam_checkpoints_are_refused(tmp_path, official):
    def refused(obj, match, name="x.pth"):
        path = tmp_path / name
        if isinstance(obj, bytes):
            path.write_bytes(obj)
        else:
            torch.save(obj, path)
        with pytest.raises(TrainerError, match=match):
            load_official_checkpoint(str(path))

    marker = str(tmp_path / "code-ran")
    refused({"image_encoder.pos_embed": torch.zeros(1), "x": _RunsCode(marker)}, "only pickle code execution can load")
    assert not os.path.exists(marker)
    refused(b"not a checkpoint\n", "is not a readable PyTorch checkpoint")
    refused(torch.zeros(3), "is not a state dict .* holds Tensor")
    refused({"image_encoder.pos_embed": torch.zeros(1), "note": "text"}, "'note' is a str, not a tensor")
    refused({"image_encoder.trunk.patch_embed.proj.weight": torch.zeros(1), "sam_mask_decoder.iou_token.weight": torch.zeros(1)},
            "SAM 2 checkpoint")
    refused({"encoder.layers.0.weight": torch.zeros(1)}, "not a SAM ViT checkpoint")
    model = build_model("micro", seed=0)
    save_checkpoint(str(tmp_path / "ours.pt"), model, step=1)
    with pytest.raises(TrainerError, match="already a dataengine checkpoint"):
        load_official_checkpoint(str(tmp_path / "ours.pt"))
    with pytest.raises(TrainerError, match="not found"):
        load_official_checkpoint(str(tmp_path / "missing.pth"))
    # fine-tuning scripts' {"model": state_dict} wrapper is unwrapped; float16 tensors come back float32
    torch.save({"model": {k: v.half() for k, v in official.items()}}, tmp_path / "wrapped.pth")
    back = load_official_checkpoint(str(tmp_path / "wrapped.pth"))
    assert back.keys() == official.keys() and back["image_encoder.pos_embed"].dtype == torch.float32


def test_cli_refuses_a_wrong_model_type_in_one_line(tmp_path, official):
    path = tmp_path / "sam_small.pth"
    torch.save(official, path)
    proc = run_cli("import-sam", "--checkpoint", str(path), "--model-type", "vit_b", "--out", str(tmp_path / "b"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "matches none of vit_b, vit_l, vit_h (image encoder width 64, 2 blocks)" in proc.stderr
    assert not (tmp_path / "b").exists()


@pytest.fixture(scope="module")
def imported_bundle(tmp_path_factory, official):
    """import-sam's bundle for the small variant. Its graphs keep their weights in side files, the
    way ViT-H's 2.5 GB encoder is written (export.EXTERNAL_DATA_BYTES lowered for the test)."""
    d = tmp_path_factory.mktemp("sam-import")
    pth = d / "sam_small.pth"
    torch.save(official, pth)
    limit = export_module.EXTERNAL_DATA_BYTES
    export_module.EXTERNAL_DATA_BYTES = 1 << 20
    try:
        result = import_sam_checkpoint(str(pth), str(d / "bundle"), None, name="sam-small", config=small_config())
    finally:
        export_module.EXTERNAL_DATA_BYTES = limit
    return str(d / "bundle"), str(pth), result


def test_import_writes_a_bundle_without_an_untrained_detector(imported_bundle):
    d, pth, result = imported_bundle
    assert sorted(os.listdir(d)) == ["decoder.onnx", "decoder.onnx.data", "encoder.onnx", "encoder.onnx.data",
                                     "manifest.json", "model.pt"]
    m = json.load(open(os.path.join(d, "manifest.json")))
    assert "detector" not in m and "detector" not in m["files"]  # stage-2 prefill refuses it until a retrain
    assert m["untrained_heads"] == ["detector"]
    assert m["name"] == "sam-small" and m["model_type"] == "sam-vit-small" and m["lineage"]["parent"] is None
    assert m["architecture"]["encoder_params"]["use_rel_pos"] is True
    import hashlib

    assert m["source"]["sha256"] == hashlib.sha256(open(pth, "rb").read()).hexdigest()
    assert result["official_tensors"] == 174 and result["files"]["model.pt"] > 0
    model, meta = load_checkpoint(d)  # what train --init reads
    assert meta["step"] == 0 and meta["untrained_heads"] == ["detector"]
    assert torch.equal(model.image_encoder.blocks[1].attn.rel_pos_h, torch.load(pth)["image_encoder.blocks.1.attn.rel_pos_h"])
    proc = subprocess.run(["npx", "tsx", "trainer/tests/validate_bundle.ts", d], cwd=REPO, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"ok": True, "problems": [], "name": "sam-small"}


def test_imported_bundle_onnx_matches_torch_and_the_reference(imported_bundle, official, converted):
    d, _, _ = imported_bundle
    model, _ = converted
    g = torch.Generator().manual_seed(7)
    x = torch.randn(1, 3, 1024, 1024, generator=g)
    with torch.no_grad():
        emb = EncoderOnnx(model)(x)
    outs, _ = run_onnx(os.path.join(d, "encoder.onnx"), {"input_image": x.numpy()})
    enc_diff = float(np.abs(outs["image_embeddings"] - emb.numpy()).max())
    assert enc_diff < 1e-3, enc_diff
    for coords, labels, has_mask, orig in [
        ([[412.0, 300.0], [0.0, 0.0]], [1.0, -1.0], 0.0, (768, 1024)),
        ([[50.0, 60.0], [700.0, 650.0], [300.0, 310.0]], [2.0, 3.0, 0.0], 1.0, (1500, 2250)),
    ]:
        ins = (emb, torch.tensor([coords]), torch.tensor([labels]), torch.randn(1, 1, 256, 256, generator=g),
               torch.tensor([has_mask]), torch.tensor([float(orig[0]), float(orig[1])]))
        with torch.no_grad():
            want = DecoderOnnx(model)(*ins)
        got, _ = run_onnx(os.path.join(d, "decoder.onnx"), {n: t.numpy() for n, t in zip(DECODER_INPUTS, ins)})
        assert got["masks"].shape == (1, 4, *orig)
        for name, w in zip(DECODER_OUTPUTS, want):
            np.testing.assert_allclose(got[name], w.numpy(), atol=5e-4, rtol=1e-3, err_msg=name)
        ref_low, ref_iou = reference_decoder(official, *ins[:5])
        np.testing.assert_allclose(got["low_res_masks"], ref_low.numpy(), atol=5e-4, rtol=1e-3)
        np.testing.assert_allclose(got["iou_predictions"], ref_iou.numpy(), atol=1e-4)


def test_imported_bundle_fine_tunes_on_crops(imported_bundle, tiny_snapshot, tmp_path):
    d, _, _ = imported_bundle
    out = tmp_path / "run"
    proc = run_cli("train", "--init", d, "--data", tiny_snapshot, "--out", str(out), "--steps", "2", "--batch", "2",
                   "--masks-per-image", "2", "--crop", "512", "--warmup", "1", "--log-every", "1",
                   "--loader-workers", "0", "--calibrate-images", "0")
    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)
    done = [e for e in events if e["event"] == "train_done"][0]
    assert done["steps_done"] == 2 and done["stopped_by"] is None
    steps = [e for e in events if e["event"] == "train_step"]
    assert len(steps) == 2 and all(np.isfinite(e["loss"]) for e in steps)
    model, meta = load_checkpoint(str(out / "checkpoint.pt"))
    assert model.config.arch == "sam-vit-small" and meta["parent"]["path"] == os.path.abspath(d)
    before, _ = load_checkpoint(d)
    assert not torch.equal(model.image_encoder.pos_embed, before.image_encoder.pos_embed)  # the encoder trained
    assert not torch.equal(model.detector.obj.weight, before.detector.obj.weight)  # and the detector head
    shutil.rmtree(out)


def test_a_fast_retrain_gives_an_imported_sam_a_detector_and_keeps_its_encoder(imported_bundle, tiny_snapshot, tmp_path):
    """The retrain loop's default on an imported checkpoint: the encoder frozen, the detector head trained,
    and the candidate's encoder.onnx the imported one's, byte for byte (their embeddings are shared)."""
    from dataengine_trainer.embeddings import encoder_hash

    d, _, _ = imported_bundle
    out = tmp_path / "run"
    proc = run_cli("train", "--mode", "fast", "--init", d, "--data", tiny_snapshot, "--out", str(out), "--steps", "2",
                   "--masks-per-image", "2", "--crop", "512", "--warmup", "1", "--log-every", "1",
                   "--loader-workers", "0", "--calibrate-images", "0")
    assert proc.returncode == 0, proc.stderr
    before, _ = load_checkpoint(d)
    model, meta = load_checkpoint(str(out / "checkpoint.pt"))
    assert meta["encoder_frozen"] is True
    assert all(torch.equal(a, b) for a, b in zip(model.image_encoder.state_dict().values(), before.image_encoder.state_dict().values()))
    assert not torch.equal(model.detector.obj.weight, before.detector.obj.weight)
    bundle = tmp_path / "candidate"
    proc = run_cli("export", "--checkpoint", str(out / "checkpoint.pt"), "--out", str(bundle), "--encoder-from", d)
    assert proc.returncode == 0, proc.stderr
    assert encoder_hash(str(bundle)) == encoder_hash(d)
    with open(bundle / "manifest.json") as f:
        manifest = json.load(f)
    assert manifest["files"]["detector"] == "detector.onnx" and os.path.isfile(bundle / "detector.onnx")
    assert "detector" in manifest
