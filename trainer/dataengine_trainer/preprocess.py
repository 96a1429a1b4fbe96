"""SAM pre-processing (SAM-SPEC.md §2.1–2.2): long side → 1024, normalise, pad right/bottom."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .constants import IMAGE_SIZE, LOW_RES_SIZE, PIXEL_MEAN, PIXEL_STD


def resized_size(h: int, w: int, long_side: int = IMAGE_SIZE) -> tuple[int, int]:
    s = long_side / max(h, w)
    return int(h * s + 0.5), int(w * s + 0.5)


def preprocess_image(rgb: np.ndarray) -> torch.Tensor:
    """HWC uint8 RGB → [1, 3, 1024, 1024] float32 normalised and zero-padded."""
    h, w = rgb.shape[:2]
    nh, nw = resized_size(h, w)
    im = Image.fromarray(rgb).resize((nw, nh), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(im, dtype=np.float32)).permute(2, 0, 1)
    x = (x - torch.tensor(PIXEL_MEAN).view(3, 1, 1)) / torch.tensor(PIXEL_STD).view(3, 1, 1)
    return F.pad(x, (0, IMAGE_SIZE - nw, 0, IMAGE_SIZE - nh)).unsqueeze(0)


def coord_scale(h: int, w: int) -> tuple[float, float]:
    """(sx, sy) mapping original pixels to the 1024 frame with the rounded size (§2.2)."""
    nh, nw = resized_size(h, w)
    return nw / w, nh / h


def masks_to_low_res(masks: np.ndarray) -> torch.Tensor:
    """[K, H, W] bool → [K, 256, 256] float in [0, 1] (area-style downscale into the padded frame)."""
    k, h, w = masks.shape
    nh, nw = resized_size(h, w, LOW_RES_SIZE)
    t = torch.from_numpy(masks.astype(np.float32)).unsqueeze(1)
    t = F.interpolate(t, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
    return F.pad(t, (0, LOW_RES_SIZE - nw, 0, LOW_RES_SIZE - nh)).squeeze(1)
