"""Ledger growth benchmark: what the engine's per-trade ledger calls cost as history grows.

After every trade that ends, the engine calls ``open_pairs()``, ``trade(id)`` for each open pair's trades,
``expected_positions()`` and ``daily_pnl(today)``; reconciliation adds ``position_contributions()``,
its pairs' residuals (``pyarb.engine.reconcile.residuals``) and ``knows_client_id()``; ``pyarb positions`` reads
``residuals()``. This builds a ledger of simulated history (``synchronous=OFF``,
so that the figures are the queries' own cost, not fsyncs) and times each call, median and p99, at each size.
It also times one transition commit (CPU only, no fsync) to show what keeping the open state current costs.

History: pairs opened and closed by complete trades, with an orphan unwound every 10th open, a residual
every 25th, a flatten trade every 50th, an adjustment every 100th; two pairs stay open at each measurement.
A simulated clock advances so that each UTC day holds ``--per-day`` trades (months of trading at 5,000).

    python scripts/bench_ledger_growth.py [--sizes 200,5000] [--per-day 100] [--reps 30] [--json]

Nothing is asserted: this prints figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from unittest import mock

from pyarb.engine.reconcile import residuals as pair_residuals
from pyarb.ledger import Ledger, NewOrder, store
from pyarb.model import BTC_PERP, OrderFinal, Side
from pyarb.trade import Leg, Trade

EDGEX, PARADEX = BTC_PERP["edgex"], BTC_PERP["paradex"]
SIZE = D("0.005")
FEE = D("0.02")


class Clock:
    """UTC time that moves on by a fixed step per trade, so history spans days."""

    def __init__(self, per_day: int) -> None:
        self.t = datetime(2025, 1, 1, tzinfo=UTC)
        self.step = timedelta(days=1) / (per_day * 4)  # about four commits per trade

    def __call__(self) -> str:
        self.t += self.step
        return self.t.isoformat(timespec="microseconds")

    @property
    def day(self) -> str:
        return self.t.date().isoformat()


def _final(order: Any, filled: D, price: D) -> OrderFinal:
    return OrderFinal(order.client_id, filled, price if filled else None, FEE if filled else D(0), "FILLED")


class History:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.opens = 0
        self.open_pairs: list[int] = []
        self.commit_s: list[float] = []

    def _timed(self, call: Callable[[], Trade]) -> Trade:
        started = time.perf_counter()
        trade = call()
        self.commit_s.append(time.perf_counter() - started)
        return trade

    def _two_legs(self, kind: str, a: Leg, b: Leg, price_a: D, price_b: D, pair_id: int | None,
                  size: D = SIZE, hedge: D = SIZE) -> Trade:
        led = self.ledger
        t = self._timed(lambda: led.create_trade(kind, a, b, size, price_a, pair_id=pair_id))
        t = self._timed(lambda: led.transition(t.id, ("fill_leg_a", "hedge"), "leg A filled",
                                               order_updates=[_final(t.orders[0], size, price_a)],
                                               new_order=NewOrder(size, price_b)))
        if hedge == size:
            return self._timed(lambda: led.transition(t.id, "complete", "hedged",
                                                      order_updates=[_final(t.orders[-1], size, price_b)]))
        t = self._timed(lambda: led.transition(t.id, "orphan", "hedge budget spent",
                                               order_updates=[_final(t.orders[-1], hedge, price_b)]))
        t = self._timed(lambda: led.transition(t.id, "unwind", "unwind", new_order=NewOrder(SIZE - hedge, price_a)))
        if self.opens % 25 == 0:  # unwound short of the minimum order: a residual stays
            return self._timed(lambda: led.transition(t.id, "leave_residual", "below the minimum",
                                                      order_updates=[_final(t.orders[-1], D("0.0005"), price_a)]))
        return self._timed(lambda: led.transition(t.id, "flatten", "venue flat",
                                                  order_updates=[_final(t.orders[-1], SIZE - hedge, price_a)]))

    def open(self) -> None:
        self.opens += 1
        price = D(120000 + self.opens % 500)
        hedge = D("0.0038") if self.opens % 10 == 0 else SIZE
        t = self._two_legs("open", Leg("edgex", EDGEX, Side.BUY), Leg("paradex", PARADEX, Side.SELL),
                           price, price + 30, None, SIZE, hedge)
        self.open_pairs.append(t.pair_id)

    def close(self) -> None:
        pair = self.ledger.pair(self.open_pairs.pop(0))
        held = -pair.positions["paradex"][PARADEX]  # what was hedged: all of leg A, or less for an orphan
        price = D(120010 + self.opens % 500)
        self._two_legs("close", Leg("edgex", EDGEX, Side.SELL), Leg("paradex", PARADEX, Side.BUY),
                       price, price + 10, pair.id, held, held)

    def flatten(self) -> None:
        led = self.ledger
        t = self._timed(lambda: led.create_flatten("paradex", PARADEX, D("-0.001"), "unexplained"))
        t = self._timed(lambda: led.transition(t.id, "unwind", "flatten", new_order=NewOrder(D("0.001"), D(120100))))
        self._timed(lambda: led.transition(t.id, "flatten", "flat",
                                           order_updates=[_final(t.orders[-1], D("0.001"), D(120090))]))

    def grow_to(self, trades: int) -> None:
        while self._count() < trades:
            self.open()
            if self.opens % 50 == 0:
                self.flatten()
            if self.opens % 100 == 0:
                self.ledger.add_adjustment("edgex", EDGEX, D("0.001"), "reconcile --adopt")
            while len(self.open_pairs) > 2:
                self.close()

    def _count(self) -> int:
        return self.ledger.conn.execute("SELECT COUNT(*) FROM trades").fetchone()[0]


def _time(call: Callable[[], Any], reps: int) -> tuple[float, float]:
    call()  # warm the page cache
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e3


def _engine_refresh(ledger: Ledger, day: str) -> None:
    """What the engine's ``_refresh_memory`` asks the ledger after a trade ends."""
    for p in ledger.open_pairs():
        for tid in p.trade_ids:
            ledger.trade(tid)
    ledger.expected_positions()
    ledger.daily_pnl(day)


