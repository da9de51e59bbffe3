"""Property tests: the Rust books (``pyarb._core.Books``) and the pure-Python reference
(``pyarb.reference``) fed the same random sequences of valid and invalid frames must report the same
thing after every frame: kind, reason, resync, stale, best prices, the opportunity to the last digit,
the levels, and quotes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from hotpath_frames import EDGEX, PARADEX, edgex_entry, edgex_msg, paradex_msg
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pyarb.books import Books
from pyarb.model import MarketSpec
from pyarb.reference import EDGE_SCALE, FEE_SCALE, ReferenceBooks, walk

MID = 1_220_000  # 122,000.0 in ticks of 0.1
QUOTE_FIELDS = (
    "direction", "buy_venue", "sell_venue", "size", "buy_vwap", "sell_vwap",
    "buy_limit", "sell_limit", "edge_bps", "edge_usd",
)  # fmt: skip
RESULT_FIELDS = ("venue", "kind", "reason", "resync", "stale", "best_bid", "best_ask", "what", "channel", "time")

BAD_NUMBERS = [
    "abc", "-1", "-0.1", "NaN", "nan", "Infinity", "-inf", "1e5", "1E-3", "", " 1", "1.", ".5", "+1", "0x10",
    "1,5", "99999999999999999999", "\u0661\u0662", "122000.05", "0.0000001", "0.00005", "0",
]  # fmt: skip
OTHER_FRAMES = {
    "edgex": [
        {"type": "ping", "time": "1693208170000"},
        {"type": "ping", "time": 1693208170000},
        {"type": "ping", "time": 1.5},
        {"type": "pong", "time": {"at": 1}},
        {"sid": "b146cb1d", "type": "connected", "time": "1775699229526"},
        {"type": "subscribed", "channel": "depth.10000001.15"},
        {"type": "error", "channel": None, "request": "{}", "content": {"code": "INVALID_CONTRACT_ID", "msg": "x"}},
        {
            "type": "quote-event",
            "channel": "ticker.10000001",
            "content": {"dataType": "Snapshot", "channel": "ticker.10000001", "data": [{"lastPrice": "66393.5"}]},
        },
        {"type": "trade-event", "content": {"event": "Snapshot", "version": 1, "data": {"account": []}}},
        {"type": "quote-event", "channel": "depth.10000001.15"},  # not "other": a depth frame without content
    ],
    "paradex": [
        {"jsonrpc": "2.0", "result": {"node_id": "a1b2"}, "usIn": 1, "usDiff": 2, "id": 0},
        {"jsonrpc": "2.0", "result": {"channel": "order_book.BTC-USD-PERP.deltas"}, "id": 1},
        {"jsonrpc": "2.0", "error": {"code": 40111, "message": "Invalid Bearer Token"}, "id": 0},
        {
            "jsonrpc": "2.0",
            "method": "subscription",
            "params": {"channel": "bbo.BTC-USD-PERP", "data": {"market": "BTC-USD-PERP", "seq_no": 5, "bid": "1"}},
        },
        {"jsonrpc": "2.0", "method": "subscription", "params": {"channel": "trades.BTC-USD-PERP", "data": [1, 2]}},
        {"jsonrpc": "2.0", "method": "subscription", "params": {"channel": "order_book.BTC-USD-PERP.deltas"}},
    ],
}


# Paradex's mid above EdgeX's, in ticks: from no edge to a wide one, mostly where the fees and the
# minimum edge bite a few levels into the books.
spreads = st.sampled_from([-1400, -1000, -900, 0, 900, 1000, 1400]).flatmap(lambda s: st.integers(s - 60, s + 60))


def one_in(draw: st.DrawFn, n: int) -> bool:
    """True about once in ``n`` draws (hypothesis favours 0 in ``integers(0, n)``)."""
    return draw(st.sampled_from([True] + [False] * (n - 1)))


def price_text(ticks: int, padded: bool = False) -> str:
    return f"{ticks // 10}.{ticks % 10}" + ("0" if padded else "")


@dataclass
class Venues:
    """Where each venue's feed is, so that most generated frames continue it."""

    edgex_version: int = 100
    paradex_seq: int = 100
    mids: dict[str, int] = field(default_factory=dict)
    depth: int = 15


