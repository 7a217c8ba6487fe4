"""End to end: the real DAG, run with dag.test(), submitting the real jar to local Spark.

Slow (each stage is a spark-submit, ~15-60 s of JVM and Spark start): five DAG runs in all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import E2E_DATE as DATE
from conftest import agentlake

GOLD = (
    "orphaned_agents",
    "unused_privileges",
    "least_privilege_policies",
    "risk_scores",
    "agent_reach",
    "principal_risk_facts",
    "privilege_drift",
    "review_queue",
)
SOURCES = (
    "aws-iam",
    "aws-cloudtrail",
    "okta-users",
    "okta-system-log",
    "bedrock-agents",
    "openai-admin",
    "agent-manifest",
    "review-decisions",
)


def gold_counts(lake: Path, date: str) -> dict[str, int]:
    query = " UNION ALL ".join(
        f"SELECT '{t}' AS tbl, count(*) AS n FROM gold.{t} WHERE as_of_date = '{date}'" for t in GOLD
    )
    out = agentlake("sql", "--lake", str(lake), "--format", "csv", query)
    rows = list(csv.DictReader(io.StringIO(out.strip())))
    return {r["tbl"]: int(r["n"]) for r in rows}


def gate_verdicts(lake: Path, date: str) -> list[tuple[str, str, str | None]]:
    """Each gate run of the date, oldest first: (ledger.runs status, report verdict, override)."""
    from deltalake import DeltaTable

    runs = DeltaTable(str(lake / "ledger" / "runs")).to_pyarrow_table().to_pylist()
    gates = sorted(
        (r for r in runs if r["command"] == "gate" and str(r["run_date"]) == date), key=lambda r: r["event_time"]
    )
    verdicts = []
    for row in gates:
        stage = next(s for s in json.loads(row["report_json"])["stages"] if s["stage"] == "gate")
        verdicts.append((row["status"], stage["verdict"], stage.get("override")))
    return verdicts


@pytest.fixture(scope="module")
def nightly(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from conftest import DAGS

    return DagBag(dag_folder=str(DAGS)).get_dag("agentlake_nightly")


def run_dag(dag, exports: Path, lake: Path, date: str, accept_quarantine: bool = False):
    logical = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    os.environ["AGENTLAKE_EXPORTS"] = str(exports)
    os.environ["AGENTLAKE_LAKE"] = str(lake)
    try:
        # the param explicitly every time: dag.test() runs tasks in this process, where an earlier
        # run's conf can linger in the tasks' params
        dagrun = dag.test(logical_date=logical, run_conf={"accept_quarantine": accept_quarantine})
    finally:
        os.environ.pop("AGENTLAKE_EXPORTS", None)
        os.environ.pop("AGENTLAKE_LAKE", None)
    tis = dagrun.get_task_instances()
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in tis}
    gate = next(ti for ti in tis if ti.task_id == "quality_gate")
    gate_exit = gate.xcom_pull(task_ids="quality_gate", key="exit_code")
    return str(getattr(dagrun.state, "value", dagrun.state)), states, gate_exit, gate.try_number


def test_a_run_publishes_gold_and_a_rerun_of_the_date_leaves_the_same_tables(nightly, exports, tmp_path):
    lake = tmp_path / "lake"
    state, tasks, _, _ = run_dag(nightly, exports, lake, DATE)
    assert state == "success", tasks
    assert set(tasks.values()) == {"success"}, tasks
    first = gold_counts(lake, DATE)
    assert first["risk_scores"] == 12, first
    # Five days of logs against the default 90-day window: nothing can be judged UNUSED, so no
    # least-privilege policy may be proposed; every other gold table has rows.
    assert first["least_privilege_policies"] == 0, first
    assert all(n > 0 for t, n in first.items() if t != "least_privilege_policies"), first

    state, tasks, _, _ = run_dag(nightly, exports, lake, DATE)
    assert state == "success", tasks
    assert gold_counts(lake, DATE) == first


def test_a_source_over_the_quarantine_threshold_fails_the_gate_until_accepted(nightly, exports, tmp_path):
    bad = tmp_path / "exports"
    subprocess.run(["cp", "-r", str(exports), str(bad)], check=True)
    (bad / "aws-cloudtrail" / "bad").mkdir()
    line = json.dumps({"eventName": "GetObject", "eventSource": "s3.amazonaws.com"})
    (bad / "aws-cloudtrail" / "bad" / "x.ndjson").write_text((line + "\n") * 3000)
    lake = tmp_path / "lake"
    ingest_ids = {"ingest_" + source.replace("-", "_") for source in SOURCES}

    def assert_the_gate_failed(state, tasks, gate_exit, gate_tries):
        assert state == "failed", tasks
        # ingest only ingests (quarantined records are not its failure); the gate stage judges
        assert {tasks[t] for t in ingest_ids} == {"success"}, tasks
        assert tasks["quality_gate"] == "failed", tasks
        assert gate_exit == 3 and gate_tries == 1, (gate_exit, gate_tries)  # bad input: not retried
        for stage in ("correlate", "analyze", "publish"):
            assert tasks[stage] == "upstream_failed", tasks
        assert not (lake / "gold").exists() or sum(gold_counts(lake, DATE).values()) == 0

    assert_the_gate_failed(*run_dag(nightly, bad, lake, DATE))
    # Sticky: the bad file is in the ledger now, and the gate judges it again on a re-run of the date
    assert_the_gate_failed(*run_dag(nightly, bad, lake, DATE))

    state, tasks, gate_exit, _ = run_dag(nightly, bad, lake, DATE, accept_quarantine=True)
    assert state == "success", tasks
    assert set(tasks.values()) == {"success"}, tasks
    assert gate_exit == 0
    assert gold_counts(lake, DATE)["risk_scores"] == 12
    # the override is on record: two failed verdicts, then one accepted (not passed)
    verdicts = gate_verdicts(lake, DATE)
    assert [v[:2] for v in verdicts] == [
        ("QUALITY_GATE_FAILED", "FAILED"),
        ("QUALITY_GATE_FAILED", "FAILED"),
        ("SUCCEEDED", "ACCEPTED"),
    ], verdicts
    assert "--accept-quarantine" in verdicts[-1][2], verdicts