def measure(ledger: Ledger, clock: Clock, reps: int) -> dict[str, tuple[float, float]]:
    known = ledger.trades(limit=1)[0].orders[0].client_id
    calls: dict[str, Callable[[], Any]] = {
        "open_pairs": ledger.open_pairs,
        "trade_of_open_pairs": lambda: [ledger.trade(t) for p in ledger.open_pairs() for t in p.trade_ids],
        "expected_positions": ledger.expected_positions,
        "daily_pnl": lambda: ledger.daily_pnl(clock.day),
        "position_contributions": ledger.position_contributions,
        "residuals": ledger.residuals,
        "reconcile_residuals": lambda: pair_residuals(ledger),
        "knows_client_id": lambda: ledger.knows_client_id(known),
        "engine_refresh": lambda: _engine_refresh(ledger, clock.day),
    }
    return {name: _time(call, reps) for name, call in calls.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,5000", help="history sizes, in trades (ascending)")
    parser.add_argument("--per-day", type=int, default=100, help="trades per simulated UTC day")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    logging.getLogger("pyarb").setLevel(logging.ERROR)  # the simulated orphans' warnings are not news here
    sizes = [int(s) for s in args.sizes.split(",")]
    clock = Clock(args.per_day)
    results: dict[str, Any] = {"per_day": args.per_day, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(store, "_now", clock):
        ledger = Ledger.open(Path(tmp) / "bench.db", synchronous="OFF")
        history = History(ledger)
        try:
            for size in sizes:
                history.commit_s.clear()
                history.grow_to(size)
                figures = measure(ledger, clock, args.reps)
                commits = sorted(history.commit_s[-400:])
                figures["transition_commit"] = (statistics.median(commits) * 1e3,
                                                commits[int(len(commits) * 0.99)] * 1e3)
                results["sizes"][size] = {name: {"p50_ms": round(p50, 3), "p99_ms": round(p99, 3)}
                                          for name, (p50, p99) in figures.items()}
        finally:
            ledger.close()
    names = list(next(iter(results["sizes"].values())))
    header = f"{'call':<24}" + "".join(f"{f'{s} trades p50 / p99 ms':>28}" for s in sizes)
    print(f"ledger calls by history size (synchronous=OFF, {args.per_day} trades per UTC day, {args.reps} reps)")
    print(header)
    for name in names:
        row = "".join(f"{results['sizes'][s][name]['p50_ms']:>16.3f} / {results['sizes'][s][name]['p99_ms']:<9.3f}"
                      for s in sizes)
        print(f"{name:<24}{row}")
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(f"growth {first} -> {last} trades (p50 ratio): " + ", ".join(
            f"{n} x{results['sizes'][last][n]['p50_ms'] / max(results['sizes'][first][n]['p50_ms'], 1e-6):.1f}"
            for n in names))
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
