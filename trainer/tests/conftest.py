import os
import sys

import pytest

TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TRAINER_DIR)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(int(os.environ.get("TRAINER_TEST_THREADS", "1")))  # robust on shared CI cores

from fixtures import make_snapshot  # noqa: E402


@pytest.fixture(scope="session")
def tiny_snapshot(tmp_path_factory):
    d = tmp_path_factory.mktemp("snap")
    make_snapshot(str(d), images=6, seed=3)
    return str(d)


@pytest.fixture(scope="session")
def micro_bundle(tmp_path_factory):
    from dataengine_trainer.export import export_bundle
    from dataengine_trainer.model import build_model

    d = tmp_path_factory.mktemp("bundle") / "micro"
    model = build_model("micro", seed=1)
    export_bundle(model, str(d), "micro-test", {"parent": None, "snapshot_id": "test"}, {"miou_1click": 0.5})
    return str(d), model
