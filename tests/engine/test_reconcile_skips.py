"""A position query that fails is skipped, never read as flat: nothing is flattened and nothing halts."""

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
