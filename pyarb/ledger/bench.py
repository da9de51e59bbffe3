"""The cost of one durable transition commit, for ``scripts/bench_latency.py``.

Drives real trades through the ledger (create, leg A's answer with the hedge order, the hedge's answer with
completion) and times each commit; a bare fsync on the same disk is measured beside it for scale.
Run alone: ``python -m pyarb.ledger.bench``.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from pyarb.ledger.store import Ledger, NewOrder
from pyarb.model import OrderFinal, Side
from pyarb.trade import Leg

_A = Leg("edgex", "BTCUSD", Side.BUY)
_B = Leg("paradex", "BTC-USD-PERP", Side.SELL)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _fsync_us(directory: Path, n: int) -> list[float]:
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    out = []
    try:
        for i in range(n):
            os.pwrite(fd, b"x" * 512, (i % 8) * 4096)
            t = time.perf_counter_ns()
            os.fsync(fd)
            out.append((time.perf_counter_ns() - t) / 1000)
    finally:
        os.close(fd)
    return out


def ledger_commit_latency(trades: int = 400, directory: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """p50 and p99 in µs of one durable transition commit (WAL, synchronous=FULL), over ``3 * trades``
    commits; also the p50 of a bare fsync measured beside it."""
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        ledger = Ledger.open(Path(tmp) / "bench.db")
        size, price = Decimal("0.005"), Decimal("100000")
        samples: list[float] = []
        try:
            for _ in range(trades):
                t0 = time.perf_counter_ns()
                trade = ledger.create_trade("open", _A, _B, size, price)
                t1 = time.perf_counter_ns()
                a = trade.orders[0].client_id
                trade = ledger.transition(trade.id, ("fill_leg_a", "hedge"), "leg A filled",
                                          order_updates=[OrderFinal(a, size, price, Decimal("0.19"))],
                                          new_order=NewOrder(size, price))
                t2 = time.perf_counter_ns()
                b = trade.orders[-1].client_id
                ledger.transition(trade.id, "complete", "hedge filled",
                                  order_updates=[OrderFinal(b, size, price, Decimal("0.19"))])
                t3 = time.perf_counter_ns()
                samples += [(t1 - t0) / 1000, (t2 - t1) / 1000, (t3 - t2) / 1000]
        finally:
            ledger.close()
        fsync = _fsync_us(Path(tmp), 300)
    return {
        "ledger_commit_p50_us": round(statistics.median(samples), 1),
        "ledger_commit_p99_us": round(_pct(samples, 99), 1),
        "ledger_fsync_p50_us": round(statistics.median(fsync), 1),
    }


if __name__ == "__main__":
    print(json.dumps(ledger_commit_latency()))
