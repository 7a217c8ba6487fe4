"""Helpers shared by the agentlake notebooks: read gold tables without Spark, plot, write review sheets.

The gold tables are Delta tables (reader protocol 1, no deletion vectors) under ``<lake>/gold/<table>``,
partitioned by ``as_of_date``. They are read here with delta-rs (the ``deltalake`` package) into Arrow,
queried with DuckDB where SQL reads better than pandas, and handed to pandas/matplotlib for display.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable

GOLD_TABLES = (
    "risk_scores",
    "orphaned_agents",
    "unused_privileges",
    "least_privilege_policies",
    "agent_reach",
    "principal_risk_facts",
    "privilege_drift",
    "review_queue",
)

# A spreadsheet treats a cell starting with one of these as a formula (or strips it and then does).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TIER_COLORS = {"CRITICAL": "#b2182b", "HIGH": "#ef8a62", "MEDIUM": "#fddbc7", "LOW": "#67a9cf"}


# ---------------------------------------------------------------------------------------------- reading

def table_uri(lake: str | os.PathLike, table: str) -> str:
    """Location of a gold table; ``table`` may be ``risk_scores`` or ``gold.risk_scores``."""
    name = table.split(".", 1)[1] if table.startswith("gold.") else table
    if name not in GOLD_TABLES:
        raise ValueError(f"unknown gold table {table!r}; expected one of {', '.join(GOLD_TABLES)}")
    lake = str(lake).rstrip("/")
    if "://" in lake:
        return f"{lake}/gold/{name}"
    return str(Path(lake) / "gold" / name)


def default_lake() -> str:
    """The lake a notebook reads when its ``lake`` parameter is empty: ``$AGENTLAKE_LAKE``, else the
    demo lake that ``./agentlake demo`` builds (looked up from the repo root or from ``notebooks/``)."""
    if os.environ.get("AGENTLAKE_LAKE"):
        return os.environ["AGENTLAKE_LAKE"]
    for candidate in (Path(".agentlake/demo/lake"), Path("../.agentlake/demo/lake")):
        if (candidate / "gold").is_dir():
            return str(candidate)
    return ".agentlake/demo/lake"


def _as_date(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def read_gold_arrow(lake, table: str, as_of=None, columns: Sequence[str] | None = None) -> pa.Table:
    """One gold table as an Arrow table, optionally only the partition ``as_of_date = as_of``."""
    delta = DeltaTable(table_uri(lake, table))
    day = _as_date(as_of)
    partitions = [("as_of_date", "=", day)] if day else None
    return delta.to_pyarrow_table(filters=partitions, columns=list(columns) if columns else None)


def read_gold(lake, table: str, as_of=None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One gold table as a pandas DataFrame (arrays become lists, structs dicts), optionally one date."""
    return read_gold_arrow(lake, table, as_of, columns).to_pandas()


def available_dates(lake, table: str = "risk_scores") -> list[dt.date]:
    """Every ``as_of_date`` present in a gold table, oldest first."""
    column = read_gold_arrow(lake, table, columns=["as_of_date"]).column("as_of_date")
    return sorted({d for d in column.to_pylist() if d is not None})


def latest_date(lake, table: str = "risk_scores") -> dt.date:
    """The newest ``as_of_date`` in a gold table; raises when the table is empty."""
    dates = available_dates(lake, table)
    if not dates:
        raise ValueError(f"gold.{table} in {lake} has no rows")
    return dates[-1]


def resolve_as_of(lake, as_of=None, table: str = "risk_scores") -> dt.date:
    """The notebook parameter ``as_of`` as a date: the given one, or the latest in the lake when empty."""
    return _as_date(as_of) or latest_date(lake, table)


def query(sql: str, **tables) -> pd.DataFrame:
    """Run DuckDB SQL over Arrow tables or DataFrames passed by name: ``query("SELECT … FROM r", r=tbl)``."""
    con = duckdb.connect()
    try:
        for name, data in tables.items():
            con.register(name, data)
        return con.execute(sql).df()
    finally:
        con.close()


