"""The operator maps the CLI's exit codes: 2 and 3 fail without retry, 1 stays retryable."""

from __future__ import annotations

import os
import stat
from unittest import mock

import pytest


def fake_spark_submit(tmp_path, code: int) -> str:
    script = tmp_path / f"spark-submit-{code}"
    script.write_text(f"#!/bin/sh\necho 'fake spark-submit' \"$@\"\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def run_operator(tmp_path, code: int, lake: str = "/lake"):
    from agentlake_common import AgentlakeSubmitOperator

    op = AgentlakeSubmitOperator(
        task_id="ingest_x",
        application="/jar",
        java_class="io.agentlake.jobs.cli.Agentlake",
        application_args=["ingest", "--exports", "/e", "--lake", lake, "--date", "2026-10-05"],
        conn_id="spark_default",
        spark_binary=fake_spark_submit(tmp_path, code),
    )
    ti = mock.MagicMock()
    with mock.patch.dict(os.environ, {"AGENTLAKE_SPARK_CONF": ""}), mock.patch(
        "agentlake_common.Variable.get", return_value=None
    ):
        try:
            op.execute({"ti": ti})
            return None, ti
        except Exception as err:  # noqa: BLE001 - the type is what the tests check
            return err, ti


def pushed_exit_code(ti):
    return [c.kwargs["value"] for c in ti.xcom_push.call_args_list if c.kwargs.get("key") == "exit_code"]


@pytest.mark.parametrize("code", [2, 3])
def test_usage_and_quality_failures_are_not_retried(tmp_path, code):
    from airflow.sdk.exceptions import AirflowFailException

    err, ti = run_operator(tmp_path, code)
    assert isinstance(err, AirflowFailException), err
    assert pushed_exit_code(ti) == [code]


def test_exit_1_stays_retryable(tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    err, ti = run_operator(tmp_path, 1)
    assert err is not None and not isinstance(err, AirflowFailException), err
    assert pushed_exit_code(ti) == [1]


def test_success_pushes_exit_0(tmp_path):
    err, ti = run_operator(tmp_path, 0)
    assert err is None
    assert pushed_exit_code(ti) == [0]


def test_an_unset_location_fails_at_once(tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    err, ti = run_operator(tmp_path, 0, lake="")
    assert isinstance(err, AirflowFailException) and "--lake" in str(err)
