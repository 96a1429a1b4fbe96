import json
import os
import shutil
import subprocess

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F

from dataengine_trainer.export import DECODER_INPUTS, DECODER_OUTPUTS, example_decoder_inputs
from dataengine_trainer.onnx_modules import DecoderOnnx, DetectorOnnx, EncoderOnnx, postprocess_masks
from dataengine_trainer.ort_bridge import run_onnx

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _io(path):
    g = onnx.load(path).graph

    def dims(t):
        return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in t.type.tensor_type.shape.dim]

    def dtype(t):
        return onnx.TensorProto.DataType.Name(t.type.tensor_type.elem_type)

    return [(i.name, dtype(i), dims(i)) for i in g.input], [(o.name, dtype(o), dims(o)) for o in g.output]


def test_bundle_files_manifest_and_io_contract(micro_bundle):
    d, _ = micro_bundle
    assert sorted(os.listdir(d)) == ["decoder.onnx", "detector.onnx", "encoder.onnx", "manifest.json", "model.pt"]
    enc_in, enc_out = _io(os.path.join(d, "encoder.onnx"))
    assert enc_in == [("input_image", "FLOAT", [1, 3, 1024, 1024])]
    assert enc_out == [("image_embeddings", "FLOAT", [1, 256, 64, 64])]
    dec_in, dec_out = _io(os.path.join(d, "decoder.onnx"))
    assert [n for n, _, _ in dec_in] == DECODER_INPUTS
    assert all(t == "FLOAT" for _, t, _ in dec_in + dec_out)
    shapes = {n: s for n, _, s in dec_in}
    assert shapes["image_embeddings"] == [1, 256, 64, 64]
    assert shapes["point_coords"][0] == 1 and isinstance(shapes["point_coords"][1], str) and shapes["point_coords"][2] == 2
    assert shapes["point_labels"][0] == 1 and isinstance(shapes["point_labels"][1], str)
    assert shapes["mask_input"] == [1, 1, 256, 256] and shapes["has_mask_input"] == [1] and shapes["orig_im_size"] == [2]
    out = {n: s for n, _, s in dec_out}
    assert [n for n, _, _ in dec_out] == DECODER_OUTPUTS
    assert out["masks"][:2] == [1, 4] and all(isinstance(v, str) for v in out["masks"][2:])
    assert out["iou_predictions"] == [1, 4] and out["low_res_masks"] == [1, 4, 256, 256]
    det_in, det_out = _io(os.path.join(d, "detector.onnx"))
    assert det_in == [("image_embeddings", "FLOAT", [1, 256, 64, 64])]
    assert det_out == [("objectness", "FLOAT", [1, 1, 64, 64]), ("boxes", "FLOAT", [1, 4, 64, 64])]
    for f in ("encoder.onnx", "decoder.onnx", "detector.onnx"):
        assert max(o.version for o in onnx.load(os.path.join(d, f)).opset_import if o.domain in ("", "ai.onnx")) == 17
    m = json.load(open(os.path.join(d, "manifest.json")))
    assert m["format"] == "dataengine-checkpoint-bundle" and m["format_version"] == 1
    assert m["image_size"] == 1024 and m["embedding_shape"] == [256, 64, 64] and m["low_res_size"] == 256
    assert m["mask_channels"] == 4 and m["pixel_mean"] == [123.675, 116.28, 103.53] and m["pixel_std"] == [58.395, 57.12, 57.375]
    assert m["encoder"] == {"input": "input_image", "output": "image_embeddings"}
    assert m["detector"]["box_format"] == "ltrb" and m["detector"]["score"] == "logit"
    assert m["lineage"]["snapshot_id"] == "test" and m["lineage"]["metrics"] == {"miou_1click": 0.5}


@pytest.mark.parametrize("orig,crop", [((1500, 2250), (683, 1024)), ((480, 640), (768, 1024)), ((384, 512), (768, 1024))])
def test_postprocess_crop_rule(orig, crop):  # SAM-SPEC.md §1.5
    low = torch.randn(1, 4, 256, 256)
    up = F.interpolate(low, size=(1024, 1024), mode="bilinear", align_corners=False)
    ref = F.interpolate(up[..., : crop[0], : crop[1]], size=orig, mode="bilinear", align_corners=False)
    got = postprocess_masks(low, torch.tensor([float(orig[0]), float(orig[1])]))
    assert got.shape == (1, 4, *orig) and torch.equal(got, ref)


def _decoder_case(num_clicks, box, orig):
    g = torch.Generator().manual_seed(num_clicks + 10 * box)
    n = num_clicks + (2 if box else 1)
    coords = torch.rand(1, n, 2, generator=g) * 1000
    labels = torch.tensor([[1.0, 0.0, 1.0, 0.0][i % 4] for i in range(num_clicks)] + ([2.0, 3.0] if box else [-1.0])).view(1, n)
    return (torch.randn(1, 256, 64, 64, generator=g), coords, labels, torch.randn(1, 1, 256, 256, generator=g),
            torch.tensor([float(box)]), torch.tensor([float(orig[0]), float(orig[1])]))