def factor_contributions(risk: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """One row per (agent, factor) of gold.risk_scores: agent_id, name, score, tier, factor, contribution, …"""
    return query(
        """
        SELECT as_of_date, agent_id, coalesce(name, agent_id) AS name, score, tier,
               f.factor AS factor, f.raw_value AS raw_value, f.weight AS weight,
               f.contribution AS contribution, f.owasp AS owasp
        FROM (SELECT *, unnest(factors) AS f FROM risk)
        ORDER BY score DESC, agent_id, contribution DESC
        """,
        risk=risk,
    )


# ---------------------------------------------------------------------------------------------- figures

def _plt():
    import matplotlib.pyplot as plt  # imported late so a caller can pick the backend (Agg in tests)

    return plt


def save_figure(fig, out_dir, name: str) -> Path:
    """Write ``fig`` as ``<out_dir>/<name>.png`` and return the path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _empty(ax, message: str):
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_score_distribution(risk: pd.DataFrame, bins: int = 20):
    """Histogram of risk scores, stacked by tier."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 4))
    if risk.empty:
        _empty(ax, "no risk scores")
        return fig
    tiers = [t for t in TIER_COLORS if t in set(risk["tier"])] + sorted(set(risk["tier"]) - set(TIER_COLORS))
    data = [risk.loc[risk["tier"] == t, "score"].to_numpy() for t in tiers]
    lo, hi = min(0.0, float(risk["score"].min())), float(risk["score"].max())
    if math.isclose(lo, hi):
        lo, hi = lo - 0.5, hi + 0.5
    ax.hist(data, bins=bins, range=(lo, hi), stacked=True, label=tiers,
            color=[TIER_COLORS.get(t, "#999999") for t in tiers], edgecolor="white")
    day = risk["as_of_date"].iloc[0]
    ax.set_title(f"Risk score distribution ({len(risk)} agents, as of {day})")
    ax.set_xlabel("score")
    ax.set_ylabel("agents")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="tier")
    return fig


def plot_factor_contributions(contrib: pd.DataFrame, top_n: int = 10):
    """Horizontal stacked bars: the ``top_n`` highest-scoring agents, each score split into its factors."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 0.5 * max(top_n, 4) + 1.5))
    if contrib.empty:
        _empty(ax, "no risk scores")
        return fig
    agents = (contrib[["agent_id", "name", "score"]].drop_duplicates("agent_id")
              .sort_values(["score", "agent_id"], ascending=[False, True]).head(top_n))
    wide = (contrib[contrib["agent_id"].isin(agents["agent_id"])]
            .pivot_table(index="agent_id", columns="factor", values="contribution", aggfunc="sum", fill_value=0.0)
            .reindex(agents["agent_id"]))
    wide = wide.loc[:, wide.sum().sort_values(ascending=False).index]  # biggest factor first in the legend
    labels = [f"{n} ({a})" if n != a else a for a, n in zip(agents["agent_id"], agents["name"])]
    cmap = plt.get_cmap("tab20")
    left = pd.Series(0.0, index=wide.index)
    for i, factor in enumerate(wide.columns):
        ax.barh(labels, wide[factor], left=left, label=factor, color=cmap(i % 20))
        left = left + wide[factor].clip(lower=0)
    for y, (_, row) in enumerate(agents.iterrows()):
        ax.text(left.iloc[y], y, f" {row['score']:.1f}", va="center", fontsize=8)
    ax.set_xlim(0, max(float(left.max()), 1.0) * 1.1)  # room for the score labels
    ax.invert_yaxis()  # highest score on top
    ax.set_xlabel("contribution to score")
    ax.set_title(f"Top {len(agents)} agents by risk score, by factor")
    ax.legend(title="factor", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return fig


def plot_score_trend(history: pd.DataFrame, agents: Iterable[str] | None = None, top_n: int = 8):
    """Score per date: the mean and median of all agents, plus one line per agent (default: latest top_n)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if history.empty:
        _empty(ax, "no risk scores")
        return fig
    h = history.copy()
    h["as_of_date"] = pd.to_datetime(h["as_of_date"])
    if agents is None:
        last = h[h["as_of_date"] == h["as_of_date"].max()]
        agents = last.sort_values(["score", "agent_id"], ascending=[False, True])["agent_id"].head(top_n)
    for agent in agents:
        rows = h[h["agent_id"] == agent].sort_values("as_of_date")
        ax.plot(rows["as_of_date"], rows["score"], marker="o", linewidth=1, alpha=0.8, label=agent)
    stats = h.groupby("as_of_date")["score"].agg(["mean", "median"])
    ax.plot(stats.index, stats["mean"], color="black", linewidth=2.5, linestyle="--", marker="s", label="mean (all)")
    ax.plot(stats.index, stats["median"], color="grey", linewidth=2.5, linestyle=":", marker="s", label="median (all)")
    ax.set_xticks(stats.index)
    ax.set_xticklabels([d.strftime("%Y-%m-%d") for d in stats.index], rotation=30, ha="right")
    ax.set_ylabel("score")
    ax.set_title(f"Risk score trend over {len(stats)} run date(s)")
    ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return fig


