"""Photometric augmentation of training images: what another camera, light and surface do to the
pixels of a scene while its masks stay the same. Lighting gradients and spots, cast shadows of the
scene's own objects, surface texture, colour cast, contrast, saturation and gamma, defocus and
sensor noise, each drawn with its own chance and strength from the batch generator.

It works on an image's own pixels before the resize to the model's frame (the pixel path of full
training; fast retrains train on stored embeddings and never see pixels). A model trained on flat,
evenly lit synthetic scenes meets shading, shadows and texture in every real photo and in the
`studio` scene family; this teaches the encoder that they are not object boundaries."""
from __future__ import annotations

import numpy as np
from scipy import ndimage

# chance of each effect when an image is augmented
P_SHADOW = 0.5
P_LIGHT = 0.7
P_TEXTURE = 0.4
P_COLOUR = 0.8
P_BLUR = 0.3
P_NOISE = 0.3
MAX_SHADOW_CASTERS = 3


def cast_shadows(img: np.ndarray, casters: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Soft shadows of ``casters`` (boolean masks) thrown by one light: each mask moved along the same
    direction, blurred, and darkening the image except on the caster itself. ``img`` float [H, W, 3]."""
    h, w = img.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    shade = np.zeros((h, w), np.float32)
    for m in casters:
        ys, xs = np.nonzero(m)
        if len(ys) == 0:
            continue
        size = max(ys.max() - ys.min(), xs.max() - xs.min()) + 1
        dist = rng.uniform(0.08, 0.35) * size
        moved = ndimage.shift(m.astype(np.float32), (round(dist * np.sin(angle)), round(dist * np.cos(angle))), order=0)
        soft = ndimage.gaussian_filter(moved, rng.uniform(0.5, 0.12 * size + 1.0))
        shade = np.maximum(shade, soft * (~m))
    strength = rng.uniform(0.3, 0.65)
    return img * (1.0 - strength * shade)[:, :, None]


def light_field(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth multiplicative light field [H, W]: a linear gradient in a random direction and a
    bright or dark spot, mean about 1."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / max(h - 1, 1) - 0.5, xx / max(w - 1, 1) - 0.5
    a = rng.uniform(0, 2 * np.pi)
    field = 1.0 + rng.uniform(0, 0.7) * (np.cos(a) * xx + np.sin(a) * yy)
    if rng.random() < 0.6:
        cy, cx = rng.uniform(-0.5, 0.5, size=2)
        s = rng.uniform(0.15, 0.6)
        field = field + rng.uniform(-0.25, 0.45) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
    return np.clip(field, 0.25, None).astype(np.float32)


def texture_field(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative surface texture [H, W, 1]: smooth value noise at a random scale, optionally
    stretched into grain along one axis, about 1 ± 0.15."""
    gh, gw = int(rng.integers(3, 24)), int(rng.integers(3, 24))
    if rng.random() < 0.4:  # grain: fine across, long along
        gh, gw = (gh, 2) if rng.random() < 0.5 else (2, gw)
    coarse = rng.standard_normal((gh, gw)).astype(np.float32)
    fine = ndimage.zoom(coarse, (h / gh, w / gw), order=1, mode="nearest")[:h, :w]
    if fine.shape != (h, w):
        fine = np.pad(fine, ((0, h - fine.shape[0]), (0, w - fine.shape[1])), mode="edge")
    return (1.0 + rng.uniform(0.03, 0.15) * fine)[:, :, None]


def colour(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Colour cast (per-channel gain), contrast about the mean, saturation, brightness and gamma."""
    img = img * rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    mean = img.mean()
    img = (img - mean) * rng.uniform(0.7, 1.3) + mean + rng.uniform(-0.08, 0.08)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * rng.uniform(0.6, 1.3)
    return np.clip(img, 0.0, 1.0) ** rng.uniform(0.75, 1.35)


def augment_photometric(rgb: np.ndarray, casters: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """``rgb`` uint8 [H, W, 3] with some of its effects applied (each with its own chance);
    ``casters``: boolean masks [H, W] of objects that may cast a shadow. Returns uint8 [H, W, 3]."""
    h, w = rgb.shape[:2]
    img = rgb.astype(np.float32) / 255.0
    if casters and rng.random() < P_SHADOW:
        img = cast_shadows(img, casters, rng)
    if rng.random() < P_LIGHT:
        img = img * light_field(h, w, rng)[:, :, None]
    if rng.random() < P_TEXTURE:
        img = img * texture_field(h, w, rng)
    if rng.random() < P_COLOUR:
        img = colour(img, rng)
    if rng.random() < P_BLUR:
        img = ndimage.gaussian_filter(img, (rng.uniform(0.4, 1.8),) * 2 + (0,))
    if rng.random() < P_NOISE:
        img = img + rng.normal(0.0, rng.uniform(0.005, 0.03), img.shape).astype(np.float32)
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def shadow_casters(annotations, rng: np.random.Generator) -> list[np.ndarray]:
    """Up to MAX_SHADOW_CASTERS whole objects' masks, drawn at random (only those are decoded)."""
    wholes = [a for a in annotations if a.is_whole]
    if not wholes:
        return []
    k = min(len(wholes), int(rng.integers(1, MAX_SHADOW_CASTERS + 1)))
    return [wholes[int(i)].mask().astype(bool) for i in rng.choice(len(wholes), size=k, replace=False)]
