import json
import os
import subprocess
import sys

TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = TRAINER_DIR + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["TRAINER_THREADS"] = test_threads()
    return env


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dataengine_trainer", *args], capture_output=True, text=True,
                          timeout=timeout, env=cli_env())


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_threads() -> str:
    """Torch threads for CLI runs in tests: 1 unless TRAINER_TEST_THREADS says otherwise (2 threads
    are faster on an idle 2-core machine but several times slower when other jobs share the cores)."""
    return os.environ.get("TRAINER_TEST_THREADS", "1")


test_threads.__test__ = False  # not a pytest test