def orphan_reason_counts(orphans: pd.DataFrame) -> pd.DataFrame:
    """Orphaned agents per reason (an agent with two reasons counts once under each)."""
    if orphans.empty:
        return pd.DataFrame({"reason": pd.Series(dtype=str), "agents": pd.Series(dtype="int64")})
    exploded = orphans[["agent_id", "reasons"]].explode("reasons").dropna(subset=["reasons"])
    return (exploded.groupby("reasons")["agent_id"].nunique().rename("agents").reset_index()
            .rename(columns={"reasons": "reason"}).sort_values(["agents", "reason"], ascending=[False, True])
            .reset_index(drop=True))


def plot_orphans_by_reason(orphans: pd.DataFrame):
    """Horizontal bars: orphaned agents per reason."""
    plt = _plt()
    counts = orphan_reason_counts(orphans)
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(counts), 3) + 1.5))
    if counts.empty:
        _empty(ax, "no orphaned agents")
        return fig
    ax.barh(counts["reason"], counts["agents"], color="#8c6bb1")
    for y, n in enumerate(counts["agents"]):
        ax.text(n, y, f" {n}", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("orphaned agents")
    ax.set_title(f"Orphaned agents by reason ({orphans['agent_id'].nunique()} agents)")
    return fig


def unfolded(unused: pd.DataFrame) -> pd.DataFrame:
    """The rows of gold.unused_privileges a reviewer reads: without the ACTION rows folded into their
    SERVICE row (a service none of whose actions was used). Rows written before ``folded`` existed
    (null there) are kept."""
    if unused.empty or "folded" not in unused.columns:
        return unused
    return unused[~unused["folded"].fillna(False).astype(bool)]


def unused_by_level_verdict(unused: pd.DataFrame) -> pd.DataFrame:
    """Rows of gold.unused_privileges a reviewer reads (``unfolded``) counted per level (rows) and
    verdict (columns)."""
    rows = unfolded(unused)
    if rows.empty:
        return pd.DataFrame()
    return rows.groupby(["level", "verdict"]).size().unstack("verdict", fill_value=0).sort_index()


def granted_vs_used(unused: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Per principal (its IDENTITY row): actions granted and actions used in the window, the
    ``top`` principals with the most granted, most first."""
    if unused.empty or "actions_granted" not in unused.columns:
        return pd.DataFrame(columns=["principal", "actions_granted", "actions_used"])
    ids = unused[(unused["level"] == "IDENTITY") & unused["actions_granted"].notna()]
    principal = ids["principal_arn"].fillna(ids["principal_id"])
    table = pd.DataFrame({
        "principal": principal.str.rsplit("/", n=1).str[-1],
        "actions_granted": ids["actions_granted"].astype(int),
        "actions_used": ids["actions_used"].fillna(0).astype(int),
    })
    return (table.sort_values(["actions_granted", "principal"], ascending=[False, True])
            .head(top).reset_index(drop=True))


def plot_granted_vs_used(unused: pd.DataFrame, top: int = 15):
    """Horizontal bars on a log scale: actions granted vs used per principal, so a ``*`` role
    (thousands granted, a handful used) and a narrow one read on the same chart."""
    plt = _plt()
    table = granted_vs_used(unused, top)
    fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(table) + 1.5)))
    if table.empty:
        _empty(ax, "no principals with grants")
        return fig
    y = range(len(table))
    ax.barh([i + 0.2 for i in y], table["actions_granted"], height=0.4, label="granted",
            color="#bdbdbd")
    ax.barh([i - 0.2 for i in y], table["actions_used"].clip(lower=0.9), height=0.4, label="used",
            color="#2c7fb8")
    for i, (g, u) in enumerate(zip(table["actions_granted"], table["actions_used"])):
        ax.text(g, i + 0.2, f" {g}", va="center", fontsize=8)
        ax.text(max(u, 0.9), i - 0.2, f" {u}", va="center", fontsize=8)
    ax.set_yticks(list(y))
    ax.set_yticklabels(table["principal"])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("actions (log scale)")
    ax.set_title("Actions granted vs used in the window, per principal")
    ax.legend(loc="lower right")
    return fig


def unused_grants_by_platform(unused: pd.DataFrame) -> pd.DataFrame:
    """GRANT rows of gold.unused_privileges counted per platform (rows) and verdict (columns).

    Each platform's grants in its own words (AWS policy statements; Entra ID app roles, delegated
    scopes and directory roles), judged by the same rules.
    """
    if unused.empty or "platform" not in unused.columns:
        return pd.DataFrame()
    grants = unused[unused["level"] == "GRANT"]
    if grants.empty:
        return pd.DataFrame()
    return grants.groupby(["platform", "verdict"]).size().unstack("verdict", fill_value=0).sort_index()


def plot_unused_privileges(unused: pd.DataFrame):
    """Stacked bars: grants per level, split by usage verdict."""
    plt = _plt()
    table = unused_by_level_verdict(unused)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if table.empty:
        _empty(ax, "no privileges")
        return fig
    cmap = plt.get_cmap("Set2")
    bottom = pd.Series(0, index=table.index)
    for i, verdict in enumerate(table.columns):
        ax.bar(table.index, table[verdict], bottom=bottom, label=verdict, color=cmap(i % 8))
        bottom = bottom + table[verdict]
    for x, total in enumerate(bottom):
        ax.text(x, total, str(int(total)), ha="center", va="bottom")
    ax.set_ylabel("rows (folded actions not counted)")
    ax.set_xlabel("level")
    ax.set_title("Privileges by level and usage verdict")
    ax.legend(title="verdict")
    return fig


# ---------------------------------------------------------------------------------------------- sheets

def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        if isinstance(items, list):
            return "; ".join(_cell_text(v) for v in items)
    return str(value)


def safe_csv_cell(value) -> str:
    """The text of one CSV cell, neutralised against spreadsheet formula injection.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so
    that Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. ``None``/NaN become
    an empty cell; lists are joined with ``"; "``; dates and timestamps are ISO 8601.
    """
    text = _cell_text(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_review_sheet(rows: pd.DataFrame, path, columns: Sequence[str] | None = None) -> Path:
    """Write ``rows`` (optionally only ``columns``, in that order) as a UTF-8 CSV; every cell is neutralised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else list(rows.columns)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_csv_cell(c) for c in cols])
        for record in rows[cols].itertuples(index=False, name=None):
            writer.writerow([safe_csv_cell(v) for v in record])
    return path
