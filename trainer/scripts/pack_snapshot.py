"""Packs a subset of a snapshot into two files that a GPU session can carry (the whole bootstrap
snapshot, 184 MB of JPEG + JSON, is too big for the 64 MiB that travels; a device has no node to
generate one): ``pack.json.gz`` (split, records, RLE annotations with part-tree parents) and
``images.bin`` (the JPEG files' bytes, unchanged). ``load_snapshot`` reads the directory like a
snapshot (``dataengine_trainer/dataset.py``).

  PYTHONPATH=trainer /usr/bin/python3 trainer/scripts/pack_snapshot.py --data tmp/bootstrap/snapshot \
      --out tmp/gpu_pack [--max-mb 48] [--val 50] [--train N] [--seed 0]

Held-out images come first: the first ``--val`` ids of the snapshot's val split, in its order (so an
eval with ``--max-images K ≤ val`` sees the same images on the pack and on the snapshot). Then
training images in a seeded random order until ``--train`` images or ``--max-mb`` in all.
Prints one JSON line."""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from dataengine_trainer.dataset import PACK_FORMAT, PACK_IMAGES, PACK_INDEX, load_snapshot  # noqa: E402


def _tree_parents(root: str, image_id: int) -> dict[int, int | None]:
    path = os.path.join(root, f"sa_{image_id}.tree.json")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return {int(n["id"]): n.get("parent_id") for n in json.load(f).get("annotations", [])}


def _entry(root: str, rec, offset: int, length: int) -> dict:
    parents = _tree_parents(root, rec.image_id)
    anns = [{"id": a.id, "segmentation": a.segmentation, "bbox": a.bbox, "area": a.area,
             "parent_id": parents.get(a.id)} for a in rec.annotations]
    return {"image_id": rec.image_id, "width": rec.width, "height": rec.height, "offset": offset, "length": length,
            "annotations": anns}


def pack_snapshot(data: str, out: str, max_mb: float = 48.0, val: int = 50, train: int | None = None,
                  seed: int = 0) -> dict:
    snap = load_snapshot(data, need_train=True, need_val=val > 0)
    budget = int(max_mb * 1e6)
    val_recs = snap.val[:val]
    order = np.random.default_rng(seed).permutation(len(snap.train))
    tmp = out.rstrip("/") + ".tmp-pack"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    records, split = [], {"train": [], "val": []}
    offset = 0
    index_bytes = 0  # the index compresses to ~0.45 of its JSON; counted with a margin
    with open(os.path.join(tmp, PACK_IMAGES), "wb") as blob:
        def add(rec, which: str) -> bool:
            nonlocal offset, index_bytes
            data_bytes = rec.read_bytes()
            entry = _entry(data, rec, offset, len(data_bytes))
            entry_bytes = len(json.dumps(entry)) // 2
            if which == "train" and offset + len(data_bytes) + index_bytes + entry_bytes > budget:
                return False
            blob.write(data_bytes)
            records.append(entry)
            split[which].append(rec.image_id)
            offset += len(data_bytes)
            index_bytes += entry_bytes
            return True

        for rec in val_recs:
            add(rec, "val")
        for i in order:
            if train is not None and len(split["train"]) >= train:
                break
            if not add(snap.train[int(i)], "train"):
                break
    h = hashlib.sha256(json.dumps({"source": snap.snapshot_id, "split": split}, sort_keys=True).encode()).hexdigest()
    pack = {"format": PACK_FORMAT, "id": f"{snap.snapshot_id}#pack-{h[:12]}", "source_snapshot_id": snap.snapshot_id,
            "manifest": snap.manifest, "split": split, "images": PACK_IMAGES, "records": records}
    with gzip.open(os.path.join(tmp, PACK_INDEX), "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(pack, f, separators=(",", ":"))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))}
    return {"event": "pack_done", "out": os.path.abspath(out), "id": pack["id"], "train": len(split["train"]),
            "val": len(split["val"]), "bytes": sum(sizes.values()), "files": sizes,
            "source_train": len(snap.train), "source_val": len(snap.val)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="snapshot directory (SA-1B layout + split.json)")
    p.add_argument("--out", required=True, help="pack directory (replaced)")
    p.add_argument("--max-mb", type=float, default=48.0, help="size of the pack in MB (1e6 bytes), both files")
    p.add_argument("--val", type=int, default=50, help="held-out images (the first of the val split)")
    p.add_argument("--train", type=int, default=None, help="at most this many training images")
    p.add_argument("--seed", type=int, default=0, help="order in which training images are taken")
    a = p.parse_args(argv)
    print(json.dumps(pack_snapshot(a.data, a.out, a.max_mb, a.val, a.train, a.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
