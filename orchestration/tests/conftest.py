"""Airflow test environment: a throw-away AIRFLOW_HOME with a sqlite metadata DB.

The environment variables are set when pytest loads this file, before any test imports airflow,
because Airflow reads its configuration once, at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ORCHESTRATION = Path(__file__).resolve().parents[1]
REPO = ORCHESTRATION.parent
DAGS = ORCHESTRATION / "dags"
SPARK_SUBMIT = ORCHESTRATION / "bin" / "spark-submit"
JAR = REPO / "jobs" / "target" / "agentlake-jobs.jar"

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
        "AGENTLAKE_SPARK_CONF": (
            '{"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4",'
            ' "spark.databricks.delta.snapshotPartitions": "1"}'
        ),
        "AGENTLAKE_DRIVER_MEMORY": os.environ.get("AGENTLAKE_DRIVER_MEMORY", "2g"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        # C1 only, serial GC: halves each spark-submit's start-up on the tests' tiny data
        "AGENTLAKE_JAVA_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    }
)
for var in ("AGENTLAKE_EXPORTS", "AGENTLAKE_LAKE", "AGENTLAKE_CATCHUP", "AGENTLAKE_SCHEDULE"):
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
