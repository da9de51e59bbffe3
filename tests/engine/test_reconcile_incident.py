"""Reconciliation against the incident's end state (issue 6): the ledger holds the imported open pair
``pos_1759631955273`` (EdgeX +0.005, Paradex -0.0038); the venues hold EdgeX +0.005 and Paradex -0.010."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from harness import Engine, Venues, post, pyarb, wait_for

LEGACY = Path(__file__).parents[1] / "ledger" / "data" / "positions_incident.json"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def incident(tmp_path: Path, venues: Venues, engine: Engine) -> tuple[Venues, Engine]:
    shutil.copy(LEGACY, tmp_path / "positions.json")
    pyarb("import-legacy", "positions.json", "--db", str(engine.db), cwd=tmp_path)
    post(venues.edgex.url, "/_sim/positions", {"BTCUSD": "0.005"})
    post(venues.paradex.url, "/_sim/positions", {"BTC-USD-PERP": "-0.010"})
    return venues, engine


def _reconcile(venues: Venues, engine: Engine, *extra: str):
    return pyarb("reconcile", "--edgex-url", venues.edgex.url, "--paradex-url", venues.paradex.url,
                 "--db", str(engine.db), *extra, cwd=engine.tmp, check=False)


def test_reconcile_reports_the_unexplained_paradex_short_apart_from_the_partial_hedge_residual(incident) -> None:
    venues, engine = incident
    result = _reconcile(venues, engine, "--json")
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    by_venue = {m["venue"]: m for m in report["markets"]}
    assert by_venue["paradex"]["expected"] == "-0.0038"
    assert by_venue["paradex"]["actual"] == "-0.01"
    assert by_venue["paradex"]["difference"] == "-0.0062"
    assert by_venue["paradex"]["status"] == "mismatch"
    assert by_venue["edgex"]["status"] == "match"
    assert any(c["source"] == "legacy" for c in by_venue["paradex"]["contributions"])
    (residual,) = report["residuals"]
    assert residual["legacy_id"].startswith("pos_1759631955273")
    assert (residual["venue"], residual["quantity"]) == ("edgex", "0.0012")

    text = _reconcile(venues, engine)
    assert text.returncode == 3
    assert "-0.0062 unexplained" in text.stdout


def test_the_engine_refuses_to_open_on_top_of_a_mismatch(incident) -> None:
    venues, engine = incident
    venues.dislocate()
    engine.start()
    status = wait_for(lambda: (s := engine.status())["halt"] and s, what="the reconciliation halt")
    assert status["halt"]["source"] == "reconcile"
    assert "-0.0062 unexplained" in status["halt"]["reason"]
    wait_for(lambda: engine.status()["engine"]["opportunities"] > 20, what="opportunities while halted")
    assert engine.trades() == []
    assert engine.stop() == 0
    assert any(line.get("alert") == "reconcile_mismatch" for line in engine.log_lines())


def test_auto_flatten_brings_both_venues_to_the_ledger_and_records_how(incident) -> None:
    venues, engine = incident
    # keep the imported pair open (it is older than any holding limit) to compare positions
    engine.config.write_text(engine.config.read_text().replace("[reconcile]\n", "[reconcile]\nauto_flatten = true\n")
                             .replace("[risk]\n", "[risk]\nmax_hold_s = 1e12\n")
                             .replace("[strategy]\n", "[strategy]\nexit_edge_bps = 10000\n"))
    engine.start()
    trade = engine.first_trade_done()
    wait_for(lambda: not engine.status()["halt"], what="the halt to clear once the venues match")
    assert engine.stop() == 0

    assert trade["kind"] == "flatten" and trade["state"] == "flattened"
    assert all(o["reduce_only"] and o["side"] == "buy" and o["venue"] == "paradex" for o in trade["orders"])
    assert venues.positions() == (Decimal("0.005"), Decimal("-0.0038"))
    positions = json.loads(pyarb("positions", "--db", str(engine.db), "--json", cwd=engine.tmp).stdout)
    assert positions == {"edgex": {"BTCUSD": "0.005"}, "paradex": {"BTC-USD-PERP": "-0.0038"}}
    assert _reconcile(venues, engine).returncode == 0


def test_adopt_records_the_venues_positions_as_an_audited_adjustment(incident) -> None:
    venues, engine = incident
    adopted = _reconcile(venues, engine, "--adopt")
    assert adopted.returncode == 0, adopted.stderr
    assert _reconcile(venues, engine).returncode == 0
    export = json.loads(pyarb("export", "--format", "json", "--db", str(engine.db), cwd=engine.tmp).stdout)
    (adjustment,) = export["adjustments"]
    assert (adjustment["venue"], adjustment["quantity"]) == ("paradex", "-0.0062")
    assert "reconcile --adopt" in adjustment["reason"]


def test_fills_the_ledger_does_not_know_are_listed_as_external(incident) -> None:
    import asyncio

    from pyarb.model import OrderFinal, OrderRequest, Side
    from pyarb.sim.edgex import SIM_CREDENTIALS
    from pyarb.venues.edgex import EdgexClient

    venues, engine = incident

    async def trade_by_hand() -> None:
        client = EdgexClient(SIM_CREDENTIALS, venues.edgex.url)
        await client.start()
        try:
            await client.place_order(OrderRequest("by-hand-1", "BTCUSD", Side.BUY, Decimal("0.002"), Decimal("200000")))
            assert isinstance(await client.await_final("by-hand-1", "BTCUSD", 5), OrderFinal)
        finally:
            await client.close()

    asyncio.run(trade_by_hand())
    report = json.loads(_reconcile(venues, engine, "--json").stdout)
    (external,) = report["external_fills"]["edgex"]
    assert (external["side"], external["size"]) == ("buy", "0.002")
    assert report["external_fills"].get("paradex") is None
    by_venue = {m["venue"]: m for m in report["markets"]}
    assert by_venue["edgex"]["difference"] == "0.002"
