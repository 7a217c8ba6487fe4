"""End to end: the real DAG, run with dag.test(), submitting the real jar to local Spark.

Slow (each stage is a spark-submit, ~15-60 s of JVM and Spark start): three DAG runs in all.
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


@pytest.fixture(scope="module")
def nightly(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from conftest import DAGS

    return DagBag(dag_folder=str(DAGS)).get_dag("agentlake_nightly")


def run_dag(dag, exports: Path, lake: Path, date: str):
    logical = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    os.environ["AGENTLAKE_EXPORTS"] = str(exports)
    os.environ["AGENTLAKE_LAKE"] = str(lake)
    try:
        dagrun = dag.test(logical_date=logical)
    finally:
        os.environ.pop("AGENTLAKE_EXPORTS", None)
        os.environ.pop("AGENTLAKE_LAKE", None)
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dagrun.get_task_instances()}
    return str(getattr(dagrun.state, "value", dagrun.state)), states


def test_a_run_publishes_gold_and_a_rerun_of_the_date_leaves_the_same_tables(nightly, exports, tmp_path):
    lake = tmp_path / "lake"
    state, tasks = run_dag(nightly, exports, lake, DATE)
    assert state == "success", tasks
    assert set(tasks.values()) == {"success"}, tasks
    first = gold_counts(lake, DATE)
    assert first["risk_scores"] == 12, first
    # Five days of logs against the default 90-day window: nothing can be judged UNUSED, so no
    # least-privilege policy may be proposed; every other gold table has rows.
    assert first["least_privilege_policies"] == 0, first
    assert all(n > 0 for t, n in first.items() if t != "least_privilege_policies"), first

    state, tasks = run_dag(nightly, exports, lake, DATE)
    assert state == "success", tasks
    assert gold_counts(lake, DATE) == first


def test_an_ingest_over_the_quarantine_threshold_fails_the_gate_and_publishes_nothing(
    nightly, exports, tmp_path
):
    bad = tmp_path / "exports"
    subprocess.run(["cp", "-r", str(exports), str(bad)], check=True)
    (bad / "aws-cloudtrail" / "bad").mkdir()
    line = json.dumps({"eventName": "GetObject", "eventSource": "s3.amazonaws.com"})
    (bad / "aws-cloudtrail" / "bad" / "x.ndjson").write_text((line + "\n") * 3000)
    lake = tmp_path / "lake"

    state, tasks = run_dag(nightly, bad, lake, DATE)
    assert state == "failed", tasks
    assert tasks["ingest_aws_cloudtrail"] == "failed", tasks
    assert tasks["correlate"] == "upstream_failed", tasks
    assert tasks["analyze"] == "upstream_failed", tasks
    assert tasks["quality_gate"] == "failed", tasks
    for source in SOURCES:
        if source != "aws-cloudtrail":
            assert tasks["ingest_" + source.replace("-", "_")] == "success", tasks
    assert not (lake / "gold").exists() or sum(gold_counts(lake, DATE).values()) == 0
