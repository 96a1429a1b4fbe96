"""Image embeddings for the fast retrain (``train --mode fast``): the image encoder is frozen and never
run per step, so each training image's embedding is needed once.

The engine stores every image's embedding per checkpoint (float16, [1, 256, 64, 64], the encoder's
output for the padded 1024 frame). A retrain hands them to the trainer in a directory
(``--embeddings DIR``, by default the snapshot's own) as ``sa_<id>.emb.f16`` (raw little-endian
float16, C order) beside ``embeddings.json`` saying which encoder made them::

    {"dtype": "float16", "shape": [1, 256, 64, 64], "encoder_sha256": "…"}

They are used when that encoder is the init bundle's (its ``encoder.onnx`` hashes the same) and one
of them agrees with the init model's own encoder run on its image; otherwise — and for images
without a stored file — the embedding is computed here, once, before the first step.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import torch

from .constants import EMBED_DIM, EMBED_SIZE
from .dataset import ImageRecord, Snapshot
from .errors import TrainerError
from .preprocess import preprocess_image
from .progress import emit

SUFFIX = ".emb.f16"
INDEX = "embeddings.json"
SHAPE = (1, EMBED_DIM, EMBED_SIZE, EMBED_SIZE)
# The stored embedding is of the image the engine holds; the trainer reads the snapshot's JPEG
# re-encoding of it, and onnxruntime's float16-stored result differs from torch's in rounding: the same
# encoder agrees to a relative L2 difference of about 0.05 (more on tiny, upscaled images); another
# image or a wrong file is off by the order of the embedding itself (≥ 1)
AGREEMENT_TOLERANCE = 0.25


def encoder_hash(bundle_dir: str) -> str | None:
    """sha256 of a bundle's ``encoder.onnx`` (and its ``.data`` side file), hex; None without one."""
    path = os.path.join(bundle_dir, "encoder.onnx")
    if not os.path.isfile(path):
        return None
    h = hashlib.sha256()
    for p in (path, path + ".data"):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


def stored_path(root: str, image_id: int) -> str:
    return os.path.join(root, f"sa_{image_id}{SUFFIX}")


def read_stored(path: str) -> np.ndarray:
    """[256, 64, 64] float32 from a stored float16 file; TrainerError when its size is wrong."""
    data = np.fromfile(path, dtype="<f2")
    if data.size != int(np.prod(SHAPE)):
        raise TrainerError(f"embedding file {path} holds {data.size} values; expected {int(np.prod(SHAPE))} "
                           f"(float16 {list(SHAPE)})")
    return data.reshape(SHAPE[1:]).astype(np.float32)


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / ‖b‖ (L2 over all values)."""
    return float(np.linalg.norm((a - b).ravel()) / max(float(np.linalg.norm(b.ravel())), 1e-6))


@dataclass
class EmbeddingSet:
    """Per training image: its [256, 64, 64] embedding under the frozen encoder (held as float16,
    2 MB an image, as the engine stores it; handed out as float32)."""

    by_image: dict[int, np.ndarray]
    stored: int
    computed: int
    note: str

    def __call__(self, rec: ImageRecord) -> np.ndarray:
        return self.by_image[rec.image_id].astype(np.float32)


def _compute(model, rec: ImageRecord) -> np.ndarray:
    with torch.no_grad():
        return model.embed(preprocess_image(rec.load_rgb())).squeeze(0).float().numpy()


def _read_index(directory: str):
    path = os.path.join(directory, INDEX)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TrainerError(f"embeddings index {path} is unreadable ({e})") from None


def prepare_embeddings(model, snapshot: Snapshot, init_dir: str | None, directory: str | None = None,
                       records: list[ImageRecord] | None = None) -> EmbeddingSet:
    """The training images' embeddings (``records``, default the snapshot's training images; zoomed
    views among them are never stored): stored ones (in ``directory``, default the snapshot's) when they
    come from the init's encoder (checked by hash and on one image), the rest computed with ``model``'s
    encoder (eval mode, no grad)."""
    model.eval()
    records = snapshot.train if records is None else records
    directory = directory or snapshot.root
    if not os.path.isdir(directory):
        raise TrainerError(f"embeddings directory not found: {directory}")
    info = _read_index(directory)
    usable = False
    note = "no stored embeddings"
    if isinstance(info, dict):
        want = info.get("encoder_sha256")
        have = encoder_hash(init_dir) if init_dir and os.path.isdir(init_dir) else None
        if info.get("dtype") != "float16" or list(info.get("shape") or []) != list(SHAPE):
            note = f"stored embeddings are {info.get('dtype')} {info.get('shape')}, not float16 {list(SHAPE)}; computing them"
        elif not want or not have or want != have:
            note = "stored embeddings come from another encoder than the init bundle's; computing them"
        else:
            usable = True
    by_image: dict[int, np.ndarray] = {}
    stored = 0
    checked = False
    agreement = None
    for i, rec in enumerate(records):
        path = stored_path(directory, rec.image_id)
        if usable and rec.image_id >= 0 and os.path.isfile(path):  # zoomed views (negative ids) are never stored
            emb = read_stored(path)
            if not checked:  # one image run through the encoder: the files must be what it computes
                diff = agreement = relative_difference(emb, _compute(model, rec))
                checked = True
                if diff > AGREEMENT_TOLERANCE:
                    usable = False
                    note = f"stored embeddings disagree with the init encoder (relative difference {diff:.3f}); computing them"
                    emb = _compute(model, rec)
                else:
                    stored += 1
            else:
                stored += 1
        else:
            emb = _compute(model, rec)
        by_image[rec.image_id] = emb.astype(np.float16)
        if (i + 1) % 10 == 0 or i + 1 == len(records):
            emit("embeddings_progress", images=i + 1, total=len(records), stored=stored)
    if usable:
        note = f"{stored} stored embedding(s) used (relative difference {agreement:.3f} from the encoder's own run on one)"
    return EmbeddingSet(by_image=by_image, stored=stored, computed=len(records) - stored, note=note)
