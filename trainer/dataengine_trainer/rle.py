"""COCO RLE (SAM-SPEC.md §4): column-major runs starting with zeros; compressed string codec.

Pure numpy; pycocotools is not available on our machines.
"""
from __future__ import annotations

import numpy as np


class RleError(ValueError):
    """A malformed RLE (bad characters, counts not summing to H*W, ...)."""


def string_to_counts(s: str) -> list[int]:
    """Decodes a COCO compressed counts string into run lengths (SAM-SPEC.md §4.2)."""
    counts: list[int] = []
    p = 0
    n = len(s)
    while p < n:
        x = 0
        k = 0
        more = True
        g = 0
        while more:
            if p >= n:
                raise RleError("truncated RLE string")
            c = ord(s[p]) - 48
            if c < 0 or c > 63:
                raise RleError(f"invalid RLE character {s[p]!r} at {p}")
            g = c
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
        if g & 0x10:
            x -= 1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def counts_to_string(counts: list[int]) -> str:
    """Encodes run lengths as a COCO compressed string (inverse of string_to_counts)."""
    out: list[str] = []
    for i, c in enumerate(counts):
        x = int(c) - int(counts[i - 2]) if i > 2 else int(c)
        more = True
        while more:
            g = x & 0x1F
            x >>= 5
            more = (x != -1) if (g & 0x10) else (x != 0)
            if more:
                g |= 0x20
            out.append(chr(g + 48))
    return "".join(out)


def decode_counts(counts: list[int], height: int, width: int) -> np.ndarray:
    """Run lengths → HxW bool mask (column-major fill)."""
    total = height * width
    arr = np.asarray(counts, dtype=np.int64)
    if arr.size == 0 or (arr < 0).any():
        raise RleError("RLE counts must be non-empty and non-negative")
    if int(arr.sum()) != total:
        raise RleError(f"RLE counts sum to {int(arr.sum())}, expected H*W = {total}")
    values = np.zeros(arr.size, dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, arr)
    return flat.reshape(width, height).T.copy()


def encode_counts(mask: np.ndarray) -> list[int]:
    """HxW mask → run lengths (column-major, first run counts zeros)."""
    flat = np.asarray(mask, dtype=bool).T.reshape(-1)
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs = [0] + runs
    return [int(r) for r in runs]


def decode_rle(segmentation: dict) -> np.ndarray:
    """{"size": [H, W], "counts": str | list[int]} → HxW bool mask. Raises RleError."""
    if not isinstance(segmentation, dict) or "size" not in segmentation or "counts" not in segmentation:
        raise RleError("segmentation must be an object with 'size' and 'counts'")
    size = segmentation["size"]
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise RleError(f"segmentation size must be [H, W] positive ints, got {size!r}")
    counts = segmentation["counts"]
    if isinstance(counts, str):
        counts = string_to_counts(counts)
    elif not (isinstance(counts, list) and all(isinstance(v, int) for v in counts)):
        raise RleError("segmentation counts must be a string or a list of ints")
    return decode_counts(counts, size[0], size[1])


def encode_rle(mask: np.ndarray) -> dict:
    h, w = mask.shape
    return {"size": [int(h), int(w)], "counts": counts_to_string(encode_counts(mask))}
