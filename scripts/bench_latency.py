"""Latency benchmark: the Rust hot path against the pure-Python reference, side by side in one run.

Each section function adds its figures to one results dict; the table is printed at the end, and
with ``--json`` the last line of output is that dict as one JSON object.

    python scripts/bench_latency.py [--frames N] [--seed S] [--json]

Books: deterministic streams in both venues' real websocket formats (EdgeX ``quote-event`` depth
frames, Paradex JSON-RPC ``order_book`` notifications), 50 levels a side around 122,000 USD on a 0.1
tick, deltas touching 1-3 levels, fed one frame per Python call, opportunity read included. Each
path runs several rounds over the same stream; the round with the lowest median is reported.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import orjson

from pyarb.books import Books
from pyarb.model import MarketSpec
from pyarb.reference import ReferenceBooks

Results = dict[str, Any]

EDGEX = MarketSpec("BTCUSD", Decimal("0.1"), Decimal("0.001"), Decimal("0.001"), Decimal("50"), Decimal("0.00038"))
PARADEX = MarketSpec(
    "BTC-USD-PERP", Decimal("0.1"), Decimal("0.00001"), Decimal("0.0001"), Decimal("100"), Decimal("0.0002")
)
LEVELS = 50  # per side
SLOTS = 60  # price slots per side that the levels wander over
MID = 1_220_000  # 122,000.0 in ticks
# Paradex trades 85 USD above EdgeX: after 5.8 bps of fees and a 1 bp minimum, buying EdgeX and
# selling Paradex pays for the first few levels, so most frames end in a walked opportunity.
PARADEX_OFFSET = 850
BOOKS_CONFIG = {"min_edge_bps": Decimal("1"), "max_size": Decimal("1"), "max_age_ms": 10_000}


# --- streams ----------------------------------------------------------------------------------------------


class VenueStream:
    """One venue's book as the venue sees it, producing frames in that venue's format."""

    def __init__(self, venue: str, rng: random.Random, mid: int, size_decimals: int) -> None:
        self.venue, self.rng, self.size_decimals = venue, rng, size_decimals
        self.slots = {
            "bid": [mid - k for k in range(1, SLOTS + 1)],
            "ask": [mid + k for k in range(1, SLOTS + 1)],
        }
        self.book: dict[str, dict[int, str]] = {
            side: {p: self.size() for p in rng.sample(slots, LEVELS)} for side, slots in self.slots.items()
        }
        self.version = 1000

    def size(self) -> str:
        units = self.rng.randint(1, 500 * 10 ** (self.size_decimals - 3))
        return f"{units / 10**self.size_decimals:.{self.size_decimals}f}"

    def delta(self) -> list[tuple[str, int, str]]:
        """1-3 level changes: new sizes, or a level leaving and another arriving (size "0" removes)."""
        changes: list[tuple[str, int, str]] = []
        while len(changes) < self.rng.randint(1, 3):
            side = self.rng.choice(("bid", "ask"))
            levels = self.book[side]
            if self.rng.random() < 0.7 or len(changes) == 2:
                price = self.rng.choice(list(levels))
                levels[price] = self.size()
                changes.append((side, price, levels[price]))
            else:
                gone = self.rng.choice(list(levels))
                new = self.rng.choice([p for p in self.slots[side] if p not in levels])
                del levels[gone]
                levels[new] = self.size()
                changes += [(side, gone, "0"), (side, new, levels[new])]
        return changes

    def snapshot_frame(self) -> bytes:
        self.version += 1
        changes = [(side, p, s) for side, levels in self.book.items() for p, s in levels.items()]
        return self.frame(changes, snapshot=True)

    def delta_frame(self) -> bytes:
        self.version += 1
        return self.frame(self.delta(), snapshot=False)

    def frame(self, changes: list[tuple[str, int, str]], snapshot: bool) -> bytes:
        def price(p: int) -> str:
            return f"{p // 10}.{p % 10}"

        if self.venue == "edgex":
            kind = "Snapshot" if snapshot else "Changed"
            by_side = {
                side: [{"price": price(p), "size": s} for sd, p, s in changes if sd == side] for side in ("ask", "bid")
            }
            channel = "depth.10000001.200"
            data = {
                "startVersion": str(self.version),
                "endVersion": str(self.version),
                "level": 200,
                "contractId": "10000001",
                "contractName": "BTCUSD",
                "asks": by_side["ask"],
                "bids": by_side["bid"],
                "depthType": kind.upper(),
            }
            msg: dict[str, Any] = {
                "type": "quote-event",
                "channel": channel,
                "content": {"channel": channel, "dataType": kind, "data": [data]},
            }
        else:
            rows: dict[str, list[dict[str, str]]] = {"inserts": [], "updates": [], "deletes": []}
            for side, p, s in changes:
                key = "inserts" if snapshot else ("deletes" if s == "0" else "updates")
                rows[key].append({"side": "BUY" if side == "bid" else "SELL", "price": price(p), "size": s})
            msg = {
                "jsonrpc": "2.0",
                "method": "subscription",
                "params": {
                    "channel": "order_book.BTC-USD-PERP.deltas",
                    "data": {
                        "seq_no": self.version,
                        "market": "BTC-USD-PERP",
                        "last_updated_at": 1_760_000_000_000 + self.version,
                        "update_type": "s" if snapshot else "d",
                        **rows,
                    },
                },
            }
        return orjson.dumps(msg)


def streams(seed: int) -> tuple[VenueStream, VenueStream]:
    rng = random.Random(seed)
    return VenueStream("edgex", rng, MID, 3), VenueStream("paradex", rng, MID + PARADEX_OFFSET, 5)


def delta_stream(seed: int, frames: int) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """Both venues' opening snapshots, then `frames` deltas from a random venue each."""
    edgex, paradex = streams(seed)
    rng = random.Random(seed + 1)
    opening = [("edgex", edgex.snapshot_frame()), ("paradex", paradex.snapshot_frame())]
    deltas = [(s.venue, s.delta_frame()) for s in (rng.choice((edgex, paradex)) for _ in range(frames))]
    return opening, deltas


