"""agentlake nightly: ingest every source in parallel, then correlate, analyze and a quality gate.

Each stage submits the shaded job jar with ``spark-submit`` (``SparkSubmitOperator``) and passes the
run's ``{{ ds }}`` as ``--date``; gold for that date is published as the Airflow assets
``agentlake.gold.*`` when, and only when, the quality gate passes.

Settings (first one set wins; nothing is read from the metadata DB or Variables at parse time):

=================  ====================  ==============================  ===========================
setting            DAG param (run conf)  Airflow Variable                environment variable
=================  ====================  ==============================  ===========================
exports location   ``exports``           ``agentlake_exports``           ``AGENTLAKE_EXPORTS``
lake location      ``lake``              ``agentlake_lake``              ``AGENTLAKE_LAKE``
job jar            ``jar``               ``agentlake_jar``               ``AGENTLAKE_JAR``
Spark connection   -                     ``agentlake_spark_conn_id``     ``AGENTLAKE_SPARK_CONN_ID``
spark-submit path  -                     ``agentlake_spark_binary``      ``AGENTLAKE_SPARK_BINARY``
extra Spark conf   -                     ``agentlake_spark_conf`` (JSON) ``AGENTLAKE_SPARK_CONF``
=================  ====================  ==============================  ===========================

Defaults: jar ``jobs/target/agentlake-jobs.jar`` of the repository this file lives in; connection
``spark_default``; spark-submit from the connection's ``spark-binary`` extra, else ``spark-submit``
on the PATH. Exports and lake have no default: a run without them fails at once, without retries.

DAG-level settings read from the environment when the file is parsed: ``AGENTLAKE_SCHEDULE``
(cron, default ``0 2 * * *`` UTC: the run for date D starts at 02:00 on D+1), ``AGENTLAKE_START_DATE``
(default 2026-01-01), ``AGENTLAKE_CATCHUP`` (default false), ``AGENTLAKE_INGEST_POOL`` (an Airflow
pool for the ingest tasks; default the default pool).

Exit codes of the job: 0 done; 1 failed, a retry may help (retried with exponential back-off);
2 usage and 3 bad input / failed quality gate: the task fails at once, without retries.
"""

from __future__ import annotations


import pendulum
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, Variable, task
from airflow.sdk.exceptions import AirflowFailException

# Shared with the maintenance DAG; AgentlakeSubmitOperator is re-exported for existing imports.
from agentlake_common import (  # noqa: F401
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

#: One asset per gold table; an event is emitted for each after a run passes the quality gate, with
#: ``{"as_of_date": ds, "lake": ...}`` as its extra. Downstream DAGs can use ``schedule=GOLD_ASSETS``.
GOLD_ASSETS = [
    Asset(name=f"agentlake.gold.{t}", uri=f"agentlake://gold/{t}", group="agentlake") for t in GOLD_TABLES
]


def ingest_task_id(source: str) -> str:
    return "ingest_" + source.replace("-", "_")


with DAG(
    dag_id=DAG_ID,
    description="agentlake: ingest all sources, correlate, analyze, quality gate; publishes gold",
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
    },
    user_defined_macros=MACROS,
) as dag:
    pool = _env("AGENTLAKE_INGEST_POOL") or None
    ingest = [
        _submit(
            ingest_task_id(source),
            ["ingest", "--exports", EXPORTS, "--lake", LAKE, "--date", "{{ ds }}", "--source", source],
            **({"pool": pool} if pool else {}),
        )
        for source in SOURCES
    ]
    correlate = _submit("correlate", ["correlate", "--lake", LAKE, "--date", "{{ ds }}"])
    analyze = _submit("analyze", ["analyze", "--lake", LAKE, "--date", "{{ ds }}"])

    @task(task_id="quality_gate", trigger_rule="all_done", retries=0, outlets=GOLD_ASSETS)
    def quality_gate(**context):
        """Fail the run unless every stage exited 0; on success, publish the gold assets."""
        ti = context["ti"]
        stages = [ingest_task_id(s) for s in SOURCES] + ["correlate", "analyze"]
        codes = dict(zip(stages, ti.xcom_pull(task_ids=stages, key="exit_code")))
        bad = {stage: code for stage, code in codes.items() if code != 0}
        if bad:
            failed_ingest = [s for s in SOURCES if codes[ingest_task_id(s)] == 3]
            detail = ", ".join(
                f"{stage}={'did not run' if code is None else f'exit {code}'}" for stage, code in bad.items()
            )
            if failed_ingest:
                detail = f"quarantine share above threshold for {', '.join(failed_ingest)}; " + detail
            raise AirflowFailException(
                f"agentlake quality gate failed for {context['ds']}: {detail}. No gold was published "
                "for this date by this run (analyze only runs when every ingest and correlate passed)."
            )
        lake = (context["params"].get("lake") or Variable.get("agentlake_lake", default=None)
                or _env("AGENTLAKE_LAKE"))
        for asset in GOLD_ASSETS:
            context["outlet_events"][asset].extra = {"as_of_date": context["ds"], "lake": lake}
        return {"as_of_date": context["ds"], "stages": codes}

    ingest >> correlate >> analyze >> quality_gate()
