"""End to end: the maintenance DAG, run with dag.test(), submitting the real jar to local Spark.

The lake is the one the nightly DAG published gold into (session fixture ``nightly_lake`` in
conftest.py), copied per test. What maintain did is read straight from each table's Delta log
(``_delta_log/*.json``): the commits' ``commitInfo.operation`` and the data files the latest
version references.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pyarrow.parquet as pq
import pytest

LOGICAL = datetime(2026, 11, 29, 14, tzinfo=timezone.utc)  # a Sunday, as scheduled


@pytest.fixture(scope="module")
def maintenance(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from conftest import DAGS

    dag = DagBag(dag_folder=str(DAGS)).get_dag("agentlake_maintenance")
    # Only if some nightly run were left active in this test DB: fail in a minute, not six hours.
    dag.get_task("wait_for_nightly").timeout = 60
    return dag


@pytest.fixture
def lake(nightly_lake, tmp_path):
    copy = tmp_path / "lake"
    shutil.copytree(nightly_lake, copy)
    return copy


# --- reading Delta logs without Spark ------------------------------------------------------------


def tables(lake: Path) -> list[Path]:
    return sorted(log.parent for log in lake.glob("*/*/_delta_log"))


def commits(table: Path) -> list[dict]:
    """Each commit's actions, in version order: ``{"version": n, "actions": [...]}``."""
    out = []
    for f in sorted((table / "_delta_log").glob("*.json")):
        actions = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
        out.append({"version": int(f.stem), "actions": actions})
    return out


def operations(table: Path) -> list[str]:
    return [a["commitInfo"]["operation"] for c in commits(table) for a in c["actions"] if "commitInfo" in a]


def commit_infos(table: Path, operation: str) -> list[dict]:
    return [
        a["commitInfo"]
        for c in commits(table)
        for a in c["actions"]
        if a.get("commitInfo", {}).get("operation") == operation
    ]


def live_files(table: Path) -> set[str]:
    """The data files the table's latest version references (JSON log replay; the tests' tables
    stay far below Delta's checkpoint-and-cleanup horizon, so every commit file is still there)."""
    files: set[str] = set()
    for c in commits(table):
        for a in c["actions"]:
            if "add" in a:
                files.add(unquote(a["add"]["path"]))
            elif "remove" in a:
                files.discard(unquote(a["remove"]["path"]))
    return files


def rows(table: Path) -> int:
    return sum(pq.ParquetFile(table / f).metadata.num_rows for f in live_files(table))


def live_rows(table: Path) -> list[dict]:
    return [r for f in sorted(live_files(table)) for r in pq.read_table(table / f).to_pylist()]


#: Where maintain records itself: it commits its leases and its run after compacting these tables.
OWN_RECORDS = ("ledger/leases", "ledger/runs")


def snapshot(lake: Path) -> dict[str, dict]:
    return {
        str(t.relative_to(lake)): {"files": len(live_files(t)), "rows": rows(t), "commits": len(commits(t))}
        for t in tables(lake)
    }


# --- running the DAG ------------------------------------------------------------------------------


def run_dag(dag, run_conf=None, env=None, logical_date=LOGICAL, **kwargs):
    env = env or {}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        dagrun = dag.test(logical_date=logical_date, run_conf=run_conf, **kwargs)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    states = {t: str(getattr(ti.state, "value", ti.state)) for t, ti in tis.items()}
    return str(getattr(dagrun.state, "value", dagrun.state)), states, tis


def exit_code(ti):
    """The job's exit code, as the operator pushed it (XCom ``exit_code``)."""
    return ti.xcom_pull(task_ids=ti.task_id, key="exit_code")


def orphan(table: Path, name: str, age_days: float) -> Path:
    """A data file no version references (e.g. left by a failed write), last modified age_days ago."""
    path = table / f"part-00000-orphan-{name}.c000.snappy.parquet"
    path.write_bytes(b"not referenced")
    when = time.time() - age_days * 86400
    os.utime(path, (when, when))
    return path


