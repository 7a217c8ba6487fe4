"""Fixtures for the notebook tests: one small lake per session, built by the launcher (Spark + Delta)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
LAUNCHER = REPO / "agentlake"
DATES = ("2026-10-19", "2026-10-20")  # the last two days of the generated exports
WINDOW_DAYS = "14"

sys.path.insert(0, str(NOTEBOOKS))


# every launcher run of the lake fixture, for the test that its terminal output is agentlake's own
LAKE_RUNS: list[subprocess.CompletedProcess] = []


def run_launcher(*args: str, timeout: int = 600, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``./agentlake ARGS`` from the repo root; fail the test with its output when it fails."""
    env = dict(os.environ)
    env.update(env_extra or {})
    # tiny data: interpreted evaluation beats compiling generated code for hundreds of plans
    env.setdefault("AGENTLAKE_JAVA_OPTS",
                   "-Dspark.sql.codegen.wholeStage=false -Dspark.sql.codegen.factoryMode=NO_CODEGEN")
    proc = subprocess.run([str(LAUNCHER), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)
    if proc.returncode != 0:
        pytest.fail(f"./agentlake {' '.join(args)} exited {proc.returncode}\n"
                    f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def lake(tmp_path_factory) -> Path:
    """A lake with two run dates. AGENTLAKE_TEST_LAKE reuses one built earlier (for quick iteration)."""
    reuse = os.environ.get("AGENTLAKE_TEST_LAKE")
    if reuse:
        return Path(reuse)
    root = tmp_path_factory.mktemp("agentlake")
    exports, lake = root / "exports", root / "lake"
    log = {"AGENTLAKE_SPARK_LOG": str(root / "spark.log")}
    LAKE_RUNS.append(run_launcher("generate", "--out", str(exports), "--agents", "12", "--days", "20",
                                  "--events-per-day", "100", "--start-date", "2026-10-01", env_extra=log))
    for date in DATES:
        LAKE_RUNS.append(run_launcher("nightly", "--exports", str(exports), "--lake", str(lake),
                                      "--date", date, "--window-days", WINDOW_DAYS, env_extra=log))
    return lake


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory):
    """Environment for papermill kernels (inherited from this process): a ``python3`` kernelspec that runs
    *this* interpreter (the venv's), Agg plots, and the helper module importable from any working dir."""
    prefix = tmp_path_factory.mktemp("kernels")
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "python3"],
                   check=True, capture_output=True)
    env = {
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOKS), os.environ.get("PYTHONPATH")])),
        "AGENTLAKE_NOTEBOOKS": str(NOTEBOOKS),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield env