# --- timing -----------------------------------------------------------------------------------------------


def percentile(samples: list[int], q: float) -> int:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timer_overhead_ns(n: int = 20_000) -> int:
    """The median cost of an empty timed region: subtracted from every figure below."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(n):
        t0 = clock()
        samples.append(clock() - t0)
    return percentile(samples, 0.5)


def time_frames(books: Any, frames: list[tuple[str, bytes]], start_ms: int) -> list[int]:
    """Nanoseconds per frame: one on_frame call, plus reading the opportunity as the engine does."""
    clock = time.perf_counter_ns
    samples = []
    for i, (venue, frame) in enumerate(frames):
        t0 = clock()
        _ = books.on_frame(venue, frame, start_ms + i).opportunity
        samples.append(clock() - t0)
    return samples


def best_round(rounds: int, run: Callable[[], list[int]], overhead: int) -> tuple[int, int]:
    """(p50, p99) of the round with the lowest median: the machine is shared, and other processes
    only ever add time."""
    figures = []
    for _ in range(rounds):
        samples = run()
        figures.append((percentile(samples, 0.50) - overhead, percentile(samples, 0.99) - overhead))
    return min(figures)


def new_books(kind: Callable[..., Any]) -> Any:
    return kind(EDGEX, PARADEX, **BOOKS_CONFIG)


# --- sections ---------------------------------------------------------------------------------------------


def section_books(results: Results, args: argparse.Namespace) -> None:
    opening, deltas = delta_stream(args.seed, args.frames)
    check_same_results(deltas, opening)
    edgex, paradex = streams(args.seed)
    snapshots = [(s.venue, s.snapshot_frame()) for _ in range(500) for s in (edgex, paradex)]
    overhead = timer_overhead_ns()

    def run_deltas(kind: Callable[..., Any]) -> list[int]:
        books = new_books(kind)
        for venue, frame in opening:
            books.on_frame(venue, frame, 0)
        return time_frames(books, deltas, 1)

    def run_snapshots(kind: Callable[..., Any]) -> list[int]:
        return time_frames(new_books(kind), snapshots, 0)

    results["frames"] = len(deltas)
    results["timer_overhead_ns"] = overhead
    paths = (("rust", Books, 5), ("python", ReferenceBooks, 2))  # (name, books, rounds)
    for name, kind, rounds in paths:
        results[f"{name}_p50_ns"], results[f"{name}_p99_ns"] = best_round(rounds, partial(run_deltas, kind), overhead)
    results["speedup_p50"] = round(results["python_p50_ns"] / results["rust_p50_ns"], 1)
    for name, kind, rounds in paths:
        results[f"snapshot_{name}_p50_ns"] = best_round(rounds, partial(run_snapshots, kind), overhead)[0]


def check_same_results(deltas: list[tuple[str, bytes]], opening: list[tuple[str, bytes]]) -> None:
    """The benchmark is only meaningful if both paths compute the same thing."""
    rust, python = new_books(Books), new_books(ReferenceBooks)
    opportunities = 0
    for i, (venue, frame) in enumerate(opening + deltas[:2000]):
        r, p = rust.on_frame(venue, frame, i), python.on_frame(venue, frame, i)
        r_opp, p_opp = r.opportunity, p.opportunity
        assert (r.kind, r.best_bid, r.best_ask) == (p.kind, p.best_bid, p.best_ask), (r, p)
        assert (r_opp is None) == (p_opp is None) and (r_opp is None or r_opp.size == p_opp.size), (r, p)
        opportunities += r_opp is not None
    assert opportunities, "the stream should produce opportunities"


def section_signing(results: Results, args: argparse.Namespace) -> None:
    """One order signed per call through the typed facade, signer built once (as the clients do)."""
    from pyarb import signing
    from pyarb.model import Side
    from pyarb.secrets import Secret

    paradex = signing.ParadexSigner(Secret("0x1234567"), "0x1234", "PRIVATE_SN_PARACLEAR_MAINNET")
    edgex = signing.EdgexSigner(Secret("0x" + "11" * 32), account_id=12345, chain_id=1,
                                verifying_contract="0x" + "11" * 20, contract_id="10000001",
                                collateral_coin_id="1000", synthetic_resolution=10**9, collateral_resolution=10**6,
                                fee_rate=Decimal("0.00038"))
    size, price = Decimal("0.005"), Decimal("122384.5")
    orders = {
        "paradex": lambda i: paradex.sign_order(timestamp_ms=1_700_000_000_000 + i, market="BTC-USD-PERP",
                                                side=Side.BUY, size=size, price=price),
        "edgex": lambda i: edgex.sign_order(side=Side.SELL, size=size, price=price, client_order_id=f"arb-{i}",
                                            expire_time_ms=1_800_000_000_000),
    }
    for venue, sign in orders.items():
        samples = []
        for i in range(args.signatures):
            t0 = time.perf_counter_ns()
            sign(i)
            samples.append(time.perf_counter_ns() - t0)
        results[f"sign_{venue}_p50_us"] = round(percentile(samples, 0.5) / 1000, 1)


def section_ledger(results: Results, args: argparse.Namespace) -> None:
    """Each durable commit of real trades (create; leg A's fill with the hedge order; completion), WAL and
    synchronous=FULL, in steady state: timed after a first checkpoint cycle, while the WAL file is being
    reused rather than grown (growing it costs a long-running engine nothing). A bare fsync on the same disk
    beside it, for scale."""
    import os
    import tempfile
    from pathlib import Path

    from pyarb.ledger import Ledger, NewOrder
    from pyarb.model import OrderFinal, Side
    from pyarb.trade import Leg

    leg_a, leg_b = Leg("edgex", "BTCUSD", Side.BUY), Leg("paradex", "BTC-USD-PERP", Side.SELL)
    size, price, fee = Decimal("0.005"), Decimal("122000"), Decimal("0.19")
    commits: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger.open(Path(tmp) / "bench.db")
        warmup = 120  # trades: 360 commits, past the first checkpoint (every 256 commits)
        ledger.commit_observer = lambda seconds: commits.append(int(seconds * 1e9))
        try:
            for n in range(warmup + args.commits):
                if n == warmup:
                    commits.clear()
                trade = ledger.create_trade("open", leg_a, leg_b, size, price)
                trade = ledger.transition(trade.id, ("fill_leg_a", "hedge"), "leg A filled",
                                          order_updates=[OrderFinal(trade.orders[0].client_id, size, price, fee)],
                                          new_order=NewOrder(size, price))
                ledger.transition(trade.id, "complete", "hedge filled",
                                  order_updates=[OrderFinal(trade.orders[-1].client_id, size, price, fee)])
        finally:
            ledger.close()
        fd = os.open(Path(tmp) / "fsync.probe", os.O_RDWR | os.O_CREAT, 0o644)
        fsyncs = []
        try:
            for i in range(300):
                os.pwrite(fd, b"x" * 512, (i % 8) * 4096)
                t0 = time.perf_counter_ns()
                os.fsync(fd)
                fsyncs.append(time.perf_counter_ns() - t0)
        finally:
            os.close(fd)
    results["ledger_commit_p50_us"] = round(percentile(commits, 0.5) / 1000, 1)
    results["ledger_commit_p99_us"] = round(percentile(commits, 0.99) / 1000, 1)
    results["ledger_fsync_p50_us"] = round(percentile(fsyncs, 0.5) / 1000, 1)


class WireClock:
    """When each order's bytes went on the wire: the moment the engine's event loop hands a request that
    carries a client order id to the socket. Installed for the benchmark only."""

    def __init__(self) -> None:
        import asyncio.selector_events
        import re

        self.sent: dict[str, int] = {}
        self._pattern = re.compile(rb"(pa[0-9a-f]{6}-\d+-[abu]\d+)")
        transport = asyncio.selector_events._SelectorSocketTransport
        original = transport.write
        clock = self

        def write(self: Any, data: Any) -> None:
            now = time.monotonic_ns()
            original(self, data)
            found = clock._pattern.search(bytes(data))
            if found:
                clock.sent.setdefault(found.group(1).decode(), now)

        transport.write = write


def section_engine(results: Results, args: argparse.Namespace) -> None:
    """The engine against two simulator processes, a dislocation pinned so that it opens and closes pairs back
    to back. For each trade's leg A: from the opportunity (the moment the books returned it) to the order's
    bytes on the wire; for its first hedge: from leg A's final answer to the hedge's bytes on the wire. Both
    include the durable commit and the signing. The venue's reading of the request (the simulator stamps
    its arrival with the same monotonic clock) is reported beside them."""
    import asyncio
    import tempfile
    import urllib.request
    from pathlib import Path

    from pyarb.alerts import Alerts
    from pyarb.config import load
    from pyarb.connect import build_clients
    from pyarb.engine.engine import Engine
    from pyarb.ledger import Ledger
    from pyarb.metrics import Metrics
    from pyarb.model import BTC_PERP, VENUES
    from pyarb.sim.process import start_simulator

    def post(url: str, path: str, body: Any) -> None:
        request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
        urllib.request.urlopen(request, timeout=10).read()

    wire = WireClock()
    with tempfile.TemporaryDirectory() as tmp:
        sims = {v: start_simulator(v, seed=args.seed, delta_hz=20, log_path=Path(tmp) / f"{v}.log")
                for v in VENUES}
        try:
            post(sims["edgex"].url, "/_sim/price", {"mid": "122000"})
            post(sims["paradex"].url, "/_sim/price", {"mid": "122300"})
            config = load(None, {
                "strategy": {"exit_edge_bps": "-100000"},  # close each pair as soon as it is open
                "risk": {"cooldown_after_trade_s": 0, "cooldown_after_failure_s": 0, "stop_loss_usd": "1000000",
                         "daily_loss_limit_usd": "1000000"},  # it churns pairs on purpose
                "reconcile": {"interval_s": 3600},
                "venues.edgex": {"url": sims["edgex"].url}, "venues.paradex": {"url": sims["paradex"].url}})
            ledger = Ledger.open(Path(tmp) / "bench.db")
            engine = Engine(config, ledger, build_clients(config, {}),
                            markets=dict(BTC_PERP), alerts=Alerts([]),
                            metrics=Metrics())

            async def trade() -> None:
                await engine.start()
                await engine.run(args.engine_seconds)

            gc.enable()  # the engine runs as it would in production
            try:
                asyncio.run(trade())
            finally:
                gc.disable()
            assert engine.executor is not None
            decided = dict(engine.executor.decided_ns)
            orders = [o for t in ledger.trades() for o in t.orders]
            results["engine_trades"] = len(ledger.trades())
            ledger.close()
            arrived: dict[str, int] = {}
            for sim in sims.values():
                with urllib.request.urlopen(sim.url + "/_sim/state", timeout=10) as response:
                    arrived.update({o["client_id"]: o["received_mono_ns"] for o in json.loads(response.read())["orders"]})
        finally:
            for sim in sims.values():
                sim.stop()
    for role, key in (("leg_a", "tick_to_leg_a"), ("hedge", "fill_to_leg_b")):
        ids = [o.client_id for o in orders if o.role.value == role and o.attempt == 1 and o.client_id in decided]
        on_wire = [wire.sent[c] - decided[c] for c in ids if c in wire.sent]
        at_venue = [arrived[c] - decided[c] for c in ids if c in arrived]
        if on_wire:  # the wire clock sees asyncio's own socket transport only
            results[f"{key}_p50_us"] = round(percentile(on_wire, 0.5) / 1000, 1)
            results[f"{key}_p99_us"] = round(percentile(on_wire, 0.99) / 1000, 1)
        results[f"{key}_at_venue_p50_us"] = round(percentile(at_venue, 0.5) / 1000, 1)


SECTIONS: list[Callable[[Results, argparse.Namespace], None]] = [section_books, section_signing, section_ledger,
                                                               section_engine]

LABELS = {
    "frames": "delta frames fed",
    "timer_overhead_ns": "timer overhead, subtracted below (ns)",
    "rust_p50_ns": "delta -> opportunity, Rust p50 (ns)",
    "rust_p99_ns": "delta -> opportunity, Rust p99 (ns)",
    "python_p50_ns": "delta -> opportunity, reference p50 (ns)",
    "python_p99_ns": "delta -> opportunity, reference p99 (ns)",
    "speedup_p50": "speedup at p50 (x)",
    "snapshot_rust_p50_ns": "50-level snapshot, Rust p50 (ns)",
    "snapshot_python_p50_ns": "50-level snapshot, reference p50 (ns)",
    "sign_paradex_p50_us": "sign a Paradex order, p50 (us)",
    "sign_edgex_p50_us": "sign an EdgeX order, p50 (us)",
    "ledger_commit_p50_us": "durable transition commit, p50 (us)",
    "ledger_commit_p99_us": "durable transition commit, p99 (us)",
    "ledger_fsync_p50_us": "bare fsync on the same disk, p50 (us)",
    "engine_trades": "engine trades measured",
    "tick_to_leg_a_p50_us": "opportunity -> leg A on the wire, p50 (us)",
    "tick_to_leg_a_p99_us": "opportunity -> leg A on the wire, p99 (us)",
    "fill_to_leg_b_p50_us": "leg A's fill -> leg B on the wire, p50 (us)",
    "fill_to_leg_b_p99_us": "leg A's fill -> leg B on the wire, p99 (us)",
    "tick_to_leg_a_at_venue_p50_us": "opportunity -> leg A read by the venue, p50 (us)",
    "fill_to_leg_b_at_venue_p50_us": "leg A's fill -> leg B read by the venue, p50 (us)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000, help="delta frames per path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="end with the results as one JSON line")
    parser.add_argument("--signatures", type=int, default=2000, help="orders signed per venue")
    parser.add_argument("--commits", type=int, default=300, help="trades driven through the ledger (3 commits each)")
    parser.add_argument("--engine-seconds", type=float, default=15.0, help="how long the engine trades")
    args = parser.parse_args()
    results: Results = {}
    gc.disable()  # a collection in the middle of a sample measures the collector, for both paths
    try:
        for section in SECTIONS:
            section(results, args)
    finally:
        gc.enable()
    width = max(len(LABELS.get(k, k)) for k in results)
    for key, value in results.items():
        print(f"{LABELS.get(key, key):<{width}}  {value:>12,}")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