@st.composite
def configs(draw: st.DrawFn) -> tuple[MarketSpec, MarketSpec, str, str, int]:
    fees = st.sampled_from(["0", "0.00038", "0.0002", "0.00026", "0.000015"])
    edgex = MarketSpec(EDGEX.market, EDGEX.tick, EDGEX.step, EDGEX.min_size, EDGEX.max_size, Decimal(draw(fees)))
    paradex = MarketSpec(
        PARADEX.market, PARADEX.tick, PARADEX.step, PARADEX.min_size, PARADEX.max_size, Decimal(draw(fees))
    )
    min_edge = f"{draw(st.integers(0, 800)) / 100:.2f}"
    max_size = draw(st.sampled_from(["0.001", "0.05", "0.5", "3"]))
    max_age = draw(st.sampled_from([0, 50, 1000, 100_000]))
    return edgex, paradex, min_edge, max_size, max_age


def levels(draw: st.DrawFn, venue: str, mid: int, n: int, deletes: bool) -> tuple[list[Any], list[Any]]:
    """Random (price, size) levels: bids below the mid, asks above it; size "0" removes in a delta."""
    size_units = st.integers(1, 2_000) if venue == "edgex" else st.integers(1, 200_000)
    decimals = 3 if venue == "edgex" else 5

    def one(sign: int) -> tuple[str, str]:
        ticks = mid + sign * draw(st.integers(1, 40))
        size = "0" if deletes and one_in(draw, 5) else f"{draw(size_units) / 10**decimals:.{decimals}f}"
        return price_text(ticks, draw(st.booleans())), size

    bids = [one(-1) for _ in range(draw(st.integers(0 if deletes else 1, n)))]
    asks = [one(+1) for _ in range(draw(st.integers(0 if deletes else 1, n)))]
    return bids, asks


def book_frame(draw: st.DrawFn, venue: str, state: Venues, snapshot: bool) -> dict[str, Any]:
    mid = state.mids[venue]
    bids, asks = levels(draw, venue, mid, 25 if snapshot else 3, deletes=not snapshot)
    if one_in(draw, 10):  # a level across the mid: may cross the book
        bids.append((price_text(mid + draw(st.integers(0, 5))), "1.000"))
    if venue == "paradex":
        state.paradex_seq += draw(st.sampled_from([1] * 12 + [2, 0])) if not snapshot else 7
        rows = [("BUY", p, s) for p, s in bids] + [("SELL", p, s) for p, s in asks]
        if snapshot:
            return paradex_msg(state.paradex_seq, True, inserts=rows)
        removed = [r for r in rows if r[2] == "0"]
        kept = [r for r in rows if r[2] != "0"]
        split = draw(st.integers(0, len(kept)))
        return paradex_msg(state.paradex_seq, False, inserts=kept[:split], updates=kept[split:], deletes=removed)
    kind_text = st.sampled_from(["Snapshot", "SNAPSHOT", "snapshot"] if snapshot else ["Changed", "CHANGED", "changed"])
    entries = []
    for _ in range(1 if snapshot else draw(st.integers(1, 2))):
        jump = draw(st.sampled_from([1] * 10 + [0, 2, -3]))  # 0: overlaps; 2: a gap; -3: a duplicate
        start = state.edgex_version + jump
        end = start + draw(st.integers(0, 3))
        state.edgex_version = max(state.edgex_version, end)
        kind = None if one_in(draw, 3) else draw(kind_text)
        entries.append(edgex_entry(start, end, asks, bids, kind, arrays=draw(st.booleans())))
        bids, asks = levels(draw, venue, mid, 3, deletes=True)
    data_type = None if one_in(draw, 10) else draw(kind_text)
    return edgex_msg(entries, data_type, state.depth)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path in a decoded frame."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(draw: st.DrawFn, msg: dict[str, Any]) -> bytes:
    """A frame broken in one way: truncated, a field dropped or retyped, a bad number, bad UTF-8..."""
    how = draw(st.sampled_from(["truncate", "drop", "retype", "number", "utf8", "text", "escape"]))
    if how == "escape":  # the same frame with one string's first character \u-escaped: still valid
        raw = orjson.dumps(msg)
        starts = [i + 1 for i in range(len(raw) - 1) if raw[i] == ord('"') and chr(raw[i + 1]).isalnum()]
        at = draw(st.sampled_from(starts))
        return raw[:at] + b"\\u%04x" % raw[at] + raw[at + 1 :]
    if how == "truncate":
        raw = orjson.dumps(msg)
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if how == "utf8":
        raw = orjson.dumps(msg)
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + b"\xff" + raw[at:]
    msg = copy.deepcopy(msg)
    path = draw(st.sampled_from(paths(msg)))
    *parents, last = path
    parent = msg
    for key in parents:
        parent = parent[key]
    if how == "drop":
        del parent[last]
    elif how == "retype":
        parent[last] = draw(st.sampled_from([None, 1, -1, 1.5, True, [], {}, "x", ["1", "2"], {"a": 1}]))
    elif how == "number":
        parent[last] = draw(st.sampled_from(BAD_NUMBERS))
    else:
        parent[last] = draw(st.sampled_from(["HOLD", "buy", "ETHUSD", "ETH-USD-PERP", "x", "Snapshots", "depth.1.0"]))
    return orjson.dumps(msg)


