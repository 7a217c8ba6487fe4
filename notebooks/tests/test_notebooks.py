"""Each notebook, converted with jupytext and executed end to end with papermill against the fixture lake."""
from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

import agentlake_nb as nb
from conftest import DATES, NOTEBOOKS

FIGURES = ("score_distribution", "top_agents_factors", "score_trend", "orphans_by_reason", "unused_privileges",
           "granted_vs_used")


def execute(name: str, out_dir: Path, **parameters) -> Path:
    """``jupytext --to ipynb`` the notebook, then run it with papermill; a cell error raises."""
    ipynb = out_dir / f"{name}.ipynb"
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "--output", str(ipynb),
                    str(NOTEBOOKS / f"{name}.py")], check=True, capture_output=True)
    executed = out_dir / f"{name}.executed.ipynb"
    papermill.execute_notebook(str(ipynb), str(executed), parameters=parameters, kernel_name="python3",
                               cwd=str(out_dir), progress_bar=False, execution_timeout=300)
    return executed


def test_risk_review_executes_and_writes_every_figure(lake, kernel_env, tmp_path):
    figures = tmp_path / "figures"
    execute("risk_review", tmp_path, lake=str(lake), as_of="", output_dir=str(figures))
    for name in FIGURES:
        png = figures / f"{name}.png"
        assert png.is_file(), f"{name}.png was not written"
        assert png.stat().st_size > 1000, f"{name}.png is (nearly) empty"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("as_of", [DATES[0], ""])
def test_orphan_triage_writes_one_safe_row_per_orphaned_agent(lake, kernel_env, tmp_path, as_of):
    execute("orphan_triage", tmp_path, lake=str(lake), as_of=as_of, output_dir=str(tmp_path))
    day = dt.date.fromisoformat(as_of) if as_of else nb.latest_date(lake, "orphaned_agents")
    assert day.isoformat() == (as_of or DATES[-1])
    sheet = tmp_path / f"orphan_review_{day}.csv"
    assert sheet.is_file()
    with sheet.open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    expected = nb.read_gold(lake, "orphaned_agents", day, columns=["agent_id"])
    assert len(rows) == len(expected)
    assert sorted(r[header.index("agent_id")] for r in rows) == sorted(expected["agent_id"])
    assert {r[header.index("as_of_date")] for r in rows} <= {day.isoformat()}
    for row in [header, *rows]:
        assert len(row) == len(header)
        for cell in row:
            assert not cell.startswith(nb.FORMULA_PREFIXES), f"formula-like cell {cell!r}"
    assert (tmp_path / "orphan_triage_reasons.png").stat().st_size > 1000
