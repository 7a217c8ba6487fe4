"""The launcher's terminal output is agentlake's own: Spark's log goes to the file the launcher names."""
from __future__ import annotations

import os
import re

import pytest

from conftest import LAKE_RUNS

# a log4j line: a time, then a level, then a logger (the launcher's file layout or Spark's default)
LOG4J_LINE = re.compile(r"^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\S* (\[\d+\] )?(TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ")


def test_the_terminal_shows_no_spark_log_line_and_the_log_file_is_where_the_launcher_said(lake):
    if os.environ.get("AGENTLAKE_TEST_LAKE"):
        pytest.skip("the lake was built earlier, not by this session's launcher runs")
    assert LAKE_RUNS, "the lake fixture ran the launcher"
    for proc in LAKE_RUNS:
        lines = (proc.stdout + proc.stderr).splitlines()
        spark_lines = [line for line in lines if LOG4J_LINE.match(line)]
        assert not spark_lines, f"{' '.join(proc.args[1:3])}: Spark's log on the terminal: {spark_lines[:3]}"
    log = lake.parent / "spark.log"
    assert log.is_file(), "the launcher's log4j configuration writes Spark's log to AGENTLAKE_SPARK_LOG"