def same_quote(rust: Any, ref: Any) -> None:
    assert (rust is None) == (ref is None), (rust, ref)
    if rust is not None:
        assert {f: getattr(rust, f) for f in QUOTE_FIELDS} == {f: getattr(ref, f) for f in QUOTE_FIELDS}


def same_state(rust: Books, ref: ReferenceBooks, now_ms: int, sizes: list[str]) -> None:
    for venue in ("edgex", "paradex"):
        assert rust.levels(venue, 1000) == ref.levels(venue, 1000)
        assert rust.is_stale(venue) == ref.is_stale(venue)
    same_quote(rust.best(now_ms), ref.best(now_ms))
    for direction in ("buy_edgex_sell_paradex", "buy_paradex_sell_edgex"):
        for size in sizes:
            same_quote(rust.quote(direction, size, now_ms), ref.quote(direction, size, now_ms))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=configs(), data=st.data())
def test_rust_and_reference_agree_on_every_frame(config: tuple[Any, ...], data: st.DataObject) -> None:
    draw = data.draw
    rust, ref = Books(*config), ReferenceBooks(*config)
    state = Venues(mids={"edgex": MID, "paradex": MID + draw(spreads)})
    state.depth = draw(st.sampled_from([3, 15, 200]))
    now_ms = 0
    for venue in ("edgex", "paradex"):  # most runs start from two good snapshots
        if not one_in(draw, 10):
            frame = orjson.dumps(book_frame(draw, venue, state, snapshot=True))
            rust.on_frame(venue, frame, now_ms), ref.on_frame(venue, frame, now_ms)
    for _ in range(draw(st.integers(1, 40))):
        venue = draw(st.sampled_from(["edgex", "paradex"]))
        event_kind = draw(st.sampled_from(["delta"] * 10 + ["snapshot"] * 2 + ["broken", "other", "stale", "wait"]))
        if event_kind == "stale":
            rust.mark_stale(venue), ref.mark_stale(venue)
            continue
        if event_kind == "wait":
            now_ms += draw(st.sampled_from([1, 49, 51, 999, 1001, 200_000]))
            continue
        if event_kind == "other":
            frame = orjson.dumps(draw(st.sampled_from(OTHER_FRAMES[venue])))
        else:
            msg = book_frame(draw, venue, state, snapshot=event_kind == "snapshot")
            frame = mutate(draw, msg) if event_kind == "broken" else orjson.dumps(msg)
        if draw(st.booleans()):
            state.mids[venue] += draw(st.integers(-3, 3))
        got, want = rust.on_frame(venue, frame, now_ms), ref.on_frame(venue, frame, now_ms)
        assert {f: getattr(got, f) for f in RESULT_FIELDS} == {f: getattr(want, f) for f in RESULT_FIELDS}, (
            frame,
            got,
            want,
        )
        same_quote(got.opportunity, want.opportunity)
        assert (got.error is None) == (want.error is None)
        event(f"{event_kind} -> {got.kind} {got.reason or ''} {'opportunity' if got.opportunity else ''}")
    sizes = [draw(st.sampled_from(["0.001", "0.01", "0.05", "0.37", "2"])) for _ in range(2)]
    same_state(rust, ref, now_ms, sizes)


