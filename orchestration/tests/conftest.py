"""Airflow test environment: a throw-away AIRFLOW_HOME with a sqlite metadata DB.

The environment variables are set when pytest loads this file, before any test imports airflow,
because Airflow reads its configuration once, at import.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

ORCHESTRATION = Path(__file__).resolve().parents[1]
REPO = ORCHESTRATION.parent
DAGS = ORCHESTRATION / "dags"
SPARK_SUBMIT = ORCHESTRATION / "bin" / "spark-submit"
JAR = REPO / "jobs" / "target" / "agentlake-jobs.jar"

#: Spark settings for the tests' tiny data. VACUUM lists files with parallelPartitionDiscovery's
#: parallelism (default 10000 tasks per table): 4 makes `maintain` several times faster here.
TINY_DATA_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.databricks.delta.snapshotPartitions": "1",
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "4",
    # tiny data: interpreted evaluation beats compiling generated code for hundreds of plans
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}

_HOME = Path(tempfile.mkdtemp(prefix="agentlake-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # local Spark through the project's own SparkSubmit (see orchestration/bin/spark-submit)
        "AIRFLOW_CONN_SPARK_DEFAULT": '{"conn_type": "spark", "host": "local[2]"}',
        "AGENTLAKE_SPARK_BINARY": str(SPARK_SUBMIT),
        "AGENTLAKE_JAR": str(JAR),
        "AGENTLAKE_SPARK_CONF": json.dumps(TINY_DATA_CONF),
        "AGENTLAKE_DRIVER_MEMORY": os.environ.get("AGENTLAKE_DRIVER_MEMORY", "2g"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        # C1 only, serial GC: halves each spark-submit's start-up on the tests' tiny data
        "AGENTLAKE_JAVA_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    }
)
for var in (
    "AGENTLAKE_EXPORTS",
    "AGENTLAKE_LAKE",
    "AGENTLAKE_CONFIG",
    "AGENTLAKE_CATCHUP",
    "AGENTLAKE_SCHEDULE",
    "AGENTLAKE_RETENTION_DAYS",
    "AGENTLAKE_MAINTENANCE_SCHEDULE",
):
    os.environ.pop(var, None)
sys.path.insert(0, str(DAGS))


@pytest.fixture(scope="session")
def airflow_db():
    """`airflow db migrate` once per session, into the temporary AIRFLOW_HOME."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return _HOME


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    """The DAG folder parsed once, as the DAG processor would, with any connection or Variable lookup
    made an error; ``bag.parse_queries`` holds the SQL statements parsing sent to the metadata DB."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook, Variable
    from airflow.settings import engine
    from sqlalchemy import event

    queries = []

    def count(conn, cursor, statement, *args):
        queries.append(statement)

    def forbidden(*args, **kwargs):
        raise AssertionError("connection or Variable looked up while parsing the DAG file")

    event.listen(engine, "before_cursor_execute", count)
    try:
        with mock.patch.object(Variable, "get", forbidden), mock.patch.object(
            BaseHook, "get_connection", forbidden
        ):
            try:
                bag = DagBag(dag_folder=str(DAGS), include_examples=False)
            except TypeError:  # Airflow 3.3 dropped the argument; examples follow LOAD_EXAMPLES=False
                bag = DagBag(dag_folder=str(DAGS))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    bag.parse_queries = queries
    return bag


# --- what a task submits, without Spark ------------------------------------------------------------

#: The settings read from the environment when a task renders; unset unless a test sets them.
LOCATION_ENV = ("AGENTLAKE_EXPORTS", "AGENTLAKE_LAKE", "AGENTLAKE_CONFIG", "AGENTLAKE_RETENTION_DAYS")


class _Variables:
    def __init__(self, values):
        self.values = values

    def get(self, name, default=None):
        return self.values.get(name, default)


def submitted_command(
    dag, task_id, tmp_path, params=None, variables=None, env=None, context=None
) -> list[str]:
    """Render a task as a run would, execute it against a spark-submit that only records its
    arguments, and return them (``context`` adds to the task's context, e.g. ``outlet_events``)."""
    argv = tmp_path / "argv"
    script = tmp_path / "spark-submit"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {argv}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)

    task = copy.deepcopy(dag.get_task(task_id))
    full_context = {
        "params": {**dag.params.dump(), **(params or {})},
        "var": SimpleNamespace(value=_Variables({"agentlake_spark_binary": str(script), **(variables or {})})),
        "ds": "2026-11-29",
        "ti": mock.MagicMock(),
        **(context or {}),
    }
    environment = {"AGENTLAKE_SPARK_CONF": "", **(env or {})}
    with mock.patch.dict(os.environ, environment), mock.patch(
        "agentlake_common.Variable.get", return_value=None
    ):
        for name in LOCATION_ENV:
            if name not in environment:
                os.environ.pop(name, None)
        task.render_template_fields(full_context)
        task.execute(full_context)
    return argv.read_text().splitlines()


