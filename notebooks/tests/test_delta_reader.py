"""The gold tables are readable without Spark: delta-rs sees exactly the rows Spark does."""
from __future__ import annotations

import csv
import io

import pytest
from deltalake import DeltaTable

import agentlake_nb as nb
from conftest import DATES, run_launcher


@pytest.fixture(scope="module")
def spark_counts(lake) -> dict[str, int]:
    """Every gold table's row count as Spark sees it, in one launcher call (one JVM start)."""
    query = " UNION ALL ".join(
        f"SELECT '{table}' AS name, count(*) AS n FROM gold.{table}" for table in nb.GOLD_TABLES
    )
    out = run_launcher("sql", "--lake", str(lake), "--format", "csv", query).stdout
    rows = [r for r in csv.reader(io.StringIO(out)) if len(r) == 2 and r[0] in nb.GOLD_TABLES]
    return {name: int(n) for name, n in rows}


@pytest.mark.parametrize("table", nb.GOLD_TABLES)
def test_delta_rs_reads_every_gold_table_with_sparks_row_count(lake, spark_counts, table):
    delta = DeltaTable(nb.table_uri(lake, table))
    assert delta.protocol().min_reader_version == 1
    rows = delta.to_pyarrow_table().num_rows
    assert rows == spark_counts[table]
    assert rows > 0, f"gold.{table} is empty in the fixture lake"


def test_both_run_dates_are_in_the_lake(lake):
    assert [d.isoformat() for d in nb.available_dates(lake)] == list(DATES)
    assert nb.latest_date(lake).isoformat() == DATES[-1]
