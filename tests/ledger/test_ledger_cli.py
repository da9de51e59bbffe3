"""The ledger commands, text and JSON, run while an engine holds the writer lock."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledger_scenarios import to_state

from pyarb.cli import main
from pyarb.ledger import Ledger, LedgerReader

INCIDENT = Path(__file__).parent / "data" / "positions_incident.json"


@pytest.fixture
def engine(db_path):
    """A writer holding the lock, with a few trades, as a running engine would."""
    ledger = Ledger.open(db_path)
    for state in ("complete", "unfilled", "orphaned", "hedging"):
        to_state(ledger, state)
    yield ledger
    ledger.close()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_trades_newest_first_in_text_and_json(engine, db_path):
    text = run("trades", "--db", str(db_path))
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["ID", "KIND", "PAIR", "STATE"]
    assert [line.split()[0] for line in lines[1:]] == ["4", "3", "2", "1"]
    assert "0.0012 edgex" in lines[2]  # trade 3: the orphan's open exposure, and where
    data = json.loads(run("trades", "--db", str(db_path), "--json"))
    assert [(t["id"], t["state"]) for t in data] == [(4, "hedging"), (3, "orphaned"), (2, "unfilled"), (1, "complete")]
    assert data[1]["quantities"]["unhedged"] == "0.0012" and data[1]["quantities"]["exposure_venue"] == "edgex"
    assert data[1]["orders"][1]["filled"] == "0.0038"
    only = json.loads(run("trades", "--db", str(db_path), "--json", "--state", "orphaned"))
    assert [t["id"] for t in only] == [3]


def test_trade_shows_history_orders_and_fills(engine, db_path):
    text = run("trade", "3", "--db", str(db_path))
    assert "state orphaned (in flight)" in text
    assert "hedging -> orphaned  [orphan]  hedge budget spent" in text
    assert "hedge pa" in text and "filled 0.0038 of 0.005" in text
    data = json.loads(run("trade", "3", "--db", str(db_path), "--json"))
    assert [(h["from_state"], h["to_state"]) for h in data["transitions"]] == [
        (None, "pending"), ("pending", "leg_a_filled"), ("leg_a_filled", "hedging"), ("hedging", "orphaned")]
    assert set(data["order_events"]) == {o["client_id"] for o in data["orders"]}
    assert "complete" in run("trade", "1", "--db", str(db_path)).splitlines()[0]
    assert "no trade 99" in run("trade", "99", "--db", str(db_path), code=1)


def test_positions_json_has_exactly_the_venue_market_decimal_shape(engine, db_path):
    data = json.loads(run("positions", "--db", str(db_path), "--json"))
    # complete +0.005/-0.005, orphaned +0.005/-0.0038, hedging +0.005 (its hedge not yet answered)
    assert data == {"edgex": {"BTCUSD": "0.015"}, "paradex": {"BTC-USD-PERP": "-0.0088"}}
    text = run("positions", "--db", str(db_path))
    assert text.splitlines() == ["edgex BTCUSD 0.015", "paradex BTC-USD-PERP -0.0088"]


def test_positions_on_an_empty_ledger_lists_both_venues(db_path):
    Ledger.open(db_path).close()
    assert json.loads(run("positions", "--db", str(db_path), "--json")) == {"edgex": {}, "paradex": {}}


def test_backup_while_the_engine_writes(engine, db_path, tmp_path):
    dest = tmp_path / "backup.db"
    assert "backed up" in run("backup", str(dest), "--db", str(db_path))
    with LedgerReader.open_readonly(dest) as copy:
        assert len(copy.trades()) == 4
    assert "refusing to overwrite" in run("backup", str(dest), "--db", str(db_path), code=1)


def test_export_json_and_csv(engine, db_path, tmp_path):
    data = json.loads(run("export", "--format", "json", "--db", str(db_path)))
    assert len(data["trades"]) == 4 and len(data["transitions"]) == 4 + 2 + 4 + 3
    out = tmp_path / "orders.csv"
    run("export", "--format", "csv", "--table", "orders", "--db", str(db_path), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["role"] for r in rows if r["trade_id"] == "3"] == ["leg_a", "hedge"]
    trades_csv = list(csv.DictReader(io.StringIO(run("export", "--format", "csv", "--db", str(db_path)))))
    assert [r["state"] for r in trades_csv] == ["complete", "unfilled", "orphaned", "hedging"]


def test_import_legacy_then_positions(db_path):
    out = run("import-legacy", str(INCIDENT), "--db", str(db_path))
    assert "imported pos_1759631955273_z4zdnbxxc" in out and "3 imported" in out
    assert json.loads(run("positions", "--db", str(db_path), "--json")) == {
        "edgex": {"BTCUSD": "0.005"}, "paradex": {"BTC-USD-PERP": "-0.0038"}}
    again = run("import-legacy", str(INCIDENT), "--db", str(db_path))
    assert "0 imported, 3 already present" in again


def test_import_legacy_lists_what_it_cannot_interpret(db_path, tmp_path):
    src = tmp_path / "positions.json"
    src.write_text(json.dumps({"positions": [{"id": "pos_9", "edgexSide": "long", "amount": 1, "status": "open"}]}))
    out = run("import-legacy", str(src), "--db", str(db_path), code=1)
    assert "NOT imported record #0 (pos_9): edgexSide is not buy or sell" in out


def test_import_legacy_is_refused_while_an_engine_writes(engine, db_path):
    assert f"process {os.getpid()}" in run("import-legacy", str(INCIDENT), "--db", str(db_path), code=1)


def test_a_missing_ledger_is_an_error_not_a_new_file(tmp_path):
    missing = tmp_path / "nope.db"
    assert "no ledger at" in run("trades", "--db", str(missing), code=1)
    assert not missing.exists()


def test_default_db_is_pyarb_db_here_or_pyarb_db_env(tmp_path):
    ledger = Ledger.open(tmp_path / "pyarb.db")
    to_state(ledger, "complete")  # the engine keeps running while the command reads
    env = {k: v for k, v in os.environ.items() if k != "PYARB_DB"}
    here = subprocess.run([sys.executable, "-m", "pyarb", "positions", "--json"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert here.returncode == 0, here.stderr
    assert json.loads(here.stdout) == {"edgex": {"BTCUSD": "0.005"}, "paradex": {"BTC-USD-PERP": "-0.005"}}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env["PYARB_DB"] = str(tmp_path / "pyarb.db")
    by_env = subprocess.run([sys.executable, "-m", "pyarb", "trades", "--json"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=60)
    assert by_env.returncode == 0, by_env.stderr
    assert [t["state"] for t in json.loads(by_env.stdout)] == ["complete"]
    ledger.close()
