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
# # Orphan triage
#
# The orphaned agents of one run date (`gold.orphaned_agents`, read with delta-rs, no Spark): why each
# is orphaned, its owner's status and since when, the suggested successor and why, and the credentials
# to revoke. Ends with a CSV review sheet, one row per orphaned agent, with empty `decision`,
# `reviewer` and `notes` columns to fill in. Every cell of the sheet is neutralised against
# spreadsheet formula injection (a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`).

# %% tags=["parameters"]
lake = ""        # lake root (path or URI); empty: $AGENTLAKE_LAKE, else the demo lake
as_of = ""       # run date YYYY-MM-DD; empty: the latest date in the lake
output_dir = ""  # where the sheet and figure go; empty: ./orphan_triage_output next to the executed notebook

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
as_of = nb.resolve_as_of(lake, as_of, table="orphaned_agents")
output_dir = Path(output_dir or Path.cwd() / "orphan_triage_output")
output_dir.mkdir(parents=True, exist_ok=True)
pd.set_option("display.max_colwidth", 100)
print(f"lake: {lake}\nas of: {as_of}\noutput: {output_dir}")

# %%
orphans = nb.read_gold(lake, "orphaned_agents", as_of)
risk = nb.read_gold(lake, "risk_scores", as_of, columns=["agent_id", "score", "tier"])
triage = orphans.merge(risk, on="agent_id", how="left")
triage["owner_status_days"] = (
    (pd.Timestamp(as_of, tz="UTC") - pd.to_datetime(triage["owner_status_since"], utc=True)).dt.days
)
triage["credentials"] = triage["credential_ids"].map(lambda ids: 0 if ids is None else len(ids))
triage = triage.sort_values(["score", "agent_id"], ascending=[False, True], na_position="last")
triage = triage.reset_index(drop=True)
print(f"{len(triage)} orphaned agents as of {as_of}, "
      f"{int(triage['credentials'].sum())} credentials to revoke")

# %% [markdown]
# ## Why they are orphaned

# %%
fig = nb.plot_orphans_by_reason(orphans)
nb.save_figure(fig, output_dir, "orphan_triage_reasons")
plt.show()

# %% [markdown]
# ## Owners: status and since when
#
# `owner_status_days` is how long the owner has been in that status on the as-of date.

# %%
triage[["agent_id", "name", "platform", "tier", "score", "reasons", "owner_ref", "owner_identity_id",
        "owner_status", "owner_status_since", "owner_status_days", "last_activity_time"]]

# %%
triage.groupby(triage["owner_status"].fillna("(no owner)")).agg(
    agents=("agent_id", "count"), oldest_since=("owner_status_since", "min"))

# %% [markdown]
# ## Owners the identity providers disagree on
#
# Owners resolve against Okta and Entra ID users. `owner_idp` is where the owner was found. An
# owner who is one person in both, active in one and gone in the other, is not resolved
# (`OWNER_STATUS_CONFLICT`): the evidence names both accounts and their statuses, and a person
# decides which one is right.

# %%
triage["owner_idp"] = triage["owner_identity_id"].str.split(":").str[0]
conflicts = triage[triage["reasons"].map(lambda r: r is not None and "OWNER_STATUS_CONFLICT" in list(r))]
print(f"{len(conflicts)} owner(s) the identity providers disagree on")
triage.groupby(triage["owner_idp"].fillna("(unresolved)")).agg(agents=("agent_id", "count"))

# %%
conflicts[["agent_id", "name", "owner_ref", "evidence"]]

# %% [markdown]
# ## Suggested successors

# %%
triage[["agent_id", "name", "owner_ref", "suggested_successor", "successor_reason"]]

# %% [markdown]
# ## Credentials to revoke

# %%
creds = (triage[["agent_id", "name", "platform", "credential_ids"]].explode("credential_ids")
         .dropna(subset=["credential_ids"]).rename(columns={"credential_ids": "credential_id"})
         .reset_index(drop=True))
creds

# %% [markdown]
# ## Evidence

# %%
evidence = (triage[["agent_id", "evidence"]].explode("evidence").dropna(subset=["evidence"])
            .reset_index(drop=True))
evidence = pd.concat([evidence[["agent_id"]],
                      pd.DataFrame(evidence["evidence"].tolist(), columns=["reason", "detail"])], axis=1)
evidence

# %% [markdown]
# ## Review sheet

# %%
sheet = triage.copy()
sheet["evidence"] = sheet["evidence"].map(
    lambda items: [] if items is None else [f"{e['reason']}: {e['detail']}" for e in items if e])
for column in ("decision", "reviewer", "notes"):
    sheet[column] = ""
columns = ["as_of_date", "agent_id", "name", "platform", "tier", "score", "reasons",
           "owner_ref", "owner_identity_id", "owner_status", "owner_status_since", "owner_status_days",
           "last_activity_time", "suggested_successor", "successor_reason", "credential_ids", "evidence",
           "decision", "reviewer", "notes"]
sheet_path = nb.write_review_sheet(sheet, output_dir / f"orphan_review_{as_of}.csv", columns)
print(f"review sheet: {sheet_path} ({len(sheet)} rows)")
pd.read_csv(sheet_path, dtype=str, keep_default_na=False).head(10)
