"""End to end: the real nightly DAG submitting the real jar to local Spark, run by a real Airflow.

Slow (each task is a spark-submit, ~15-60 s of JVM and Spark start), so the session runs the DAG
twice and every test here reads those two runs (``nightly_dag_runs`` in conftest.py): a gate that
fails on a badly quarantined source, triggered and run by a LocalExecutor scheduler with the API
server and DAG processor (the nine ingest tasks at the same time, as a deployment runs them), then
the same date accepted and published with ``dag.test()``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from itertools import combinations
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
    assert len(ingests) == 9 and set(ingests.values()) == {"success"}, run.tasks  # one per source
    # each on its first try: on this empty lake they race to create the shared ledger tables, and
    # the losers wait for the winner's create (a 2.8 s wait once made two of eight exit 1 and rely
    # on Airflow's retry)
    firsts = {t: run.tries[t] for t in ingests}
    assert set(firsts.values()) == {1}, f"{firsts}\n{earlier_attempts(run.run_id, firsts)}"
    assert run.tasks["quality_gate"] == "failed", run.tasks
    assert run.gate_exit == 3 and run.gate_tries == 1, (run.gate_exit, run.gate_tries)  # not retried
    for stage in ("correlate", "analyze", "publish"):
        assert run.tasks[stage] == "upstream_failed", run.tasks


def earlier_attempts(run_id: str, tries: dict[str, int], lines: int = 40) -> str:
    """The end of each failed earlier attempt's task log, for whoever reads a CI failure."""
    from conftest import _HOME

    out = []
    for task, last in sorted(tries.items()):
        for attempt in range(1, last):
            for log in (_HOME / "logs").glob(f"dag_id=*/run_id={run_id}/task_id={task}/attempt={attempt}.log"):
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {task} attempt {attempt} ({log})\n" + "\n".join(tail))
    return "\n".join(out) or "(no earlier attempt's log found)"


def test_the_scheduler_runs_the_ingest_tasks_at_the_same_time(nightly_dag_runs):
    run = nightly_dag_runs.failed
    ingests = {t: span for t, span in run.intervals.items() if t.startswith("ingest_")}
    assert len(ingests) == 9 and all(start and end for start, end in ingests.values()), ingests
    overlapping = [
        (a, b) for a, b in combinations(sorted(ingests), 2)
        if max(ingests[a][0], ingests[b][0]) < min(ingests[a][1], ingests[b][1])
    ]
    assert overlapping, f"no two ingest tasks overlapped: {spans(ingests)}"
    # the gate waits for all of them
    gate_start = run.intervals["quality_gate"][0]
    assert all(end <= gate_start for _, end in ingests.values()), spans(run.intervals)


def spans(intervals) -> str:
    """Each task's [start, end] in seconds after the first start, earliest first (for messages)."""
    first = min(start for start, _ in intervals.values() if start)
    return ", ".join(
        f"{t} {(start - first).total_seconds():.1f}-{(end - first).total_seconds():.1f}s"
        for t, (start, end) in sorted(intervals.items(), key=lambda kv: kv[1][0] or first)
        if start and end
    )


def delta_rows(table: Path, columns: list[str]) -> list[dict]:
    from deltalake import DeltaTable

    return DeltaTable(str(table)).to_pyarrow_table(columns=columns).to_pylist()


def test_the_parallel_ingests_leave_bronze_reconciled_with_the_file_ledger(nightly_dag_runs):
    """The lake as the scheduled run left it: each of the nine concurrent ingests committed once,
    none was rolled back, and each source's bronze and quarantine rows are exactly what the file
    ledger says each file of that run gave."""
    lake = nightly_dag_runs.failed_lake
    runs = delta_rows(lake / "ledger" / "runs", ["run_id", "command", "status", "report_json"])
    ingest_runs = [r for r in runs if r["command"] == "ingest"]
    status = {}
    for r in ingest_runs:
        status.setdefault(r["run_id"], set()).add(r["status"])
    # (each ingest command's run also ends with its SUCCEEDED row, under the same id)
    assert not [r for r, s in status.items() if "ROLLED_BACK" in s], status
    started = {
        r["run_id"]: json.loads(r["report_json"])["sources"] for r in ingest_runs if r["status"] == "STARTED"
    }
    assert set(started) == {r for r, s in status.items() if "COMMITTED" in s}, status  # all committed
    ingest_tasks = [t for t in nightly_dag_runs.failed.tasks if t.startswith("ingest_")]
    assert sorted(len(s) for s in started.values()) == [1] * len(ingest_tasks), started  # one run per task
    run_of = {s[0]: run_id for run_id, s in started.items()}

    files = delta_rows(
        lake / "ledger" / "ingested_files",
        ["source_type", "source_file", "ingest_run_id", "records_accepted", "records_quarantined"],
    )
    # rows per (file, run) of every bronze table, and quarantined records (an unreadable file's one
    # row has position -1 and is not a record)
    bronze = Counter()
    for table in sorted((lake / "bronze").iterdir()):
        rows = delta_rows(table, ["_source_file", "_ingest_run_id"])
        bronze.update((r["_source_file"], r["_ingest_run_id"]) for r in rows)
    quarantined = Counter(
        (r["source_file"], r["ingest_run_id"])
        for r in delta_rows(
            lake / "quarantine" / "records", ["source_file", "ingest_run_id", "record_position"]
        )
        if r["record_position"] >= 0
    )
    assert {f["source_type"] for f in files} == set(run_of), (sorted(run_of), files[:3])
    for source, run_id in sorted(run_of.items()):
        ledger = [f for f in files if f["source_type"] == source]
        assert {f["ingest_run_id"] for f in ledger} == {run_id}, (source, ledger)
        keys = [(f["source_file"], run_id) for f in ledger]
        assert [bronze[k] for k in keys] == [f["records_accepted"] for f in ledger], (source, ledger)
        assert [quarantined[k] for k in keys] == [f["records_quarantined"] for f in ledger], (source, ledger)
    # and no bronze or quarantine row the ledger does not account for
    in_ledger = {(f["source_file"], f["ingest_run_id"]) for f in files}
    unaccounted = (set(bronze) | set(quarantined)) - in_ledger
    assert not unaccounted, unaccounted
    bad = [f for f in files if f["source_file"].endswith("/bad/x.ndjson")]
    assert [(f["records_accepted"], f["records_quarantined"]) for f in bad] == [(0, 3000)], bad


def test_accept_quarantine_runs_every_stage_and_publishes_gold(nightly_dag_runs, exports):
    run = nightly_dag_runs.accepted
    assert run.state == "success", run.tasks
    assert set(run.tasks.values()) == {"success"}, run.tasks
    assert run.gate_exit == 0
    counts = gold_counts(nightly_dag_runs.lake, DATE)
    # every agent of the generated organisation is scored: the 12 asked for, and the Entra agents
    agents = json.loads((exports / "ground_truth.json").read_text())["agents"]
    assert len(agents) > 12, len(agents)
    assert counts["risk_scores"] == len(agents), counts
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
