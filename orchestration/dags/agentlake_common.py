"""What the agentlake DAGs share: settings templates and the operator that submits the job jar.

Not a DAG itself (``.airflowignore`` keeps the DAG processor from parsing it as one); the DAG files
beside it import it, so deploy it into the same DAGs folder (or bundle). Nothing here reads the
metadata DB, a Variable or a connection at import time: settings are Jinja templates rendered when a
task runs, and ``AgentlakeSubmitOperator.execute`` reads the extra Spark conf.

Settings (first one set wins):

=================  ====================  ==============================  ===========================
setting            DAG param (run conf)  Airflow Variable                environment variable
=================  ====================  ==============================  ===========================
exports location   ``exports``           ``agentlake_exports``           ``AGENTLAKE_EXPORTS``
lake location      ``lake``              ``agentlake_lake``              ``AGENTLAKE_LAKE``
job jar            ``jar``               ``agentlake_jar``               ``AGENTLAKE_JAR``
job config file    ``config``            ``agentlake_config``            ``AGENTLAKE_CONFIG``
Spark connection   -                     ``agentlake_spark_conn_id``     ``AGENTLAKE_SPARK_CONN_ID``
spark-submit path  -                     ``agentlake_spark_binary``      ``AGENTLAKE_SPARK_BINARY``
extra Spark conf   -                     ``agentlake_spark_conf`` (JSON) ``AGENTLAKE_SPARK_CONF``
=================  ====================  ==============================  ===========================

The job config file is optional and only the nightly DAG's stages take it (``agentlake maintain`` has
no ``--config``): when none is set, the ``--config`` flag is left out and the job uses its defaults.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import Variable
from airflow.sdk.exceptions import AirflowFailException

MAIN_CLASS = "io.agentlake.jobs.cli.Agentlake"

#: Task defaults both DAGs share: exit code 1 (a retry may help) is retried with back-off;
#: codes 2 and 3 fail at once (see AgentlakeSubmitOperator).
DEFAULT_ARGS = {
    "owner": "agentlake",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

#: The nightly DAG's id; the maintenance DAG waits until no run of it is active.
NIGHTLY_DAG_ID = "agentlake_nightly"

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, default: str = "") -> str:
    """Jinja macro: an environment variable of the worker, read when the task renders."""
    return os.environ.get(name, default)


def _default_jar() -> str:
    return _env("AGENTLAKE_JAR") or str(_REPO_ROOT / "jobs" / "target" / "agentlake-jobs.jar")


#: ``user_defined_macros`` every agentlake DAG needs for the templates below.
MACROS = {"env": _env, "default_jar": _default_jar}


def _location(param: str, variable: str, env: str, default: str = "") -> str:
    """Template: DAG param, else Airflow Variable, else environment variable, else ``default``."""
    fallback = f"env('{env}', '{default}')" if default else f"env('{env}')"
    return f"{{{{ params.{param} or var.value.get('{variable}', {fallback}) }}}}"


EXPORTS = _location("exports", "agentlake_exports", "AGENTLAKE_EXPORTS")
LAKE = _location("lake", "agentlake_lake", "AGENTLAKE_LAKE")
#: The job's config file (``--config``); optional: a stage gets no ``--config`` when none is set.
CONFIG = _location("config", "agentlake_config", "AGENTLAKE_CONFIG")
JAR = "{{ params.jar or var.value.get('agentlake_jar', default_jar()) }}"
CONN_ID = "{{ var.value.get('agentlake_spark_conn_id', env('AGENTLAKE_SPARK_CONN_ID', 'spark_default')) }}"
SPARK_BINARY = "{{ var.value.get('agentlake_spark_binary', env('AGENTLAKE_SPARK_BINARY')) }}"

_ERROR_CODE = re.compile(r"Error code is: (\d+)")


class AgentlakeSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` that knows the agentlake CLI's exit codes and its optional flags.

    ``application_args`` are required: a ``--flag`` whose value renders empty fails the task at once
    (exit 2, no retries), so a missing exports or lake location is never passed on as ``--lake ""``.
    ``optional_args`` (flag: template) are appended only when the value renders non-empty, and
    ``switches`` (flag: template) only when it renders true (``True``, ``true``, ``1``, ``yes``);
    otherwise the flag is left out entirely, so the job applies its own default.

    Pushes the job's exit code as XCom ``exit_code`` (also when it fails); turns exit 2 (usage) and
    3 (bad input, failed quality gate) into ``AirflowFailException`` so Airflow does not retry what
    would fail the same way; leaves 1 and anything else retryable.
    """

    template_fields = (
        *SparkSubmitOperator.template_fields,
        "optional_args",
        "switches",
        "_conn_id",
        "_spark_binary",
    )

    def __init__(
        self,
        *,
        optional_args: dict[str, str] | None = None,
        switches: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.optional_args = dict(optional_args or {})
        self.switches = dict(switches or {})

    def execute(self, context):
        ti = context["ti"]
        args = list(self.application_args or [])
        for flag, value in zip(args, args[1:]):
            if flag.startswith("--") and not str(value).strip():
                ti.xcom_push(key="exit_code", value=2)
                raise AirflowFailException(
                    f"agentlake: {flag} is empty. Set the DAG param, the Airflow Variable or the "
                    f"environment variable for it (see the {self._dag_name()} DAG's doc)."
                )
        if not str(self.application or "").strip():
            ti.xcom_push(key="exit_code", value=2)
            raise AirflowFailException("agentlake: no job jar; set AGENTLAKE_JAR or Variable agentlake_jar")
        self.application_args = args + self._optional_flags()
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

    def _optional_flags(self) -> list[str]:
        flags: list[str] = []
        for flag, value in self.optional_args.items():
            if value is not None and str(value).strip():
                flags += [flag, str(value).strip()]
        for flag, value in self.switches.items():
            if _truthy(value):
                flags.append(flag)
        return flags

    def _dag_name(self) -> str:
        dag = self.get_dag()
        return dag.dag_id if dag else "agentlake"

    def _exit_code(self, err: BaseException) -> int | None:
        process = getattr(self._hook, "_submit_sp", None) if self._hook else None
        code = getattr(process, "returncode", None)
        if code is None:
            match = _ERROR_CODE.search(str(err))
            code = int(match.group(1)) if match else None
        return code


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def _extra_spark_conf() -> dict:
    """Spark conf from Variable ``agentlake_spark_conf`` or env ``AGENTLAKE_SPARK_CONF`` (JSON)."""
    raw = Variable.get("agentlake_spark_conf", default=None) or _env("AGENTLAKE_SPARK_CONF")
    if not raw:
        return {}
    conf = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(conf, dict):
        raise AirflowFailException("agentlake_spark_conf must be a JSON object of Spark properties")
    return {str(k): str(v) for k, v in conf.items()}


def submit(
    task_id: str,
    args: list[str],
    *,
    operator_class: type[AgentlakeSubmitOperator] = AgentlakeSubmitOperator,
    **kwargs,
) -> AgentlakeSubmitOperator:
    """A task that runs ``agentlake <args>`` by submitting the job jar (name ``agentlake-<task>-<ds>``).

    ``args`` are required (an empty ``--flag`` value fails the task); pass optional flags as
    ``optional_args`` / ``switches`` (see ``AgentlakeSubmitOperator``).
    """
    return operator_class(
        task_id=task_id,
        application=JAR,
        java_class=MAIN_CLASS,
        application_args=args,
        conn_id=CONN_ID,
        spark_binary=SPARK_BINARY,
        name=f"agentlake-{task_id}-{{{{ ds }}}}",
        **kwargs,
    )


def env_flag(name: str, default: bool = False) -> bool:
    """A boolean environment variable (``1``, ``true``, ``yes``), read when the DAG file is parsed."""
    return _truthy(_env(name, "true" if default else "false"))
