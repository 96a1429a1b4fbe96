import json
import os
import shutil

import pytest
from PIL import Image

from cli_helpers import run_cli
from dataengine_trainer.dataset import load_snapshot
from dataengine_trainer.errors import TrainerError
from fixtures import make_snapshot


@pytest.fixture()
def snap(tmp_path):
    return make_snapshot(str(tmp_path / "snap"), images=3, seed=5, val=1)


def _edit_json(path, fn):
    with open(path) as f:
        data = json.load(f)
    fn(data)
    with open(path, "w") as f:
        json.dump(data, f)


def _break_missing_image(d):
    os.remove(os.path.join(d, "sa_2.jpg"))


def _break_missing_json(d):
    os.remove(os.path.join(d, "sa_3.json"))


def _break_rle_chars(d):
    _edit_json(os.path.join(d, "sa_2.json"), lambda r: r["annotations"][0]["segmentation"].update(counts="4\x7f4"))


def _break_rle_sum(d):
    _edit_json(os.path.join(d, "sa_2.json"), lambda r: r["annotations"][0]["segmentation"].update(counts="414"))


def _break_mask_size(d):
    _edit_json(os.path.join(d, "sa_2.json"), lambda r: r["annotations"][0]["segmentation"].update(size=[50, 50]))


def _break_image_size(d):
    Image.new("RGB", (64, 64)).save(os.path.join(d, "sa_2.jpg"))


def _break_empty(d):
    for i in (2, 3):
        _edit_json(os.path.join(d, f"sa_{i}.json"), lambda r: r.update(annotations=[]))


def _break_split(d):
    os.remove(os.path.join(d, "split.json"))


def _break_json_syntax(d):
    with open(os.path.join(d, "sa_3.json"), "w") as f:
        f.write("{not json")


CASES = [
    (_break_missing_image, "missing image file"),
    (_break_missing_json, "missing annotation file"),
    (_break_rle_chars, "malformed RLE"),
    (_break_rle_sum, "malformed RLE"),
    (_break_mask_size, "does not match image size"),
    (_break_image_size, "says 128x96"),
    (_break_empty, "empty dataset"),
    (_break_split, "missing split file"),
    (_break_json_syntax, "not valid JSON"),
]


@pytest.mark.parametrize("breaker,message", CASES, ids=[c[0].__name__[7:] for c in CASES])
def test_load_snapshot_rejects(snap, breaker, message):
    breaker(snap)
    with pytest.raises(TrainerError, match=message):
        load_snapshot(snap)


def test_valid_snapshot_loads(snap):
    s = load_snapshot(snap, need_val=True)
    assert len(s.train) == 2 and len(s.val) == 1
    a = s.train[0].annotations[0]
    m = a.mask()
    assert m.shape == (96, 128) and int(m.sum()) == a.area


@pytest.mark.parametrize("breaker,message", [CASES[2], CASES[5], CASES[6]], ids=["rle", "image_size", "empty"])
def test_cli_exits_nonzero_with_one_error_line(snap, tmp_path, breaker, message):
    breaker(snap)
    proc = run_cli("train", "--data", snap, "--out", str(tmp_path / "out"), "--arch", "micro", "--steps", "2", timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: dataset:") and message in lines[0]
    assert not os.path.exists(tmp_path / "out" / "checkpoint.pt")


def test_cli_missing_dataset_dir(tmp_path):
    proc = run_cli("eval", "--bundle", str(tmp_path / "nope"), "--data", str(tmp_path / "none"), timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error:")


@pytest.mark.parametrize("loader_workers", ["0", "1", "3"])
def test_cli_reports_an_image_that_cannot_be_decoded_during_training(snap, tmp_path, loader_workers):
    # header intact (the snapshot loads), pixel data cut: found when a batch decodes it
    for name in ("sa_2.jpg", "sa_3.jpg"):
        path = os.path.join(snap, name)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 3])
    proc = run_cli("train", "--data", snap, "--out", str(tmp_path / "out"), "--arch", "micro", "--steps", "3",
                   "--crop", "128", "--loader-workers", loader_workers, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot build a training batch" in lines[0] and "truncated" in lines[0], lines
    assert not os.path.exists(tmp_path / "out" / "checkpoint.pt")