def test_maintain_compacts_and_vacuums_every_table_of_a_nightly_lake_and_keeps_every_row(
    maintenance, lake
):
    before = snapshot(lake)
    assert len(before) >= 10, before  # bronze, silver, gold, ledger and quarantine tables
    # VACUUM with the run's retention of 8 days (the default is 30) deletes the 10-day-old orphan only
    old = orphan(lake / "silver" / "entitlements", "old", age_days=10)
    recent = orphan(lake / "silver" / "entitlements", "recent", age_days=6)

    state, tasks, tis = run_dag(maintenance, run_conf={"lake": str(lake), "retention_days": 8})
    assert state == "success", tasks
    assert tasks == {"wait_for_nightly": "success", "maintain": "success"}, tasks
    assert exit_code(tis["maintain"]) == 0

    after = snapshot(lake)
    assert after.keys() == before.keys()
    for name in before:
        new_ops = operations(lake / name)[before[name]["commits"]:]
        if name in OWN_RECORDS:
            # the run's lease claim comes first; vacuumed, then released and recorded
            assert "VACUUM END" in new_ops, (name, new_ops)
            continue
        assert after[name]["rows"] == before[name]["rows"], (name, before[name], after[name])
        assert after[name]["files"] <= before[name]["files"], (name, before[name], after[name])
        assert new_ops[-2:] == ["VACUUM START", "VACUUM END"], (name, new_ops)
        if after[name]["files"] < before[name]["files"]:
            assert new_ops[0] == "OPTIMIZE", (name, new_ops)
    # every run of the nightly DAG is still there, and maintain is recorded beside them
    runs = live_rows(lake / "ledger" / "runs")
    assert len(runs) == before["ledger/runs"]["rows"] + 1, runs
    (mine,) = [r for r in runs if r["command"] == "maintain"]
    assert mine["status"] == "SUCCEEDED", mine
    report = json.loads(mine["report_json"])
    assert report["stages"][0]["stage"] == "maintain", report
    assert report["stages"][0]["retention_days"] == 8, report
    assert sorted(report["leases"])[0] == "lake", report  # and every source's
    compacted = [n for n in before if after[n]["files"] < before[n]["files"]]
    assert compacted, f"maintain compacted no table: {after}"
    assert not old.exists() and recent.exists()
    started = commit_infos(lake / "silver" / "entitlements", "VACUUM START")[-1]
    assert started["operationMetrics"]["numFilesToDelete"] == "1", started


def test_a_retention_below_7_days_fails_at_once_and_changes_nothing(maintenance, lake):
    # The param refuses < 7 in the trigger form; a Variable or the environment is only checked by
    # the CLI, which exits 2: the task fails without retries and before touching any table.
    before = snapshot(lake)
    # (retention_days: None explicitly: dag.test() runs tasks in this process, and an earlier test's
    # run conf can linger in the task's params)
    state, tasks, tis = run_dag(
        maintenance,
        run_conf={"lake": str(lake), "retention_days": None},
        env={"AGENTLAKE_RETENTION_DAYS": "3"},
        logical_date=LOGICAL + timedelta(days=7),
    )
    assert state == "failed", tasks
    assert tasks == {"wait_for_nightly": "success", "maintain": "failed"}, tasks
    assert tis["maintain"].try_number == 1  # not retried, though the task has retries=2
    assert exit_code(tis["maintain"]) == 2  # the CLI's usage error: retention below 7 days
    assert snapshot(lake) == before


def test_an_active_nightly_run_holds_maintenance_back(maintenance, tmp_path):
    """Runs no Spark: the maintain task is marked successful instead of run."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    wait = maintenance.get_task("wait_for_nightly")
    timeout, poke = wait.timeout, wait.poke_interval
    wait.timeout, wait.poke_interval = 3, 1
    # a first run writes both DAGs to the metadata DB (dag.test syncs the whole folder)
    sunday = LOGICAL + timedelta(days=14)
    state, tasks, _ = run_dag(
        maintenance, {"lake": str(tmp_path)}, logical_date=sunday, mark_success_pattern="maintain"
    )
    assert state == "success" and tasks["wait_for_nightly"] == "success", tasks

    held = f"held_by_{tmp_path.name}"
    with create_session() as session:
        session.add(
            DagRun(
                dag_id="agentlake_nightly",
                run_id=held,
                run_type=DagRunType.MANUAL,
                state=DagRunState.RUNNING,
                logical_date=datetime(2026, 11, 28, 2, tzinfo=timezone.utc),
                run_after=datetime(2026, 11, 29, 2, tzinfo=timezone.utc),
            )
        )
    try:
        state, tasks, _ = run_dag(
            maintenance, {"lake": str(tmp_path)}, logical_date=sunday, mark_success_pattern="maintain"
        )
        assert state == "failed", tasks
        assert tasks == {"wait_for_nightly": "failed", "maintain": "upstream_failed"}, tasks

        with create_session() as session:
            session.query(DagRun).filter(DagRun.run_id == held).update({"state": DagRunState.SUCCESS})
        state, tasks, _ = run_dag(
            maintenance, {"lake": str(tmp_path)}, logical_date=sunday, mark_success_pattern="maintain"
        )
        assert state == "success", tasks
        assert tasks["wait_for_nightly"] == "success", tasks
    finally:
        with create_session() as session:
            session.query(DagRun).filter(DagRun.run_id == held).delete()
        wait.timeout, wait.poke_interval = timeout, poke
