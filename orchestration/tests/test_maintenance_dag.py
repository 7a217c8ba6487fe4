"""The weekly maintenance DAG: its shape, its schedule, and the command line its task submits.

The DAG folder's import and no-DB-at-parse checks cover this DAG too (test_nightly_dag.py, shared
``dagbag`` fixture in conftest.py).
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest

DAG_ID = "agentlake_maintenance"


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.get_dag(DAG_ID)


def test_tasks_and_dependencies(dag):
    assert sorted(dag.task_ids) == ["maintain", "wait_for_nightly"]
    assert dag.get_task("wait_for_nightly").downstream_task_ids == {"maintain"}
    assert dag.get_task("maintain").upstream_task_ids == {"wait_for_nightly"}
    assert dag.get_task("maintain").trigger_rule == "all_success"


def test_weekly_schedule_tags_and_one_run_at_a_time(dag):
    from airflow.sdk import CronTriggerTimetable

    assert set(dag.tags) >= {"agentlake", "maintenance", "weekly"}
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert isinstance(dag.timetable, CronTriggerTimetable)
    assert "0 14 * * 0" in repr(dag.timetable)

    # weekly, and never on the hour a nightly run (02:00 UTC daily) starts
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    start = datetime(2026, 11, 30, tzinfo=timezone.utc)
    restriction = TimeRestriction(earliest=start, latest=None, catchup=True)
    runs, last = [], None
    for _ in range(3):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        runs.append(info.run_after)
        last = info.data_interval
    assert [b - a for a, b in zip(runs, runs[1:])] == [timedelta(days=7)] * 2
    assert all(r.weekday() == 6 and r.hour == 14 for r in runs), runs  # Sundays 14:00 UTC


def test_retries_with_backoff_but_the_wait_is_not_retried(dag):
    maintain = dag.get_task("maintain")
    assert maintain.retries >= 2
    assert maintain.retry_exponential_backoff
    wait = dag.get_task("wait_for_nightly")
    assert wait.retries == 0
    assert wait.mode == "reschedule"  # no worker slot held while the nightly run goes on
    assert wait.watched_dag_id == "agentlake_nightly"
    assert timedelta(seconds=wait.poke_interval) <= timedelta(minutes=15)
    assert timedelta(seconds=wait.timeout) <= timedelta(hours=12)  # gives up before the next nightly


def test_the_watched_dag_is_the_nightly_dag(dagbag):
    import agentlake_nightly

    assert agentlake_nightly.DAG_ID in dagbag.dag_ids
    assert dagbag.get_dag(DAG_ID).get_task("wait_for_nightly").watched_dag_id == agentlake_nightly.DAG_ID


@pytest.mark.parametrize("active, done", [(0, True), (1, False), (2, False)])
def test_the_wait_is_over_only_when_no_nightly_run_is_active(dag, active, done):
    ti = mock.MagicMock()
    ti.get_dr_count.return_value = active
    assert dag.get_task("wait_for_nightly").poke({"ti": ti}) is done
    ti.get_dr_count.assert_called_once_with(dag_id="agentlake_nightly", states=["queued", "running"])


def test_a_retention_below_7_days_is_refused_by_the_param(dag):
    from airflow.sdk.definitions.param import ParamsDict

    ok = copy.deepcopy(dag.params)
    ok.update({"retention_days": 7})
    ok.validate()
    for bad in (6, 0, -1, "30"):
        params = ParamsDict(copy.deepcopy(dag.params))
        with pytest.raises(Exception, match="retention_days"):
            params.update({"retention_days": bad})
            params.validate()


def submitted_command(dag, tmp_path, **kwargs) -> list[str]:
    from conftest import submitted_command as submitted

    return submitted(dag, "maintain", tmp_path, **kwargs)


def test_the_task_submits_the_jar_with_maintain_the_lake_and_the_retention(dag, tmp_path):
    from conftest import JAR

    cmd = submitted_command(dag, tmp_path, env={"AGENTLAKE_LAKE": "/data/lake"})
    assert cmd[cmd.index("--class") + 1] == "io.agentlake.jobs.cli.Agentlake"
    assert cmd[cmd.index("--name") + 1] == "agentlake-maintain-2026-11-29"
    app = cmd.index(str(JAR))  # conftest sets AGENTLAKE_JAR; everything after it is the job's
    assert cmd[app + 1 :] == ["maintain", "--lake", "/data/lake", "--retention-days", "30"]


def test_param_then_variable_then_environment(dag, tmp_path):
    def job_args(**kwargs):
        cmd = submitted_command(dag, tmp_path, **kwargs)
        return cmd[cmd.index("maintain") :]

    env = {"AGENTLAKE_LAKE": "/env/lake", "AGENTLAKE_RETENTION_DAYS": "14"}
    assert job_args(env=env) == ["maintain", "--lake", "/env/lake", "--retention-days", "14"]
    variables = {"agentlake_lake": "s3a://var-lake", "agentlake_retention_days": "21"}
    assert job_args(env=env, variables=variables) == [
        "maintain", "--lake", "s3a://var-lake", "--retention-days", "21",
    ]
    params = {"lake": "s3a://param-lake", "retention_days": 90, "jar": "/opt/other.jar"}
    cmd = submitted_command(dag, tmp_path, env=env, variables=variables, params=params)
    assert cmd[cmd.index("/opt/other.jar") + 1 :] == [
        "maintain", "--lake", "s3a://param-lake", "--retention-days", "90",
    ]


def test_the_job_config_is_passed_when_set_and_left_out_when_not(dag, tmp_path):
    """maintain reads its lease settings from the config file, like the nightly stages."""

    def job_args(**kwargs):
        cmd = submitted_command(dag, tmp_path, **kwargs)
        return cmd[cmd.index("maintain") :]

    env = {"AGENTLAKE_LAKE": "/env/lake"}
    assert "--config" not in job_args(env=env)
    with_config = job_args(env={**env, "AGENTLAKE_CONFIG": "/etc/agentlake.yaml"})
    assert with_config[-2:] == ["--config", "/etc/agentlake.yaml"]
    by_param = job_args(env=env, params={"config": "s3a://cfg/agentlake.yaml"})
    assert by_param[-2:] == ["--config", "s3a://cfg/agentlake.yaml"]


def test_no_lake_fails_at_once(dag, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="--lake is empty.*agentlake_maintenance"):
        submitted_command(dag, tmp_path)
