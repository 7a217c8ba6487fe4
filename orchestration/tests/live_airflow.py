"""A real Airflow 3 deployment for one DAG run: API server, DAG processor and a LocalExecutor scheduler.

``dag.test()`` runs a DAG's tasks one at a time in the test process; this runs them the way a
deployment does, so tasks without dependencies between them run at the same time:

* ``airflow dag-processor -n 1`` parses the DAG folder into the metadata DB once, then exits (the
  scheduler only reads the serialized DAGs; nothing here needs the DAG files re-parsed);
* ``airflow api-server --apps execution`` serves the Execution API, through which the LocalExecutor's
  workers (Task SDK supervisors) start tasks, report their states and push XComs; the metadata DB
  is written by the scheduler and the API server only;
* ``airflow scheduler`` with the LocalExecutor and ``[core] parallelism`` worker processes.

The scheduler's cron schedules are off (``[scheduler] use_job_schedule``), so the only DAG run is the
one triggered here. Every component is its own process group with its own log file; ``stop`` ends
them and whatever they started (process groups, then any descendant left) in every case.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psutil

FINAL_STATES = ("success", "failed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _state(value) -> str:
    return str(getattr(value, "value", value))


class LiveAirflow:
    """The components, started against the metadata DB and DAG folder that ``env`` configures."""

    def __init__(self, logs: Path, env: dict[str, str], parallelism: int):
        self.logs = logs
        self.port = free_port()
        self.env = {
            **env,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            # the scheduler signs each task's token, the API server checks it: one key for both
            # (86 characters: HS512 wants at least 64 bytes)
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self._descendants: dict[int, psutil.Process] = {}

    # --- processes ----------------------------------------------------------------------------

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,  # its own process group: stop() signals the whole group
        )
        log.close()
        self.processes[name] = proc
        return proc

    def start(self, timeout: float = 180) -> None:
        """Parse the DAGs and start the API server, then the scheduler once the server listens."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self._start("api-server", "api-server", "--apps", "execution", "-H", "127.0.0.1",
                    "-p", str(self.port), "-w", "1")
        parse = self._start("dag-processor", "dag-processor", "-n", "1")
        deadline = time.monotonic() + timeout
        while parse.poll() is None:
            self._check_deadline(deadline, "the DAG processor to parse the DAG folder")
            time.sleep(0.5)
        if parse.returncode != 0:
            raise AssertionError(f"airflow dag-processor exited {parse.returncode}\n{self.diagnostics()}")
        while not self._listening():
            if self.processes["api-server"].poll() is not None:
                raise AssertionError(f"airflow api-server exited\n{self.diagnostics()}")
            self._check_deadline(deadline, f"the API server on port {self.port}")
            time.sleep(0.5)
        self._start("scheduler", "scheduler", "--skip-serve-logs")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def _check_deadline(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{self.diagnostics()}")

    def _remember_descendants(self) -> None:
        for proc in self.processes.values():
            try:
                for child in psutil.Process(proc.pid).children(recursive=True):
                    self._descendants[child.pid] = child
            except psutil.NoSuchProcess:
                pass

    def stop(self, grace: float = 30) -> None:
        """SIGTERM every component's process group (the scheduler first: it stops its workers),
        SIGKILL what is left after ``grace`` seconds, including task processes in groups of their own."""
        self._remember_descendants()
        for name in ("scheduler", "api-server", "dag-processor"):
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.processes.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        for child in self._descendants.values():
            try:
                if child.is_running():
                    child.kill()
            except psutil.NoSuchProcess:
                pass

    # --- the DAG run --------------------------------------------------------------------------

    def trigger(self, dag_id: str, logical_date: datetime, conf: dict) -> str:
        """Unpause the DAG and create a manual run, as ``airflow dags unpause`` and ``airflow dags
        trigger`` do (the same calls, made from this process); returns the run id."""
        from airflow.api.client.local_client import Client
        from airflow.models.dag import DagModel
        from airflow.utils.session import create_session
        from sqlalchemy import update

        with create_session() as session:
            changed = session.execute(
                update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=False)
            ).rowcount
        if changed != 1:
            raise AssertionError(f"{dag_id} is not in the metadata DB after parsing\n{self.diagnostics()}")
        run = Client().trigger_dag(dag_id=dag_id, conf=conf, logical_date=logical_date)
        return run["dag_run_id"]

    def wait(self, dag_id: str, run_id: str, timeout: float) -> str:
        """Poll the DAG run until it is final; fail with the components' logs on a timeout or when
        a component died."""
        from airflow.models.dagrun import DagRun
        from airflow.utils.session import create_session
        from sqlalchemy import select

        deadline = time.monotonic() + timeout
        while True:
            with create_session() as session:
                state = _state(
                    session.scalar(
                        select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
                    )
                )
            if state in FINAL_STATES:
                return state
            for name in ("api-server", "scheduler"):
                if self.processes[name].poll() is not None:
                    raise AssertionError(f"airflow {name} exited during the run\n{self.diagnostics()}")
            self._check_deadline(deadline, f"DAG run {run_id} to finish (state {state})")
            time.sleep(2)

    def diagnostics(self, lines: int = 60) -> str:
        """The end of every component's log and of every task attempt's log."""
        home = Path(self.env["AIRFLOW_HOME"])
        logs = sorted(self.logs.glob("*.log")) + sorted((home / "logs").glob("dag_id=*/**/*.log"))
        out = []
        for log in logs:
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(out)


def run_dag(
    dag_id: str,
    logical_date: datetime,
    conf: dict,
    logs: Path,
    env: dict[str, str],
    parallelism: int = 4,
    timeout: float = 1200,
):
    """Trigger one run of ``dag_id`` on a fresh set of components and wait for it to finish;
    the components are stopped before this returns or raises. Returns ``(run_id, state, seconds)``."""
    airflow = LiveAirflow(logs, env, parallelism)
    started = time.monotonic()
    try:
        airflow.start()
        run_id = airflow.trigger(dag_id, logical_date, conf)
        state = airflow.wait(dag_id, run_id, timeout)
    finally:
        airflow.stop()
    return run_id, state, time.monotonic() - started