def job_args(cmd: list[str]) -> list[str]:
    """The job's own arguments: everything after the jar (conftest sets AGENTLAKE_JAR)."""
    return cmd[cmd.index(str(JAR)) + 1 :]


# --- end to end: the real jar through the real orchestration/bin/spark-submit ---------------------

#: The date the end-to-end tests run, and that the generated exports cover.
E2E_DATE = "2026-10-05"


def agentlake(*args: str) -> str:
    """Run the jar through the same local spark-submit the DAGs use; return stdout."""
    cmd = [
        str(SPARK_SUBMIT),
        "--master", "local[2]",
        *(arg for key, value in TINY_DATA_CONF.items() for arg in ("--conf", f"{key}={value}")),
        "--class", "io.agentlake.jobs.cli.Agentlake",
        str(JAR),
        *args,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """A small generated organisation's exports (12 agents, 5 days), made once per session."""
    if not JAR.exists():
        pytest.fail(f"{JAR} is missing: run ./agentlake build first")
    out = tmp_path_factory.mktemp("exports")
    agentlake("generate", "--out", str(out), "--agents", "12", "--days", "5", "--events-per-day", "50")
    return out


def _run_outcome(dagrun, session=None) -> SimpleNamespace:
    """A finished nightly DAG run as the tests read it: the run's state, each task's state, its
    [start, end] and try number, and the gate's exit code (its XCom)."""
    kw = {"session": session} if session is not None else {}
    tis = dagrun.get_task_instances(**kw)
    gate = next(ti for ti in tis if ti.task_id == "quality_gate")
    return SimpleNamespace(
        run_id=dagrun.run_id,
        state=str(getattr(dagrun.state, "value", dagrun.state)),
        tasks={ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in tis},
        intervals={ti.task_id: (ti.start_date, ti.end_date) for ti in tis},
        tries={ti.task_id: ti.try_number for ti in tis},
        gate_exit=gate.xcom_pull(task_ids="quality_gate", key="exit_code", **kw),
        gate_tries=gate.try_number,
    )


def run_nightly_dag(
    exports: Path, lake: Path, date: str, accept_quarantine: bool = False, skip: str | None = None
) -> SimpleNamespace:
    """One run of the real nightly DAG with ``dag.test()``, every task in this process, one after
    another: each a real spark-submit of the jar, except those whose id matches the regex ``skip``
    (marked successful instead). Returns what ``_run_outcome`` reads."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS)).get_dag("agentlake_nightly")
    logical = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    os.environ["AGENTLAKE_EXPORTS"] = str(exports)
    os.environ["AGENTLAKE_LAKE"] = str(lake)
    try:
        # the param explicitly every time: dag.test() runs tasks in this process, where an earlier
        # run's conf can linger in the tasks' params
        dagrun = dag.test(
            logical_date=logical,
            run_conf={"accept_quarantine": accept_quarantine},
            mark_success_pattern=skip,
        )
    finally:
        os.environ.pop("AGENTLAKE_EXPORTS", None)
        os.environ.pop("AGENTLAKE_LAKE", None)
    return _run_outcome(dagrun)


#: LocalExecutor worker processes of the scheduled run: ingest tasks run this many at a time (the
#: DAG has nine; each is a JVM of up to AGENTLAKE_DRIVER_MEMORY, on CI machines of two cores).
SCHEDULED_PARALLELISM = 4


def run_nightly_scheduled(
    exports: Path, lake: Path, date: str, logs: Path, accept_quarantine: bool = False, env: dict | None = None
) -> SimpleNamespace:
    """One run of the real nightly DAG by a real Airflow: triggered, then run by a LocalExecutor
    scheduler (``live_airflow``), so the ingest tasks run at the same time, each task a process of
    its own talking to the API server. Components and task logs: ``logs`` and AIRFLOW_HOME/logs.
    Returns what ``_run_outcome`` reads from the metadata DB, plus ``seconds``, the wall-clock time
    from starting the components to their end."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    import live_airflow

    logical = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    component_env = {
        **os.environ,
        "AGENTLAKE_EXPORTS": str(exports),
        "AGENTLAKE_LAKE": str(lake),
        **(env or {}),
    }
    run_id, _, seconds = live_airflow.run_dag(
        "agentlake_nightly",
        logical,
        {"accept_quarantine": accept_quarantine},
        logs,
        component_env,
        parallelism=SCHEDULED_PARALLELISM,
    )
    with create_session() as session:
        dagrun = session.scalar(
            select(DagRun).where(DagRun.dag_id == "agentlake_nightly", DagRun.run_id == run_id)
        )
        outcome = _run_outcome(dagrun, session)
    outcome.seconds = seconds
    outcome.logs = logs
    # beside the components' logs, for whoever reads a CI failure: dag.test() of the same date
    # replaces this run in the metadata DB
    spans = {t: [d.isoformat() if d else None for d in span] for t, span in outcome.intervals.items()}
    (logs / "dag-run.json").write_text(
        json.dumps({"run_id": run_id, "state": outcome.state, "seconds": round(seconds, 1),
                    "tasks": outcome.tasks, "tries": outcome.tries, "spans": spans}, indent=1)
    )
    return outcome


@pytest.fixture(scope="session")
def nightly_dag_runs(airflow_db, exports, tmp_path_factory):
    """The nightly DAG run twice on one lake, every stage a real spark-submit (each DAG run is a
    dozen JVMs, minutes on a small machine, so the session makes exactly these two):

    1. triggered and run by a real scheduler (LocalExecutor, ``run_nightly_scheduled``), so the
       nine ingest tasks run at the same time, on exports where one CloudTrail file is 3,000
       unparseable records: the gate fails;
    2. the same date again with ``dag.test()`` and ``accept_quarantine``, from the gate on, as an
       operator re-runs a date whose files are already ingested (the ingest tasks are marked
       successful, not run: nine more cold JVMs that would find nothing new): the gate accepts,
       gold is published. (``dag.test()`` replaces run 1 in the metadata DB: same logical date.)

    ``failed`` and ``accepted`` hold each run's outcome, read from the metadata DB right after it
    finished; ``failed_lake`` is a copy of the lake as run 1 left it; ``lake`` is shared (copy it
    before changing it). A clean re-run of a date leaving the same tables, and a re-run failing the
    gate again, are held in-process by NightlyEndToEndTest and QualityGateTest."""
    root = tmp_path_factory.mktemp("nightly-dag")
    bad = root / "exports"
    subprocess.run(["cp", "-r", str(exports), str(bad)], check=True)
    (bad / "aws-cloudtrail" / "bad").mkdir()
    line = json.dumps({"eventName": "GetObject", "eventSource": "s3.amazonaws.com"})
    (bad / "aws-cloudtrail" / "bad" / "x.ndjson").write_text((line + "\n") * 3000)
    lake = root / "lake"
    failed = run_nightly_scheduled(bad, lake, E2E_DATE, root / "airflow-logs")
    failed_lake = root / "lake-after-run-1"
    shutil.copytree(lake, failed_lake)
    accepted = run_nightly_dag(bad, lake, E2E_DATE, accept_quarantine=True, skip="ingest_.*")
    return SimpleNamespace(lake=lake, failed=failed, failed_lake=failed_lake, accepted=accepted)


@pytest.fixture(scope="session")
def nightly_lake(nightly_dag_runs):
    """A lake the nightly DAG published gold into (see ``nightly_dag_runs``). Shared: copy it."""
    assert nightly_dag_runs.accepted.state == "success", nightly_dag_runs.accepted.tasks
    return nightly_dag_runs.lake
