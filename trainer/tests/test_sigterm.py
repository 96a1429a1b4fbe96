import os
import signal
import subprocess
import sys
import time

from cli_helpers import cli_env, json_lines
from dataengine_trainer.checkpoint import load_checkpoint


def _start(snapshot, out, every):
    return subprocess.Popen(
        [sys.executable, "-m", "dataengine_trainer", "train", "--data", snapshot, "--out", out, "--arch", "micro",
         "--steps", "100000", "--batch", "1", "--crop", "256", "--log-every", "1", "--checkpoint-every", str(every)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())


def _wait_for_step(proc, n):
    lines = []
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if '"train_step"' in line and f'"step": {n},' in line:
            return lines
    raise AssertionError(f"no step {n}: {''.join(lines)} {proc.stderr.read() if proc.poll() is not None else ''}")


def test_sigterm_leaves_a_usable_partial_checkpoint(tiny_snapshot, tmp_path):
    out = str(tmp_path / "run")
    proc = _start(tiny_snapshot, out, every=1000)
    lines = _wait_for_step(proc, 3)
    proc.send_signal(signal.SIGTERM)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    events = json_lines("".join(lines) + rest)
    done = events[-1]
    assert done["event"] == "train_done" and done["stopped_by"] == "SIGTERM"
    assert done["steps_done"] >= 3
    model, meta = load_checkpoint(os.path.join(out, "checkpoint.pt"))
    assert meta["partial"] is True and meta["step"] == done["steps_done"]
    assert sorted(os.listdir(out)) == ["checkpoint.pt"]  # no temp files left behind


def test_sigterm_before_the_first_step_leaves_no_checkpoint(tiny_snapshot, tmp_path):
    out = str(tmp_path / "early")
    proc = _start(tiny_snapshot, out, every=1)
    proc.send_signal(signal.SIGTERM)  # during start-up (imports / dataset validation)
    proc.communicate(timeout=120)
    assert proc.returncode in (0, -signal.SIGTERM)
    ckpt = os.path.join(out, "checkpoint.pt")
    if os.path.exists(ckpt):  # if the handler was installed in time, whatever exists must load
        load_checkpoint(ckpt)
    assert not any(f.endswith(".tmp") for f in (os.listdir(out) if os.path.isdir(out) else []))


def test_sigterm_to_the_process_group_stops_the_loop_and_its_loader(tiny_snapshot, tmp_path):
    # a terminal's Ctrl-C or a supervisor signalling the group reaches the batch-loader process too:
    # it must not die first and leave the loop without batches
    out = str(tmp_path / "group")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dataengine_trainer", "train", "--data", tiny_snapshot, "--out", out, "--arch", "micro",
         "--steps", "100000", "--batch", "1", "--crop", "256", "--log-every", "1", "--checkpoint-every", "1000",
         "--loader-workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(), start_new_session=True)
    lines = _wait_for_step(proc, 3)
    os.killpg(proc.pid, signal.SIGTERM)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    done = json_lines("".join(lines) + rest)[-1]
    assert done["event"] == "train_done" and done["stopped_by"] == "SIGTERM"
    _, meta = load_checkpoint(os.path.join(out, "checkpoint.pt"))
    assert meta["step"] == done["steps_done"]
    time.sleep(0.5)
    try:
        os.killpg(proc.pid, 0)
        left = True
    except ProcessLookupError:
        left = False
    assert not left, "a process of the training run outlived it"
