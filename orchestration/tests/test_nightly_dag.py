"""The nightly DAG parses cleanly, without touching the metadata DB, and has the promised shape."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import job_args, submitted_command

SOURCES = [
    "aws-iam",
    "aws-cloudtrail",
    "okta-users",
    "okta-system-log",
    "bedrock-agents",
    "openai-admin",
    "entra-id",
    "agent-manifest",
    "review-decisions",
]
INGEST_IDS = ["ingest_" + s.replace("-", "_") for s in SOURCES]
STAGES = ["quality_gate", "correlate", "analyze", "publish"]
DATE = "2026-11-29"  # the date conftest.submitted_command renders


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.get_dag("agentlake_nightly")


def test_dag_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"agentlake_nightly", "agentlake_maintenance"} <= set(dagbag.dag_ids)
    # the shared module is imported by the DAG files, not parsed as one (.airflowignore)
    parsed = {Path(stat.file).name for stat in dagbag.dagbag_stats}
    assert parsed == {"agentlake_nightly.py", "agentlake_maintenance.py"}, parsed


def test_parsing_runs_no_database_queries(dagbag):
    assert dagbag.parse_queries == []


def test_tasks_and_dependencies(dag):
    assert sorted(dag.task_ids) == sorted(INGEST_IDS + STAGES)
    for task_id in INGEST_IDS:
        task = dag.get_task(task_id)
        assert task.upstream_task_ids == set()
        assert task.downstream_task_ids == {"quality_gate"}
    assert dag.get_task("quality_gate").upstream_task_ids == set(INGEST_IDS)
    assert dag.get_task("correlate").upstream_task_ids == {"quality_gate"}
    assert dag.get_task("analyze").upstream_task_ids == {"correlate"}
    assert dag.get_task("publish").upstream_task_ids == {"analyze"}
    assert dag.get_task("publish").downstream_task_ids == set()
    # a failed ingest or gate stops everything after it: no gold for a date that did not pass
    for stage in STAGES:
        assert dag.get_task(stage).trigger_rule == "all_success"


def test_every_task_submits_its_stage_of_the_jar_for_the_runs_date(dag):
    for task_id in INGEST_IDS + STAGES:
        task = dag.get_task(task_id)
        assert type(task).__name__ in ("AgentlakeSubmitOperator", "PublishOperator"), task_id
        assert task._java_class == "io.agentlake.jobs.cli.Agentlake"
        assert task.application_args[task.application_args.index("--date") + 1] == "{{ ds }}"
        assert "AGENTLAKE_JAR" not in task.application  # resolved at run time, not parse time
        assert set(task.optional_args) == {"--config"}, task_id
    for source, task_id in zip(SOURCES, INGEST_IDS):
        args = dag.get_task(task_id).application_args
        assert args[0] == "ingest"
        assert args[args.index("--source") + 1] == source
    expected = {"quality_gate": "gate", "correlate": "correlate", "analyze": "analyze", "publish": "publish"}
    for task_id, command in expected.items():
        assert dag.get_task(task_id).application_args[0] == command
    assert dag.get_task("quality_gate").switches == {"--accept-quarantine": "{{ params.accept_quarantine }}"}


@pytest.mark.parametrize(
    "task_id, expected",
    [
        ("ingest_aws_cloudtrail",
         ["ingest", "--exports", "/e", "--lake", "/l", "--date", DATE, "--source", "aws-cloudtrail"]),
        ("quality_gate", ["gate", "--exports", "/e", "--lake", "/l", "--date", DATE]),
        ("correlate", ["correlate", "--lake", "/l", "--date", DATE]),
        ("analyze", ["analyze", "--lake", "/l", "--date", DATE]),
        ("publish", ["publish", "--lake", "/l", "--date", DATE]),
    ],
)
def test_without_a_config_no_stage_gets_a_config_flag(dag, tmp_path, task_id, expected):
    cmd = submitted_command(
        dag, task_id, tmp_path, env={"AGENTLAKE_EXPORTS": "/e", "AGENTLAKE_LAKE": "/l"}, context=_outlets()
    )
    assert job_args(cmd) == expected


@pytest.mark.parametrize("task_id", INGEST_IDS + STAGES)
def test_every_stage_gets_the_config_param_then_variable_then_environment(dag, tmp_path, task_id):
    def config_of(**kwargs):
        env = {"AGENTLAKE_EXPORTS": "/e", "AGENTLAKE_LAKE": "/l", **kwargs.pop("env", {})}
        args = job_args(submitted_command(dag, task_id, tmp_path, env=env, context=_outlets(), **kwargs))
        assert args.count("--config") == 1, args
        return args[args.index("--config") + 1]

    env = {"AGENTLAKE_CONFIG": "/env/agentlake.yaml"}
    variables = {"agentlake_config": "s3a://conf/var.yaml"}
    assert config_of(env=env) == "/env/agentlake.yaml"
    assert config_of(env=env, variables=variables) == "s3a://conf/var.yaml"
    assert config_of(env=env, variables=variables, params={"config": "/param.yaml"}) == "/param.yaml"


@pytest.mark.parametrize("accept, switch", [(False, False), (True, True)])
def test_accept_quarantine_reaches_the_gate_only(dag, tmp_path, accept, switch):
    env = {"AGENTLAKE_EXPORTS": "/e", "AGENTLAKE_LAKE": "/l"}
    params = {"accept_quarantine": accept}
    gate = job_args(submitted_command(dag, "quality_gate", tmp_path, env=env, params=params))
    assert ("--accept-quarantine" in gate) is switch
    for task_id in INGEST_IDS + ["correlate", "analyze", "publish"]:
        args = job_args(submitted_command(dag, task_id, tmp_path, env=env, params=params, context=_outlets()))
        assert "--accept-quarantine" not in args, task_id


def test_accept_quarantine_defaults_to_false_and_must_be_a_boolean(dag):
    import copy

    from airflow.sdk.definitions.param import ParamsDict

    assert dag.params["accept_quarantine"] is False
    params = ParamsDict(copy.deepcopy(dag.params))
    with pytest.raises(Exception, match="accept_quarantine"):
        params.update({"accept_quarantine": "yes"})
        params.validate()


def test_an_unset_lake_still_fails_at_once(dag, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="--lake is empty.*agentlake_nightly"):
        submitted_command(dag, "correlate", tmp_path)


def test_retries_backoff_tags_schedule(dag):
    assert set(dag.tags) >= {"agentlake", "nightly"}
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert "0 2 * * *" in repr(dag.timetable)
    for task_id in INGEST_IDS + STAGES:
        task = dag.get_task(task_id)
        assert task.retries >= 2  # exit 1 only: 2 and 3 fail at once (test_exit_codes.py)
        assert task.retry_exponential_backoff


def _outlets():
    """A context's ``outlet_events``: what publish writes each asset event's extra into."""
    return {"outlet_events": defaultdict(lambda: SimpleNamespace(extra=None))}


def test_publish_carries_the_gold_assets_and_only_it(dag):
    from airflow.sdk import Asset

    outlets = dag.get_task("publish").outlets
    assert {a.name for a in outlets} == {
        "agentlake.gold.orphaned_agents",
        "agentlake.gold.unused_privileges",
        "agentlake.gold.least_privilege_policies",
        "agentlake.gold.risk_scores",
        "agentlake.gold.agent_reach",
        "agentlake.gold.principal_risk_facts",
        "agentlake.gold.privilege_drift",
        "agentlake.gold.review_queue",
    }
    assert all(isinstance(a, Asset) for a in outlets)
    for task_id in INGEST_IDS + ["quality_gate", "correlate", "analyze"]:
        assert not dag.get_task(task_id).outlets


def test_publish_sets_each_assets_extra_after_the_submit_succeeded(dag, tmp_path):
    context = _outlets()
    submitted_command(dag, "publish", tmp_path, variables={"agentlake_lake": "s3a://lake"}, context=context)
    events = context["outlet_events"]
    assert {a.name for a in events} == {a.name for a in dag.get_task("publish").outlets}
    assert all(e.extra == {"as_of_date": DATE, "lake": "s3a://lake"} for e in events.values())


def test_a_failed_publish_sets_no_asset_extra(dag, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    failing = tmp_path / "fail"
    failing.mkdir()
    (failing / "spark-submit").write_text("#!/bin/sh\nexit 3\n")
    (failing / "spark-submit").chmod(0o755)
    context = _outlets()
    with pytest.raises(AirflowFailException, match="exited 3"):
        submitted_command(
            dag,
            "publish",
            tmp_path,
            variables={"agentlake_lake": "/l", "agentlake_spark_binary": str(failing / "spark-submit")},
            context=context,
        )
    assert not context["outlet_events"]


def test_catchup_comes_from_the_environment(monkeypatch):
    import importlib

    import agentlake_nightly

    monkeypatch.setenv("AGENTLAKE_CATCHUP", "true")
    try:
        assert importlib.reload(agentlake_nightly).dag.catchup is True
    finally:
        monkeypatch.delenv("AGENTLAKE_CATCHUP")
        importlib.reload(agentlake_nightly)
