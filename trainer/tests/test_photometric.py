import numpy as np
import pytest

from dataengine_trainer import photometric
from dataengine_trainer.batches import build_batch, usable_annotations
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.photometric import augment_photometric, cast_shadows, shadow_casters


def _square(h=40, w=60, box=(10, 20, 20, 30)):
    m = np.zeros((h, w), bool)
    y0, y1, x0, x1 = box
    m[y0:y1, x0:x1] = True
    return m


def test_a_shadow_darkens_beside_its_caster_and_never_the_caster():
    img = np.full((40, 60, 3), 0.8, np.float32)
    m = _square()
    out = cast_shadows(img, [m], np.random.default_rng(1))
    darker = out[:, :, 0] < 0.8 - 1e-4
    assert darker.any()
    assert not darker[m].any()
    # a shadow is the caster moved and softened: it lies near it, not across the frame
    ys, xs = np.nonzero(darker & (out[:, :, 0] < 0.7))
    assert ys.min() >= 0 and (np.abs(ys - 15).max() < 25) and (np.abs(xs - 25).max() < 35)


def test_a_shadow_longer_than_the_image_is_tall_is_cut_off_not_an_error():
    # a wide image and a caster as wide as it: the shadow's offset can pass the image's height
    img = np.full((20, 400, 3), 0.8, np.float32)
    m = np.zeros((20, 400), bool)
    m[5:15, :] = True
    for seed in range(20):
        out = cast_shadows(img, [m], np.random.default_rng(seed))
        assert out.shape == img.shape and np.isfinite(out).all()


@pytest.mark.parametrize("effect", ["P_SHADOW", "P_LIGHT", "P_TEXTURE", "P_COLOUR", "P_BLUR", "P_NOISE"])
def test_each_effect_alone_changes_the_pixels_and_keeps_the_image_shape(monkeypatch, effect):
    for name in ("P_SHADOW", "P_LIGHT", "P_TEXTURE", "P_COLOUR", "P_BLUR", "P_NOISE"):
        monkeypatch.setattr(photometric, name, 1.0 if name == effect else 0.0)
    rng = np.random.default_rng(0)
    rgb = (rng.random((48, 64, 3)) * 200 + 20).astype(np.uint8)
    out = augment_photometric(rgb, [_square(48, 64)], np.random.default_rng(5))
    assert out.shape == rgb.shape and out.dtype == np.uint8
    diff = np.abs(out.astype(int) - rgb).max(axis=2)
    assert (diff >= 3).mean() > 0.01 and diff.max() >= 8


def test_the_same_generator_state_gives_the_same_image():
    rgb = np.full((30, 30, 3), 128, np.uint8)
    a = augment_photometric(rgb, [_square(30, 30, (5, 15, 5, 15))], np.random.default_rng(7))
    b = augment_photometric(rgb, [_square(30, 30, (5, 15, 5, 15))], np.random.default_rng(7))
    assert np.array_equal(a, b)


def test_off_by_default_the_batch_sequence_is_unchanged_and_on_it_changes_pixels_not_targets(tiny_snapshot):
    snap = load_snapshot(tiny_snapshot)
    plain = build_batch(snap.train, np.random.default_rng(3), 2, 3, crop=64)
    zero = build_batch(snap.train, np.random.default_rng(3), 2, 3, crop=64, photometric=0.0)
    assert np.array_equal(plain.images.numpy(), zero.images.numpy())
    assert np.array_equal(plain.gt.numpy(), zero.gt.numpy())
    on = build_batch(snap.train, np.random.default_rng(3), 2, 3, crop=64, photometric=1.0)
    assert not np.array_equal(plain.images.numpy(), on.images.numpy())
    # masks and boxes are what they were: only the pixels are re-lit
    assert on.gt.shape[1:] == plain.gt.shape[1:]
    assert on.images.shape == plain.images.shape


def test_shadow_casters_are_whole_objects_of_the_image(tiny_snapshot):
    rec = load_snapshot(tiny_snapshot).train[0]
    casters = shadow_casters(usable_annotations(rec), np.random.default_rng(0))
    wholes = [a.mask().astype(bool) for a in usable_annotations(rec) if a.is_whole]
    assert 1 <= len(casters) <= photometric.MAX_SHADOW_CASTERS
    assert all(any(np.array_equal(c, w) for w in wholes) for c in casters)
    assert all(c.shape == (rec.height, rec.width) for c in casters)