VARIANTS = {
    # the SAM-faithful code path (64² tokens, two upscalings, no click maps) at micro size
    "sam_shaped": {"mask_res": 256, "click_maps": False, "token_stride": 1, "mask_convs": 0},
    # 64² tokens with click maps, masks at 128² (models trained before the 32² token grid)
    "token_stride_1": {"token_stride": 1, "mask_convs": 0},
    # the 32² token grid without the local blocks (models trained before them)
    "no_mask_convs": {"mask_convs": 0},
    # fine-detail maps in the embedding's last channels and the decoder's 256² detail masks (tiny-hd)
    "detail": {"detail_features": 2},
}


def _variant_micro_bundle(tmp_path, variant):
    import dataclasses

    from dataengine_trainer.export import export_bundle
    from dataengine_trainer.model import PRESETS, build_model

    model = build_model(dataclasses.replace(PRESETS["micro"], **VARIANTS.get(variant, {})), seed=2)
    if variant == "calibrated":  # a fitted IoU calibration is part of the decoder graph
        cal = model.mask_decoder.iou_calibration
        x = torch.linspace(-0.2, 0.9, cal.x.shape[1]).repeat(4, 1) + torch.arange(4).unsqueeze(1) * 0.01
        cal.set(x, (torch.linspace(0.0, 1.0, cal.x.shape[1]) ** 2).repeat(4, 1))
    if variant == "rescored":  # a fitted mask-aware IoU rescorer is part of the decoder graph too
        r = model.mask_decoder.iou_rescorer
        gen = torch.Generator().manual_seed(5)
        with torch.no_grad():
            r.mean.normal_(0.0, 0.2, generator=gen)
            r.std.uniform_(0.5, 2.0, generator=gen)
            r.w3.normal_(0.0, 0.3, generator=gen)
            r.b3.normal_(0.0, 0.1, generator=gen)
    if variant == "detail":  # the detail upsampling starts as the bilinear doubling: make it count
        with torch.no_grad():
            model.mask_decoder.detail_upsample.weights.weight.normal_(0.0, 0.5)
    d = str(tmp_path / variant)
    export_bundle(model, d, variant, {"parent": None, "snapshot_id": None}, include_pytorch=False)
    return d, model


@pytest.mark.parametrize("variant", ["default", *VARIANTS, "calibrated", "rescored"])
def test_pytorch_onnxruntime_parity(micro_bundle, tmp_path, variant):
    d, model = micro_bundle if variant == "default" else _variant_micro_bundle(tmp_path, variant)
    model.eval()
    x = torch.randn(1, 3, 1024, 1024)
    with torch.no_grad():
        emb = EncoderOnnx(model)(x)
    outs, _ = run_onnx(os.path.join(d, "encoder.onnx"), {"input_image": x.numpy()})
    np.testing.assert_allclose(outs["image_embeddings"], emb.numpy(), atol=1e-4, rtol=1e-3)
    for clicks, box, orig in [(1, False, (384, 512)), (3, False, (1500, 2250)), (1, True, (480, 640)), (0, True, (768, 1024))]:
        ins = _decoder_case(clicks, box, orig)
        with torch.no_grad():
            ref = DecoderOnnx(model)(*ins)
        outs, _ = run_onnx(os.path.join(d, "decoder.onnx"), {n: t.numpy() for n, t in zip(DECODER_INPUTS, ins)})
        assert outs["masks"].shape == (1, 4, *orig)
        for name, r in zip(DECODER_OUTPUTS, ref):
            np.testing.assert_allclose(outs[name], r.numpy(), atol=2e-4, rtol=1e-3, err_msg=name)
    with torch.no_grad():
        obj, boxes = DetectorOnnx(model)(emb)
    outs, _ = run_onnx(os.path.join(d, "detector.onnx"), {"image_embeddings": emb.numpy()})
    np.testing.assert_allclose(outs["objectness"], obj.numpy(), atol=1e-4, rtol=1e-3)
    np.testing.assert_allclose(outs["boxes"], boxes.numpy(), atol=1e-3, rtol=1e-3)


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs node/npx")
def test_bundle_passes_the_segment_core_validator(micro_bundle):
    d, _ = micro_bundle
    proc = subprocess.run(["npx", "tsx", "trainer/tests/validate_bundle.ts", d], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"ok": True, "problems": [], "name": "micro-test"}


def test_example_inputs_are_float32():
    assert all(t.dtype == torch.float32 for t in example_decoder_inputs())


def test_vit_encoder_exports(tmp_path):
    import dataclasses

    from dataengine_trainer.export import export_onnx
    from dataengine_trainer.model import PRESETS, build_model

    small_vit = dataclasses.replace(PRESETS["sam-vit-b"], encoder_params={
        **PRESETS["sam-vit-b"].encoder_params, "embed_dim": 48, "depth": 2, "num_heads": 2, "global_attn_indexes": [1]})
    files = export_onnx(build_model(small_vit, seed=0))
    path = tmp_path / "encoder.onnx"
    path.write_bytes(files["encoder.onnx"])
    enc_in, enc_out = _io(str(path))
    assert enc_in == [("input_image", "FLOAT", [1, 3, 1024, 1024])]
    assert enc_out == [("image_embeddings", "FLOAT", [1, 256, 64, 64])]
    dec = tmp_path / "decoder.onnx"
    dec.write_bytes(files["decoder.onnx"])
    _, dec_out = _io(str(dec))
    assert dec_out[2] == ("low_res_masks", "FLOAT", [1, 4, 256, 256])
