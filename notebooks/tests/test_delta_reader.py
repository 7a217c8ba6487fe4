"""The gold tables are readable without Spark: delta-rs sees exactly the rows Spark does."""
from __future__ import annotations

import csv
import io

import pytest
from deltalake import DeltaTable

import agentlake_nb as nb
from conftest import DATES, run_launcher


def spark_count(lake, table: str) -> int:
    out = run_launcher("sql", "--lake", str(lake), "--format", "csv", f"SELECT count(*) FROM gold.{table}").stdout
    rows = [r for r in csv.reader(io.StringIO(out)) if r]
    return int(rows[-1][0])


@pytest.mark.parametrize("table", nb.GOLD_TABLES)
def test_delta_rs_reads_every_gold_table_with_sparks_row_count(lake, table):
    delta = DeltaTable(nb.table_uri(lake, table))
    assert delta.protocol().min_reader_version == 1
    rows = delta.to_pyarrow_table().num_rows
    assert rows == spark_count(lake, table)
    assert rows > 0, f"gold.{table} is empty in the fixture lake"


def test_both_run_dates_are_in_the_lake(lake):
    assert [d.isoformat() for d in nb.available_dates(lake)] == list(DATES)
    assert nb.latest_date(lake).isoformat() == DATES[-1]
