"""End to end: the real nightly DAG, run with dag.test(), submitting the real jar to local Spark.

Slow (each task is a spark-submit, ~15-60 s of JVM and Spark start), so the session runs the DAG
twice and every test here reads those two runs (``nightly_dag_runs`` in conftest.py): a gate that
fails on a badly quarantined source, then the same date accepted and published.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

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


def test_a_source_over_the_quarantine_threshold_fails_the_gate_and_stops_the_run(nightly_dag_runs):
    run = nightly_dag_runs.failed
    assert run.state == "failed", run.tasks
    # ingest only ingests (quarantined records are not its failure); the gate stage judges
    ingests = {t: state for t, state in run.tasks.items() if t.startswith("ingest_")}
    assert len(ingests) == 8 and set(ingests.values()) == {"success"}, run.tasks  # one per source
    assert run.tasks["quality_gate"] == "failed", run.tasks
    assert run.gate_exit == 3 and run.gate_tries == 1, (run.gate_exit, run.gate_tries)  # not retried
    for stage in ("correlate", "analyze", "publish"):
        assert run.tasks[stage] == "upstream_failed", run.tasks


def test_accept_quarantine_runs_every_stage_and_publishes_gold(nightly_dag_runs):
    run = nightly_dag_runs.accepted
    assert run.state == "success", run.tasks
    assert set(run.tasks.values()) == {"success"}, run.tasks
    assert run.gate_exit == 0
    counts = gold_counts(nightly_dag_runs.lake, DATE)
    assert counts["risk_scores"] == 12, counts
    # Five days of logs against the default 90-day window: nothing can be judged UNUSED, so no
    # least-privilege policy may be proposed; every other gold table has rows.
    assert counts["least_privilege_policies"] == 0, counts
    assert all(n > 0 for t, n in counts.items() if t != "least_privilege_policies"), counts


def test_the_override_is_on_record_beside_the_failed_verdict(nightly_dag_runs):
    verdicts = gate_verdicts(nightly_dag_runs.lake, DATE)
    assert [v[:2] for v in verdicts] == [
        ("QUALITY_GATE_FAILED", "FAILED"),
        ("SUCCEEDED", "ACCEPTED"),
    ], verdicts
    assert "--accept-quarantine" in verdicts[-1][2], verdicts
