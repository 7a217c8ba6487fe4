"""agentlake nightly: ingest every source in parallel, then the quality gate, correlate, analyze, publish.

::

    ingest_<source> (one per source, in parallel) >> quality_gate >> correlate >> analyze >> publish

Each task submits the shaded job jar with ``spark-submit`` (``SparkSubmitOperator``) as one stage of
the CLI, with the run's ``{{ ds }}`` as ``--date``: ``ingest --source S`` (only ingests: exit 0 even
with quarantined records), ``gate`` (judges every file the date's ingests read, as the exports now
stand; exit 3 when the quarantined share is above ``quarantine-threshold``), ``correlate``,
``analyze`` and ``publish`` (records the date's gold as published). ``publish`` emits the Airflow
assets ``agentlake.gold.*``, extra ``{"as_of_date": ds, "lake": ...}``, only after it succeeded.

Concurrency is the job's: each ingest holds its source's lease in ``ledger.leases``;
correlate, analyze and publish hold the lake's. A retried task waits for a killed attempt's lease to
expire (``lease-ttl-seconds``) before it goes on.

The gate is sticky: re-running a date that failed it fails again until the offending export files
are fixed or removed. Trigger with ``accept_quarantine`` true to let the date pass anyway (the job
records the override in its run report).

Settings (first one set wins; nothing is read from the metadata DB or Variables at parse time):

=================  ====================  ==============================  ===========================
setting            DAG param (run conf)  Airflow Variable                environment variable
=================  ====================  ==============================  ===========================
exports location   ``exports``           ``agentlake_exports``           ``AGENTLAKE_EXPORTS``
lake location      ``lake``              ``agentlake_lake``              ``AGENTLAKE_LAKE``
job jar            ``jar``               ``agentlake_jar``               ``AGENTLAKE_JAR``
job config file    ``config``            ``agentlake_config``            ``AGENTLAKE_CONFIG``
accept quarantine  ``accept_quarantine``  -                              -
Spark connection   -                     ``agentlake_spark_conn_id``     ``AGENTLAKE_SPARK_CONN_ID``
spark-submit path  -                     ``agentlake_spark_binary``      ``AGENTLAKE_SPARK_BINARY``
extra Spark conf   -                     ``agentlake_spark_conf`` (JSON) ``AGENTLAKE_SPARK_CONF``
=================  ====================  ==============================  ===========================

Defaults: jar ``jobs/target/agentlake-jobs.jar`` of the repository this file lives in; no config file
(every stage then runs without ``--config``, on the job's defaults); ``accept_quarantine`` false;
connection ``spark_default``; spark-submit from the connection's ``spark-binary`` extra, else
``spark-submit`` on the PATH. Exports and lake have no default: a run without them fails at once,
without retries.

DAG-level settings read from the environment when the file is parsed: ``AGENTLAKE_SCHEDULE``
(cron, default ``0 2 * * *`` UTC: the run for date D starts at 02:00 on D+1), ``AGENTLAKE_START_DATE``
(default 2026-01-01), ``AGENTLAKE_CATCHUP`` (default false), ``AGENTLAKE_INGEST_POOL`` (an Airflow
pool for the ingest tasks; default the default pool).

Exit codes of the job: 0 done; 1 failed, a retry may help (retried with exponential back-off);
2 usage and 3 bad input / failed quality gate: the task fails at once, without retries.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param

# Shared with the maintenance DAG; AgentlakeSubmitOperator is re-exported for existing imports.
from agentlake_common import (  # noqa: F401
    CONFIG,
    DEFAULT_ARGS,
    EXPORTS,
    LAKE,
    MACROS,
    MAIN_CLASS,
    NIGHTLY_DAG_ID,
    AgentlakeSubmitOperator,
    _env,
    env_flag,
)
from agentlake_common import submit as _submit

DAG_ID = NIGHTLY_DAG_ID

SOURCES = (
    "aws-iam",
    "aws-cloudtrail",
    "okta-users",
    "okta-system-log",
    "bedrock-agents",
    "openai-admin",
    "entra-id",
    "agent-manifest",
    "review-decisions",
)

GOLD_TABLES = (
    "orphaned_agents",
    "unused_privileges",
    "least_privilege_policies",
    "risk_scores",
    "agent_reach",
    "principal_risk_facts",
    "privilege_drift",
    "review_queue",
)

#: One asset per gold table; ``publish`` emits an event for each once it succeeded, with
#: ``{"as_of_date": ds, "lake": ...}`` as its extra. Downstream DAGs can use ``schedule=GOLD_ASSETS``.
GOLD_ASSETS = [
    Asset(name=f"agentlake.gold.{t}", uri=f"agentlake://gold/{t}", group="agentlake") for t in GOLD_TABLES
]

#: Every stage takes the config file when one is set, and no ``--config`` at all when none is.
WITH_CONFIG = {"--config": CONFIG}


def ingest_task_id(source: str) -> str:
    return "ingest_" + source.replace("-", "_")


class PublishOperator(AgentlakeSubmitOperator):
    """``agentlake publish``; only once it succeeded, each gold asset's event gets the date and lake.

    A failed submit raises before the extras are set, so Airflow records no asset event for it.
    """

    def execute(self, context):
        super().execute(context)
        args = list(self.application_args)
        lake = args[args.index("--lake") + 1]
        for asset in self.outlets:
            context["outlet_events"][asset].extra = {"as_of_date": context["ds"], "lake": lake}


with DAG(
    dag_id=DAG_ID,
    description="agentlake: ingest all sources, quality gate, correlate, analyze, publish the gold assets",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable(_env("AGENTLAKE_SCHEDULE", "0 2 * * *"), timezone="UTC"),
    start_date=pendulum.parse(_env("AGENTLAKE_START_DATE", "2026-01-01")),
    catchup=env_flag("AGENTLAKE_CATCHUP"),
    max_active_runs=1,  # runs of different dates share the same bronze/silver tables
    tags=["agentlake", "spark", "nightly"],
    default_args=dict(DEFAULT_ARGS),
    params={
        "exports": Param(None, type=["null", "string"], description="exports root URI (overrides)"),
        "lake": Param(None, type=["null", "string"], description="lake root URI (overrides)"),
        "jar": Param(None, type=["null", "string"], description="job jar (overrides)"),
        "config": Param(None, type=["null", "string"], description="job config file (overrides)"),
        "accept_quarantine": Param(
            False,
            type="boolean",
            description="pass the quality gate even above the quarantine threshold (recorded in the run report)",
        ),
    },
    user_defined_macros=MACROS,
) as dag:
    pool = _env("AGENTLAKE_INGEST_POOL") or None
    date = ["--date", "{{ ds }}"]
    ingest = [
        _submit(
            ingest_task_id(source),
            ["ingest", "--exports", EXPORTS, "--lake", LAKE, *date, "--source", source],
            optional_args=WITH_CONFIG,
            **({"pool": pool} if pool else {}),
        )
        for source in SOURCES
    ]
    quality_gate = _submit(
        "quality_gate",
        ["gate", "--exports", EXPORTS, "--lake", LAKE, *date],
        optional_args=WITH_CONFIG,
        switches={"--accept-quarantine": "{{ params.accept_quarantine }}"},
    )
    correlate = _submit("correlate", ["correlate", "--lake", LAKE, *date], optional_args=WITH_CONFIG)
    analyze = _submit("analyze", ["analyze", "--lake", LAKE, *date], optional_args=WITH_CONFIG)
    publish = _submit(
        "publish",
        ["publish", "--lake", LAKE, *date],
        optional_args=WITH_CONFIG,
        outlets=GOLD_ASSETS,
        operator_class=PublishOperator,
    )

    ingest >> quality_gate >> correlate >> analyze >> publish
