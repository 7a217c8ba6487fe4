"""agentlake maintenance: once a week, Delta OPTIMIZE + VACUUM every lake table (``agentlake maintain``).

Two tasks: ``wait_for_nightly`` waits until no run of the ``agentlake_nightly`` DAG is queued or
running, then ``maintain`` submits the shaded job jar with ``spark-submit`` (``SparkSubmitOperator``)
as ``agentlake maintain --lake <lake> --retention-days <N>``: it compacts each table's small files
and deletes the data files that no version younger than the retention references.

Not at the same time as the nightly run: both write the same Delta tables. Delta's optimistic
concurrency keeps them consistent, but a compaction that races a nightly overwrite fails one of the
two commits (exit 1, retried) and both compete for the cluster. So (1) the default schedule is
Sunday 14:00 UTC, twelve hours from either nightly start (02:00 UTC daily); (2) ``wait_for_nightly``
holds maintenance back while a nightly run is still active (a late or retried one, a backfill),
re-checking every 10 minutes without holding a worker slot, and fails the week's run after 6 hours;
(3) ``max_active_runs=1``. And the job itself holds every lease a nightly run holds: a nightly stage
that starts while ``maintain`` runs (a run triggered by hand) waits for it, up to the job's
``lease-wait-seconds``, then refuses with exit 1 (retried); neither ever writes beside the other.

Settings (first one set wins; nothing is read from the metadata DB or Variables at parse time):

=================  ====================  ===============================  ==============================
setting            DAG param (run conf)  Airflow Variable                 environment variable
=================  ====================  ===============================  ==============================
lake location      ``lake``              ``agentlake_lake``               ``AGENTLAKE_LAKE``
job config file    ``config``            ``agentlake_config``             ``AGENTLAKE_CONFIG``
VACUUM retention   ``retention_days``    ``agentlake_retention_days``     ``AGENTLAKE_RETENTION_DAYS``
job jar            ``jar``               ``agentlake_jar``                ``AGENTLAKE_JAR``
Spark connection   -                     ``agentlake_spark_conn_id``      ``AGENTLAKE_SPARK_CONN_ID``
spark-submit path  -                     ``agentlake_spark_binary``       ``AGENTLAKE_SPARK_BINARY``
extra Spark conf   -                     ``agentlake_spark_conf`` (JSON)  ``AGENTLAKE_SPARK_CONF``
=================  ====================  ===============================  ==============================

The same Variables and environment as the nightly DAG, plus the retention: default 30 days (the
CLI's default), never below 7 (Delta's safety minimum). The param refuses less in the trigger form;
the CLI refuses it from anywhere (exit 2: the task fails at once, without retries). The retention
bounds how far back time travel reaches, so keep it as long as your evidence needs.

DAG-level settings read from the environment when the file is parsed:
``AGENTLAKE_MAINTENANCE_SCHEDULE`` (cron, UTC; default ``0 14 * * 0``) and ``AGENTLAKE_START_DATE``
(default 2026-01-01). No catch-up: one run compacts everything a missed week left behind.

Exit codes of the job: 0 done; 1 failed, a retry may help (retried with exponential back-off);
2 usage (e.g. retention below 7 days) and 3 bad input: the task fails at once, without retries.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, BaseSensorOperator, CronTriggerTimetable, Param

from agentlake_common import (
    CONFIG,
    DEFAULT_ARGS,
    LAKE,
    MACROS,
    NIGHTLY_DAG_ID,
    _env,
    _location,
    submit,
)

DAG_ID = "agentlake_maintenance"

DEFAULT_SCHEDULE = "0 14 * * 0"  # Sundays 14:00 UTC: twelve hours from either nightly start

RETENTION_DAYS = _location("retention_days", "agentlake_retention_days", "AGENTLAKE_RETENTION_DAYS", "30")

#: Nightly runs in these states hold maintenance back.
ACTIVE_STATES = ("queued", "running")


class NightlyIdleSensor(BaseSensorOperator):
    """Succeeds once no run of the nightly DAG is queued or running (asks the API server, not the DB)."""

    def __init__(self, *, watched_dag_id: str = NIGHTLY_DAG_ID, **kwargs):
        super().__init__(**kwargs)
        self.watched_dag_id = watched_dag_id

    def poke(self, context) -> bool:
        active = context["ti"].get_dr_count(dag_id=self.watched_dag_id, states=list(ACTIVE_STATES))
        if active:
            self.log.info("%d run(s) of %s active; maintenance waits", active, self.watched_dag_id)
        return active == 0


with DAG(
    dag_id=DAG_ID,
    description="agentlake: weekly Delta OPTIMIZE + VACUUM of every lake table, outside the nightly run",
    doc_md=__doc__,
    schedule=CronTriggerTimetable(_env("AGENTLAKE_MAINTENANCE_SCHEDULE", DEFAULT_SCHEDULE), timezone="UTC"),
    start_date=pendulum.parse(_env("AGENTLAKE_START_DATE", "2026-01-01")),
    catchup=False,
    max_active_runs=1,
    tags=["agentlake", "spark", "maintenance", "weekly"],
    default_args=dict(DEFAULT_ARGS),
    params={
        "lake": Param(None, type=["null", "string"], description="lake root URI (overrides)"),
        "retention_days": Param(
            None,
            type=["null", "integer"],
            minimum=7,
            description="VACUUM retention in days (overrides; default 30, at least 7)",
        ),
        "config": Param(None, type=["null", "string"], description="job config file (overrides)"),
        "jar": Param(None, type=["null", "string"], description="job jar (overrides)"),
    },
    user_defined_macros=MACROS,
) as dag:
    wait_for_nightly = NightlyIdleSensor(
        task_id="wait_for_nightly",
        mode="reschedule",
        poke_interval=timedelta(minutes=10),
        timeout=timedelta(hours=6),
        retries=0,
    )
    # the config's lease-ttl-seconds and lease-wait-seconds, as for the nightly stages
    maintain = submit(
        "maintain",
        ["maintain", "--lake", LAKE, "--retention-days", RETENTION_DAYS],
        optional_args={"--config": CONFIG},
    )

    wait_for_nightly >> maintain
