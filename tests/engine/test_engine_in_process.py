"""The engine in-process against quiet fake venues: a failed position query is skipped, never read as flat;
the daily loss limit alerts and refuses new pairs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path

from pyarb.alerts import Alerts
from pyarb.config import load
from pyarb.engine.engine import Engine
from pyarb.engine.reconcile import compare
from pyarb.ledger import Ledger
from pyarb.metrics import Metrics
from pyarb.model import MarketSpec
from pyarb.venues.base import Positions, Unknown

SPECS = {"edgex": MarketSpec("BTCUSD", D("0.1"), D("0.001"), D("0.001"), D("50"), D("0.00038")),
         "paradex": MarketSpec("BTC-USD-PERP", D("0.1"), D("0.00001"), D("0.0009"), D("10"), D("0.0002"))}


class QuietVenue:
    """A venue that is connected but whose position query fails (or reports ``held``)."""

    def __init__(self, name: str, held: D | None) -> None:
        self.name = name
        self.held = held

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    def market_spec(self, market: str) -> MarketSpec:
        return SPECS[self.name]

    async def book_frames(self, market: str) -> AsyncIterator[bytes]:
        await asyncio.Event().wait()
        yield b""

    async def positions(self) -> Positions | Unknown:
        if self.held is None:
            return Unknown("connection reset by peer")
        return Positions({SPECS[self.name].market: self.held}, 0)

    def streamed_positions(self) -> None:
        return None


def test_compare_skips_a_venue_that_could_not_be_asked() -> None:
    checks, skipped = compare({"paradex": {"BTC-USD-PERP": D("-0.0038")}},
                              {"edgex": Positions({"BTCUSD": D(0)}, 0), "paradex": Unknown("timeout")},
                              {"edgex": ("BTCUSD",), "paradex": ("BTC-USD-PERP",)},
                              {"edgex": D("0.001"), "paradex": D("0.00001")})
    assert skipped == {"paradex": "timeout"}
    by_venue = {c.venue: c for c in checks}
    assert by_venue["paradex"].actual is None and by_venue["paradex"].matches is None
    assert by_venue["edgex"].matches is True


async def test_a_failed_position_query_flattens_nothing_and_does_not_halt(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.db")
    ledger.add_adjustment("paradex", "BTC-USD-PERP", D("-0.0038"), "an expected short the venue cannot confirm")
    config = load(None, {"reconcile": {"auto_flatten": True}})
    venues = {"edgex": QuietVenue("edgex", D(0)), "paradex": QuietVenue("paradex", None)}
    engine = Engine(config, ledger, venues, markets={"edgex": "BTCUSD", "paradex": "BTC-USD-PERP"},
                    alerts=Alerts([]), metrics=Metrics())
    try:
        await engine.start()
        result = await engine._reconcile("test")
        assert result.ok and result.skipped == {"paradex": "connection reset by peer"}
        assert ledger.trades() == [] and engine.halt is None
    finally:
        ledger.close()


async def test_the_daily_loss_limit_alerts_and_refuses_new_pairs(tmp_path: Path) -> None:
    from pyarb.ledger import NewOrder
    from pyarb.model import OrderFinal, Side
    from pyarb.trade import Leg

    ledger = Ledger.open(tmp_path / "ledger.db")
    edgex, paradex = ("edgex", "BTCUSD"), ("paradex", "BTC-USD-PERP")
    one, fee = D("0.01"), D("0.1")

    def trade(kind: str, a_side: Side, a_price: str, b_price: str, pair_id: int | None = None) -> int:
        t = ledger.create_trade(kind, Leg(*edgex, a_side), Leg(*paradex, a_side.opposite), one, D(a_price),
                                pair_id=pair_id)
        t = ledger.transition(t.id, ("fill_leg_a", "hedge"), "filled",
                              order_updates=[OrderFinal(t.orders[0].client_id, one, D(a_price), fee)],
                              new_order=NewOrder(one, D(b_price)))
        t = ledger.transition(t.id, "complete", "hedged",
                              order_updates=[OrderFinal(t.orders[-1].client_id, one, D(b_price), fee)])
        return t.pair_id

    pair = trade("open", Side.BUY, "100000", "100000")
    trade("close", Side.SELL, "90000", "100100", pair_id=pair)  # a 101 USD loss on 0.01 BTC, plus fees
    alerts = Alerts([])
    config = load(None, {"risk": {"daily_loss_limit_usd": "100"}})
    venues = {"edgex": QuietVenue("edgex", D(0)), "paradex": QuietVenue("paradex", D(0))}
    engine = Engine(config, ledger, venues, markets={"edgex": "BTCUSD", "paradex": "BTC-USD-PERP"},
                    alerts=alerts, metrics=Metrics())
    try:
        await engine.start()
        assert [a.kind for a in alerts.raised] == ["daily_loss_limit"]
        state = engine._risk_state(0.0)
        assert state.pnl_today_usd <= D("-100")
        engine._refresh_pnl("2099-01-01")  # a UTC day with no trades starts from zero
        assert engine._risk_state(0.0).pnl_today_usd == 0
        control = asyncio.create_task(engine._control())  # which notices the day is not today's
        await asyncio.sleep(0.05)
        control.cancel()
        assert engine._memory.pnl_day != "2099-01-01" and engine._risk_state(0.0).pnl_today_usd <= D("-100")
    finally:
        ledger.close()
