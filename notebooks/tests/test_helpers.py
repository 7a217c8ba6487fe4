"""Unit tests of the helper module: CSV neutralisation and the review sheet writer."""
from __future__ import annotations

import csv
import datetime as dt
import math

import pandas as pd
import pytest

import agentlake_nb as nb


@pytest.mark.parametrize("raw, cell", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("plain", "plain"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("", ""),
    (None, ""),
    (math.nan, ""),
    (42, "42"),
    (-5, "'-5"),
    (dt.date(2026, 10, 30), "2026-10-30"),
    (["key-1", "=cmd"], "key-1; =cmd"),
    (["=cmd", "key-1"], "'=cmd; key-1"),
])
def test_safe_csv_cell(raw, cell):
    assert nb.safe_csv_cell(raw) == cell


def test_write_review_sheet_neutralises_every_cell_and_keeps_rows(tmp_path):
    df = pd.DataFrame({
        "agent_id": ["=evil()", "ok", "@x"],
        "credential_ids": [["+k1", "k2"], None, []],
        "notes": ["line1\nline2", "-", "fine"],
    })
    path = nb.write_review_sheet(df, tmp_path / "sheet.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["agent_id", "credential_ids", "notes"]
    assert rows[1:] == [["'=evil()", "'+k1; k2", "line1\nline2"], ["ok", "", "'-"], ["'@x", "", "fine"]]


def test_table_uri_accepts_qualified_names_and_rejects_others(tmp_path):
    assert nb.table_uri(tmp_path, "gold.risk_scores") == str(tmp_path / "gold" / "risk_scores")
    assert nb.table_uri("s3://bucket/lake/", "agent_reach") == "s3://bucket/lake/gold/agent_reach"
    with pytest.raises(ValueError):
        nb.table_uri(tmp_path, "silver.agents")


def test_unused_grants_by_platform_counts_grant_rows_per_platform_and_verdict():
    unused = pd.DataFrame([
        {"platform": "aws", "level": "GRANT", "verdict": "UNUSED"},
        {"platform": "aws", "level": "GRANT", "verdict": "USED"},
        {"platform": "aws", "level": "IDENTITY", "verdict": "USED"},
        {"platform": "entra", "level": "GRANT", "verdict": "NOT_OBSERVABLE"},
        {"platform": "entra", "level": "GRANT", "verdict": "UNUSED"},
        {"platform": "entra", "level": "GRANT", "verdict": "UNUSED"},
    ])
    table = nb.unused_grants_by_platform(unused)
    assert table.loc["aws"].to_dict() == {"NOT_OBSERVABLE": 0, "UNUSED": 1, "USED": 1}
    assert table.loc["entra"].to_dict() == {"NOT_OBSERVABLE": 1, "UNUSED": 2, "USED": 0}
    assert nb.unused_grants_by_platform(unused.drop(columns=["platform"])).empty


def test_folded_action_rows_are_left_out_of_the_level_counts_and_principals_chart_granted_vs_used():
    unused = pd.DataFrame([
        {"principal_id": "p1", "principal_arn": "arn:aws:iam::1:role/admin", "level": "IDENTITY",
         "verdict": "USED", "actions_granted": 17000, "actions_used": 3, "folded": False},
        {"principal_id": "p1", "principal_arn": "arn:aws:iam::1:role/admin", "level": "SERVICE",
         "verdict": "UNUSED", "actions_granted": 400, "actions_used": 0, "folded": False},
        {"principal_id": "p1", "principal_arn": "arn:aws:iam::1:role/admin", "level": "ACTION",
         "verdict": "UNUSED", "actions_granted": 1, "actions_used": 0, "folded": True},
        {"principal_id": "p1", "principal_arn": "arn:aws:iam::1:role/admin", "level": "ACTION",
         "verdict": "USED", "actions_granted": 1, "actions_used": 1, "folded": False},
        {"principal_id": "p2", "principal_arn": None, "level": "IDENTITY",
         "verdict": "UNUSED", "actions_granted": 4, "actions_used": 0, "folded": None},
        {"principal_id": "p3", "principal_arn": "arn:aws:iam::1:user/old", "level": "ACTION",
         "verdict": "UNUSED", "actions_granted": None, "actions_used": None, "folded": None},
    ])
    counts = nb.unused_by_level_verdict(unused)
    assert counts.loc["ACTION"].to_dict() == {"UNUSED": 1, "USED": 1}
    assert counts.loc["SERVICE"].to_dict() == {"UNUSED": 1, "USED": 0}
    chart = nb.granted_vs_used(unused)
    assert chart.to_dict("records") == [
        {"principal": "admin", "actions_granted": 17000, "actions_used": 3},
        {"principal": "p2", "actions_granted": 4, "actions_used": 0},
    ]
    assert nb.granted_vs_used(unused.drop(columns=["actions_granted"])).empty