def test_the_generated_streams_do_reach_opportunities_and_rejections() -> None:
    """Guards the property test against generating only trivial streams."""
    seen: dict[str, int] = {"opportunity": 0, "rejected": 0, "applied": 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(config=configs(), data=st.data())
    def run(config: tuple[Any, ...], data: st.DataObject) -> None:
        state = Venues(mids={"edgex": MID, "paradex": MID + data.draw(spreads)})
        books = Books(*config)
        for i in range(30):
            venue = ("edgex", "paradex")[i % 2]
            msg = book_frame(data.draw, venue, state, snapshot=i < 2)
            frame = mutate(data.draw, msg) if i % 7 == 6 else orjson.dumps(msg)
            result = books.on_frame(venue, frame, 0)
            seen["applied"] += result.kind == "applied"
            seen["rejected"] += result.kind == "rejected"
            seen["opportunity"] += result.opportunity is not None

    run()
    assert all(seen.values()), seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs(), data=st.data())
def test_largest_size_is_the_largest_with_the_minimum_edge(config: tuple[Any, ...], data: st.DataObject) -> None:
    """Thin books crossing by a random amount: Rust and the reference agree on the opportunity, and a
    brute-force scan over every allowed size confirms it is the largest with the minimum edge."""
    draw = data.draw
    rust, ref = Books(*config), ReferenceBooks(*config)
    offset = draw(st.integers(900, 1500))
    for venue, mid in (("edgex", MID), ("paradex", MID + offset)):
        step = 100 if venue == "edgex" else 1  # in units of 0.00001
        sizes = st.integers(1, 60).map(lambda n, step=step: f"{n * step / 100_000:.5f}")
        asks = [(price_text(mid + k), draw(sizes)) for k in range(1, draw(st.integers(1, 30)))]
        bids = [(price_text(mid - k), draw(sizes)) for k in range(1, draw(st.integers(1, 30)))]
        if venue == "edgex":
            frame = edgex_msg([edgex_entry(1, 1, asks, bids, "SNAPSHOT")], None, depth=200)
        else:
            frame = paradex_msg(1, True, inserts=[("BUY", *b) for b in bids] + [("SELL", *a) for a in asks])
        assert rust.on_frame(venue, orjson.dumps(frame), 0).kind == "applied"
        ref.on_frame(venue, orjson.dumps(frame), 0)
    best = rust.best(0)
    same_quote(best, ref.best(0))

    edgex_asks, paradex_bids = ref.feeds["edgex"].book.ask.levels(), ref.feeds["paradex"].book.bid.levels()
    buy_fee, sell_fee = ref.edgex_fee, ref.paradex_fee

    def qualifies(size: int) -> bool:
        bought, sold = walk(edgex_asks, size), walk(paradex_bids, size)
        if bought is None or sold is None:
            return False
        edge = sold.notional * (FEE_SCALE - sell_fee) - bought.notional * (FEE_SCALE + buy_fee)
        return edge * EDGE_SCALE >= ref.min_edge * FEE_SCALE * bought.notional

    allowed = range(ref.min_size, ref.max_size + 1, ref.lot)
    largest = max((s for s in allowed if qualifies(s)), default=None)
    if largest is None:
        assert best is None or best.direction == "buy_paradex_sell_edgex"
    else:
        assert best is not None and best.direction == "buy_edgex_sell_paradex"
        assert Decimal(best.size) == Decimal(largest) / 100_000


def test_rust_and_reference_agree_on_deeply_nested_frames() -> None:
    """orjson refuses more than 1024 levels of nesting, and so does Rust (rather than recurse until the
    stack runs out, as the JSON parser would while skipping a field it does not read)."""
    for depth in (1024, 1025, 100_000):
        frame = b'{"type":"ping","x":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
        for venue in ("edgex", "paradex"):
            config = (EDGEX, PARADEX, "1", "1", 1000)
            got, want = Books(*config).on_frame(venue, frame, 0), ReferenceBooks(*config).on_frame(venue, frame, 0)
            assert {f: getattr(got, f) for f in RESULT_FIELDS} == {f: getattr(want, f) for f in RESULT_FIELDS}
