"""Reads and validates a dataset snapshot in the SA-1B layout (SAM-SPEC.md §5).

Layout: ``sa_<id>.jpg`` + ``sa_<id>.json`` (+ optional ``sa_<id>.tree.json`` part hierarchy),
``split.json`` {"train": [ids], "val": [ids]} and ``snapshot.json`` (manifest; optional ``id``).
Everything is checked up front so a bad snapshot fails before training starts.

A *pack* (``trainer/scripts/pack_snapshot.py``) holds a subset of a snapshot in two files, for
carrying to a machine that cannot generate one: ``pack.json.gz`` (the split, the records and their
RLE annotations with part-tree parents) and ``images.bin`` (the JPEG files' bytes, unchanged,
concatenated). ``load_snapshot`` reads a directory holding a pack like a snapshot directory.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .errors import TrainerError
from .rle import RleError, decode_rle, string_to_counts


@dataclass
class Annotation:
    id: int
    segmentation: dict
    bbox: list[float]  # SAM convention [x, y, w, h], inclusive extents
    area: int
    is_whole: bool  # root of the part tree (detector target)

    def mask(self) -> np.ndarray:
        return decode_rle(self.segmentation)


@dataclass
class ImageRecord:
    image_id: int
    path: str
    width: int
    height: int
    annotations: list[Annotation] = field(default_factory=list)
    blob: tuple[int, int] | None = None  # (offset, length) of the JPEG bytes inside ``path`` (a pack)

    def read_bytes(self) -> bytes:
        with open(self.path, "rb") as f:
            if self.blob is None:
                return f.read()
            f.seek(self.blob[0])
            data = f.read(self.blob[1])
        if len(data) != self.blob[1]:
            raise OSError(f"{self.path}: image {self.image_id} is truncated")
        return data

    def load_rgb(self) -> np.ndarray:
        if self.blob is None:
            with Image.open(self.path) as im:
                return np.asarray(im.convert("RGB"))
        with Image.open(io.BytesIO(self.read_bytes())) as im:
            return np.asarray(im.convert("RGB"))


@dataclass
class Snapshot:
    root: str
    snapshot_id: str
    train: list[ImageRecord]
    val: list[ImageRecord]
    manifest: dict


def _fail(msg: str) -> None:
    raise TrainerError(msg)


def _read_json(path: str, what: str):
    if not os.path.isfile(path):
        _fail(f"dataset: missing {what} {path}")
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        _fail(f"dataset: {what} {path} is not valid JSON ({e.msg if hasattr(e, 'msg') else e})")


def _check_rle(seg: dict, where: str, height: int, width: int) -> None:
    if not isinstance(seg, dict) or "size" not in seg or "counts" not in seg:
        _fail(f"dataset: {where}: segmentation must have 'size' and 'counts'")
    if list(seg["size"]) != [height, width]:
        _fail(f"dataset: {where}: mask size {seg['size']} does not match image size [{height}, {width}] (H, W)")
    counts = seg["counts"]
    try:
        values = string_to_counts(counts) if isinstance(counts, str) else list(counts)
    except RleError as e:
        _fail(f"dataset: {where}: malformed RLE ({e})")
    if not values or any((not isinstance(v, int)) or v < 0 for v in values):
        _fail(f"dataset: {where}: malformed RLE (negative or non-integer run)")
    if sum(values) != height * width:
        _fail(f"dataset: {where}: malformed RLE (runs sum to {sum(values)}, expected {height * width})")


def _load_record(root: str, image_id: int) -> ImageRecord:
    stem = os.path.join(root, f"sa_{image_id}")
    rec = _read_json(stem + ".json", "annotation file")
    if not isinstance(rec, dict) or "image" not in rec or "annotations" not in rec:
        _fail(f"dataset: {stem}.json must have 'image' and 'annotations'")
    info = rec["image"]
    img_path = os.path.join(root, info.get("file_name") or f"sa_{image_id}.jpg")
    if not os.path.isfile(img_path):
        _fail(f"dataset: missing image file {img_path}")
    try:
        with Image.open(img_path) as im:
            w, h = im.size
    except OSError as e:
        _fail(f"dataset: cannot read image {img_path} ({e})")
    if (info.get("width"), info.get("height")) != (w, h):
        _fail(f"dataset: {img_path} is {w}x{h} but {stem}.json says {info.get('width')}x{info.get('height')}")
    parents: dict[int, int | None] = {}
    tree_path = stem + ".tree.json"
    if os.path.isfile(tree_path):
        tree = _read_json(tree_path, "part-tree file")
        for node in tree.get("annotations", []):
            parents[int(node["id"])] = node.get("parent_id")
    anns = _annotations(rec["annotations"], parents, f"{stem}.json", h, w)
    return ImageRecord(image_id=image_id, path=img_path, width=w, height=h, annotations=anns)


PACK_FORMAT = "dataengine-snapshot-pack/1"
PACK_INDEX = "pack.json.gz"
PACK_IMAGES = "images.bin"


def _annotations(raw: list, parents: dict, where: str, h: int, w: int) -> list[Annotation]:
    anns = []
    for i, a in enumerate(raw):
        _check_rle(a.get("segmentation"), f"{where} annotation #{i}", h, w)
        anns.append(Annotation(
            id=int(a.get("id", i)),
            segmentation=a["segmentation"],
            bbox=[float(v) for v in a.get("bbox", [0, 0, 0, 0])],
            area=int(a.get("area", 0)),
            is_whole=parents.get(int(a.get("id", i))) is None,
        ))
    return anns


def _load_pack(root: str, need_train: bool, need_val: bool) -> tuple[dict, dict, str, list, list]:
    path = os.path.join(root, PACK_INDEX)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            pack = json.load(f)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as e:
        _fail(f"dataset: pack index {path} is unreadable ({e})")
    if not isinstance(pack, dict) or pack.get("format") != PACK_FORMAT:
        _fail(f"dataset: {path} is not a {PACK_FORMAT} index")
    blob_path = os.path.join(root, pack.get("images", PACK_IMAGES))
    if not os.path.isfile(blob_path):
        _fail(f"dataset: missing pack images file {blob_path}")
    size = os.path.getsize(blob_path)
    by_id = {int(r["image_id"]): r for r in pack.get("records", [])}
    split = pack.get("split") or {}

    def record(image_id: int) -> ImageRecord:
        r = by_id.get(int(image_id))
        if r is None:
            _fail(f"dataset: pack {root} has no record for image {image_id}")
        off, length = int(r["offset"]), int(r["length"])
        if off < 0 or length <= 0 or off + length > size:
            _fail(f"dataset: pack {root}: image {image_id} lies outside {blob_path}")
        rec = ImageRecord(image_id=int(image_id), path=blob_path, width=int(r["width"]), height=int(r["height"]),
                          blob=(off, length))
        try:
            with Image.open(io.BytesIO(rec.read_bytes())) as im:
                w, h = im.size
        except OSError as e:
            _fail(f"dataset: pack {root}: cannot read image {image_id} ({e})")
        if (w, h) != (rec.width, rec.height):
            _fail(f"dataset: pack {root}: image {image_id} is {w}x{h} but its record says {rec.width}x{rec.height}")
        parents = {int(a.get("id", i)): a.get("parent_id") for i, a in enumerate(r.get("annotations", []))}
        rec.annotations = _annotations(r.get("annotations", []), parents, f"pack {root} image {image_id}", h, w)
        return rec

    train = [record(i) for i in split.get("train", [])] if need_train else []
    val = [record(i) for i in split.get("val", [])] if need_val else []
    return pack.get("manifest") or {}, split, str(pack.get("id") or ""), train, val


def load_snapshot(root: str, need_train: bool = True, need_val: bool = False) -> Snapshot:
    """Loads and validates; raises TrainerError with one clear line on any problem."""
    if not os.path.isdir(root):
        _fail(f"dataset: directory not found: {root}")
    if os.path.isfile(os.path.join(root, PACK_INDEX)):
        manifest, _, pack_id, train, val = _load_pack(root, need_train, need_val)
        _check_nonempty(root, train, val, need_train, need_val)
        return Snapshot(root=root, snapshot_id=pack_id or "pack", train=train, val=val, manifest=manifest)
    split = _read_json(os.path.join(root, "split.json"), "split file")
    if not isinstance(split, dict) or not isinstance(split.get("train"), list) or not isinstance(split.get("val"), list):
        _fail(f"dataset: {root}/split.json must be {{\"train\": [ids], \"val\": [ids]}}")
    manifest_path = os.path.join(root, "snapshot.json")
    manifest = _read_json(manifest_path, "snapshot manifest") if os.path.isfile(manifest_path) else {}
    if isinstance(manifest, dict) and manifest.get("id"):
        snapshot_id = str(manifest["id"])
    else:
        h = hashlib.sha256()
        for name in ("snapshot.json", "split.json"):
            p = os.path.join(root, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(f.read())
        snapshot_id = "sha256:" + h.hexdigest()[:16]
    train = [_load_record(root, int(i)) for i in split["train"]] if need_train else []
    val = [_load_record(root, int(i)) for i in split["val"]] if need_val else []
    _check_nonempty(root, train, val, need_train, need_val)
    return Snapshot(root=root, snapshot_id=snapshot_id, train=train, val=val, manifest=manifest or {})


def _check_nonempty(root: str, train: list, val: list, need_train: bool, need_val: bool) -> None:
    if need_train and sum(len(r.annotations) for r in train) == 0:
        _fail(f"dataset: {root} has no training annotations (empty dataset)")
    if need_val and sum(len(r.annotations) for r in val) == 0:
        _fail(f"dataset: {root} has no validation annotations (empty val split)")
