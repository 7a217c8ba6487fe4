# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Risk review
#
# Reads the gold tables of an agentlake lake straight from Delta with delta-rs (no Spark, no cluster),
# and shows, for one run date:
#
# 1. how risk scores are distributed over the agents,
# 2. the riskiest agents, each score broken into the factors behind it,
# 3. how scores moved over every run date in the lake,
# 4. orphaned agents by reason,
# 5. privileges by level and usage verdict, and actions granted vs used per principal.
#
# Every figure is also saved as a PNG into `output_dir`.

# %% tags=["parameters"]
lake = ""        # lake root (path or URI); empty: $AGENTLAKE_LAKE, else the demo lake
as_of = ""       # run date YYYY-MM-DD; empty: the latest date in the lake
output_dir = ""  # where the PNGs go; empty: ./risk_review_output next to the executed notebook
top_n = 10       # agents in the factor breakdown and the trend chart

# %%
import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

try:
    import agentlake_nb as nb
except ModuleNotFoundError:  # kernel started outside notebooks/: the helper module sits beside this notebook
    sys.path.insert(0, os.environ.get("AGENTLAKE_NOTEBOOKS", "notebooks"))
    import agentlake_nb as nb

lake = lake or nb.default_lake()
as_of = nb.resolve_as_of(lake, as_of)
output_dir = Path(output_dir or Path.cwd() / "risk_review_output")
output_dir.mkdir(parents=True, exist_ok=True)
pd.set_option("display.max_colwidth", 80)
print(f"lake: {lake}\nas of: {as_of}\nfigures: {output_dir}")
print("dates in the lake:", ", ".join(str(d) for d in nb.available_dates(lake)))

# %%
risk_arrow = nb.read_gold_arrow(lake, "risk_scores", as_of)
risk = risk_arrow.to_pandas()
print(f"{len(risk)} agents scored; model version(s): {', '.join(sorted(set(risk['model_version'])))}")
risk.groupby("tier").agg(agents=("agent_id", "count"), min_score=("score", "min"),
                         max_score=("score", "max")).sort_values("max_score", ascending=False)

# %% [markdown]
# ## Score distribution

# %%
fig = nb.plot_score_distribution(risk)
nb.save_figure(fig, output_dir, "score_distribution")
plt.show()

# %% [markdown]
# ## Top agents and the factors behind their scores
#
# Each bar is one agent's score split into its factor contributions (`factors[].contribution`).

# %%
contrib = nb.factor_contributions(risk_arrow)
fig = nb.plot_factor_contributions(contrib, top_n=top_n)
nb.save_figure(fig, output_dir, "top_agents_factors")
plt.show()

# %%
top_ids = risk.sort_values(["score", "agent_id"], ascending=[False, True])["agent_id"].head(top_n)
(contrib[contrib["agent_id"].isin(top_ids) & (contrib["contribution"] != 0)]
 [["agent_id", "name", "score", "tier", "factor", "raw_value", "weight", "contribution", "owasp"]]
 .reset_index(drop=True))

# %% [markdown]
# ## Score trend over the run dates in the lake

# %%
history = nb.read_gold(lake, "risk_scores", columns=["as_of_date", "agent_id", "score", "tier"])
history = history[pd.to_datetime(history["as_of_date"]) <= pd.Timestamp(as_of)]
fig = nb.plot_score_trend(history, top_n=min(top_n, 8))
nb.save_figure(fig, output_dir, "score_trend")
plt.show()

# %%
movers = nb.query(
    """
    SELECT agent_id,
           arg_min(score, as_of_date) AS first_score, arg_max(score, as_of_date) AS last_score,
           arg_max(score, as_of_date) - arg_min(score, as_of_date) AS change,
           count(*) AS dates
    FROM h GROUP BY agent_id ORDER BY abs(change) DESC, agent_id LIMIT 10
    """,
    h=history,
)
movers

# %% [markdown]
# ## Orphaned agents by reason

# %%
orphans = nb.read_gold(lake, "orphaned_agents", as_of)
fig = nb.plot_orphans_by_reason(orphans)
nb.save_figure(fig, output_dir, "orphans_by_reason")
plt.show()
nb.orphan_reason_counts(orphans)

# %% [markdown]
# ## Unused privileges by level and verdict

# %%
unused = nb.read_gold(lake, "unused_privileges", as_of)
fig = nb.plot_unused_privileges(unused)
nb.save_figure(fig, output_dir, "unused_privileges")
plt.show()
nb.unused_by_level_verdict(unused)

# %% [markdown]
# ### Granted vs used, per principal
#
# The actions each principal's grants allow and those it used in the window, on a log scale. The
# ACTION rows of a service none of whose actions was used are folded into its SERVICE row (the
# chart above counts that one row); `folded` in the table marks them for whoever wants every action.

# %%
fig = nb.plot_granted_vs_used(unused)
nb.save_figure(fig, output_dir, "granted_vs_used")
plt.show()
nb.granted_vs_used(unused)

# %% [markdown]
# ### Grants by platform
#
# The same verdicts for every platform: on Entra ID, sign-ins name the resource an application
# called, not the permission it used, so a grant on a called resource is `NOT_OBSERVABLE` and only a
# grant on a resource never called in a fully observed window is `UNUSED`.

# %%
nb.unused_grants_by_platform(unused)

# %%
print("figures written:")
for png in sorted(output_dir.glob("*.png")):
    print(f"  {png} ({png.stat().st_size} bytes)")
