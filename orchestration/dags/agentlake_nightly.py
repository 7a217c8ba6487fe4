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

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, Variable, task
from airflow.sdk.exceptions import AirflowFailException

DAG_ID = "agentlake_nightly"

SOURCES = (
    "aws-iam",
    "aws-cloudtrail",
    "okta-users",
    "okta-system-log",
    "bedrock-agents",
    "openai-admin",
    "agent-manifest",
)

GOLD_TABLES = (
    "orphaned_agents",
    "unused_privileges",
    "risk_scores",
    "agent_reach",
    "principal_risk_facts",
)

#: One asset per gold table; an event is emitted for each after a run passes the quality gate, with
#: ``{"as_of_date": ds, "lake": ...}`` as its extra. Downstream DAGs can use ``schedule=GOLD_ASSETS``.
GOLD_ASSETS = [
    Asset(name=f"agentlake.gold.{t}", uri=f"agentlake://gold/{t}", group="agentlake") for t in GOLD_TABLES
]

MAIN_CLASS = "io.agentlake.jobs.cli.Agentlake"

_REPO_ROOT = Path(__file__).resolve().parents[2]


def ingest_task_id(source: str) -> str:
    return "ingest_" + source.replace("-", "_")


def _env(name: str, default: str = "") -> str:
    """Jinja macro: an environment variable of the worker, read when the task renders."""
    return os.environ.get(name, default)


def _default_jar() -> str:
    return _env("AGENTLAKE_JAR") or str(_REPO_ROOT / "jobs" / "target" / "agentlake-jobs.jar")


def _location(param: str, variable: str, env: str) -> str:
    return f"{{{{ params.{param} or var.value.get('{variable}', env('{env}')) }}}}"


EXPORTS = _location("exports", "agentlake_exports", "AGENTLAKE_EXPORTS")
LAKE = _location("lake", "agentlake_lake", "AGENTLAKE_LAKE")
JAR = "{{ params.jar or var.value.get('agentlake_jar', default_jar()) }}"
CONN_ID = "{{ var.value.get('agentlake_spark_conn_id', env('AGENTLAKE_SPARK_CONN_ID', 'spark_default')) }}"
SPARK_BINARY = "{{ var.value.get('agentlake_spark_binary', env('AGENTLAKE_SPARK_BINARY')) }}"

_ERROR_CODE = re.compile(r"Error code is: (\d+)")


class AgentlakeSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` that knows the agentlake CLI's exit codes.

    Pushes the job's exit code as XCom ``exit_code`` (also when it fails, for the quality gate);
    turns exit 2 (usage) and 3 (bad input, failed quality gate) into ``AirflowFailException`` so
    Airflow does not retry what would fail the same way; leaves 1 and anything else retryable.
    """

    template_fields = (*SparkSubmitOperator.template_fields, "_conn_id", "_spark_binary")

    def execute(self, context):
        ti = context["ti"]
        args = list(self.application_args or [])
        for flag, value in zip(args, args[1:]):
            if flag.startswith("--") and not str(value).strip():
                ti.xcom_push(key="exit_code", value=2)
                raise AirflowFailException(
                    f"agentlake: {flag} is empty. Set the DAG param, the Airflow Variable or the "
                    f"environment variable for it (see the agentlake_nightly DAG's doc)."
                )
        if not str(self.application or "").strip():
            ti.xcom_push(key="exit_code", value=2)
            raise AirflowFailException("agentlake: no job jar; set AGENTLAKE_JAR or Variable agentlake_jar")
        self._spark_binary = self._spark_binary or None
        self._conn_id = self._conn_id or "spark_default"
        self.conf = {**_extra_spark_conf(), **(self.conf or {})}
        try:
            super().execute(context)
        except Exception as err:
            code = self._exit_code(err)
            ti.xcom_push(key="exit_code", value=code)
            if code in (2, 3):
                meaning = "usage error" if code == 2 else "bad input or failed quality gate"
                raise AirflowFailException(
                    f"agentlake {args[0] if args else ''} exited {code} ({meaning}); "
                    "retrying the same input fails the same way: fix the input, then clear the task"
                ) from err
            raise
        ti.xcom_push(key="exit_code", value=0)

    def _exit_code(self, err: BaseException) -> int | None:
        process = getattr(self._hook, "_submit_sp", None) if self._hook else None
        code = getattr(process, "returncode", None)
        if code is None:
            match = _ERROR_CODE.search(str(err))
            code = int(match.group(1)) if match else None
        return code


def _extra_spark_conf() -> dict:
    """Spark conf from Variable ``agentlake_spark_conf`` or env ``AGENTLAKE_SPARK_CONF`` (JSON)."""
    raw = Variable.get("agentlake_spark_conf", default=None) or _env("AGENTLAKE_SPARK_CONF")
    if not raw:
        return {}
    conf = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(conf, dict):
        raise AirflowFailException("agentlake_spark_conf must be a JSON object of Spark properties")
    return {str(k): str(v) for k, v in conf.items()}


def _submit(task_id: str, args: list[str], **kwargs) -> AgentlakeSubmitOperator:
    return AgentlakeSubmitOperator(
        task_id=task_id,
        application=JAR,
        java_class=MAIN_CLASS,
        application_args=args,
        conn_id=CONN_ID,
        spark_binary=SPARK_BINARY,
        name=f"agentlake-{task_id}-{{{{ ds }}}}",
        **kwargs,
    )


def _catchup() -> bool:
    return _env("AGENTLAKE_CATCHUP", "false").strip().lower() in ("1", "true", "yes")


with DAG(
    dag_id=DAG_ID,
    description="agentlake: ingest all sources, correlate, analyze, quality gate; publishes gold",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable(_env("AGENTLAKE_SCHEDULE", "0 2 * * *"), timezone="UTC"),
    start_date=pendulum.parse(_env("AGENTLAKE_START_DATE", "2026-01-01")),
    catchup=_catchup(),
    max_active_runs=1,  # runs of different dates share the same bronze/silver tables
    tags=["agentlake", "spark", "nightly"],
    default_args={
        "owner": "agentlake",
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    },
    params={
        "exports": Param(None, type=["null", "string"], description="exports root URI (overrides)"),
        "lake": Param(None, type=["null", "string"], description="lake root URI (overrides)"),
        "jar": Param(None, type=["null", "string"], description="job jar (overrides)"),
    },
    user_defined_macros={"env": _env, "default_jar": _default_jar},
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
