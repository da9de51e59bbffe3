"""The Rust books on frames in the venues' real shapes (from the venue notes), through the Python facade."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from hotpath_frames import EDGEX, PARADEX, edgex_entry, edgex_msg, paradex_msg

from pyarb.books import Books, Opportunity, reverse
from pyarb.model import MarketSpec

# Real frames from EdgeX's production feed (BNBUSD, depth 200), as recorded in the venue notes.
BNB_SNAPSHOT = (
    b'{"type":"quote-event","channel":"depth.10000004.200","content":{"channel":"depth.10000004.200",'
    b'"dataType":"Snapshot","data":[{"startVersion":"90595400","endVersion":"90595447","level":200,'
    b'"contractId":"10000004","contractName":"BNBUSD","asks":[{"price":"601.03","size":"23.33"},'
    b'{"price":"601.09","size":"18.68"}],"bids":[{"price":"600.97","size":"14.26"},'
    b'{"price":"600.90","size":"8.41"}],"depthType":"Snapshot"}]}}'
)
BNB_CHANGED = (
    b'{"type":"quote-event","channel":"depth.10000004.200","content":{"channel":"depth.10000004.200",'
    b'"dataType":"changed","data":[{"startVersion":"90595448","endVersion":"90595463","level":200,'
    b'"contractId":"10000004","contractName":"BNBUSD","asks":[{"price":"601.03","size":"23.33"}],'
    b'"bids":[{"price":"600.97","size":"0"}],"depthType":"CHANGED"}]}}'
)
BNB = MarketSpec("BNBUSD", Decimal("0.01"), Decimal("0.01"), Decimal("0.01"), Decimal("1000"), Decimal("0.00038"))
BNB_PARADEX = MarketSpec("BNB-USD-PERP", Decimal("0.01"), Decimal("0.01"), Decimal("0.01"), Decimal("1000"), Decimal(0))


def new_books(min_edge_bps: str = "1", max_size: str = "0.05", max_age_ms: int = 1000) -> Books:
    return Books(EDGEX, PARADEX, Decimal(min_edge_bps), Decimal(max_size), max_age_ms)


def paradex_snapshot(seq_no: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> bytes:
    rows = [("BUY", p, s) for p, s in bids] + [("SELL", p, s) for p, s in asks]
    return orjson.dumps(paradex_msg(seq_no, True, inserts=rows))


def edgex_snapshot(version: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]], depth: int = 15) -> bytes:
    return orjson.dumps(edgex_msg([edgex_entry(version, version, asks, bids, "Snapshot")], "Snapshot", depth))


def test_real_edgex_frames_build_the_book() -> None:
    books = Books(BNB, BNB_PARADEX, Decimal(1), Decimal(1), 1000)
    result = books.on_frame("edgex", BNB_SNAPSHOT, 0)
    assert (result.kind, result.stale, result.best_bid, result.best_ask) == ("applied", False, "600.97", "601.03")
    result = books.on_frame("edgex", BNB_CHANGED, 1)
    assert (result.kind, result.best_bid) == ("applied", "600.9")
    assert books.levels("edgex", 5) == ([("600.9", "8.41")], [("601.03", "23.33"), ("601.09", "18.68")])
    assert books.on_frame("edgex", BNB_CHANGED, 2).kind == "duplicate"


def test_frames_may_arrive_as_text() -> None:
    books = Books(BNB, BNB_PARADEX, Decimal(1), Decimal(1), 1000)
    assert books.on_frame("edgex", BNB_SNAPSHOT.decode(), 0).kind == "applied"


def test_pings_and_acknowledgements_are_routed_not_applied() -> None:
    books = new_books()
    ping = books.on_frame("edgex", b'{"type":"ping","time":"1693208170000"}', 0)
    assert (ping.kind, ping.what, ping.time, ping.resync) == ("other", "ping", "1693208170000", False)
    subscribed = books.on_frame("edgex", b'{"type":"subscribed","channel":"depth.10000001.15"}', 0)
    assert (subscribed.what, subscribed.channel) == ("subscribed", "depth.10000001.15")
    error = books.on_frame(
        "edgex",
        b'{"type":"error","channel":null,"request":"{}","content":{"code":"INVALID_CONTRACT_ID","msg":"x"}}',
        0,
    )
    assert (error.kind, error.what, error.channel) == ("other", "error", None)
    auth = books.on_frame("paradex", b'{"jsonrpc":"2.0","result":{"node_id":"a1b2"},"usIn":1,"usDiff":2,"id":0}', 0)
    assert (auth.kind, auth.what) == ("other", "result")
    denied = books.on_frame(
        "paradex", b'{"jsonrpc":"2.0","error":{"code":40111,"message":"Invalid Bearer Token"},"id":0}', 0
    )
    assert denied.what == "error"
    bbo = books.on_frame(
        "paradex",
        b'{"jsonrpc":"2.0","method":"subscription","params":{"channel":"bbo.BTC-USD-PERP",'
        b'"data":{"market":"BTC-USD-PERP","seq_no":5,"bid":"1","bid_size":"1","ask":"2","ask_size":"1"}}}',
        0,
    )
    assert (bbo.what, bbo.channel) == ("subscription", "bbo.BTC-USD-PERP")
    assert books.is_stale("edgex") and books.is_stale("paradex"), "no snapshot yet"


def test_a_gap_needs_a_resync_and_deltas_wait_for_the_snapshot() -> None:
    books = new_books()
    books.on_frame("paradex", paradex_snapshot(10, [("122000.0", "1")], [("122000.5", "1")]), 0)
    gap = books.on_frame("paradex", orjson.dumps(paradex_msg(12, False, updates=[("BUY", "122000.0", "2")])), 1)
    assert (gap.kind, gap.reason, gap.resync, gap.stale) == ("rejected", "gap", True, True)
    assert gap.error is not None and "seq_no 12" in gap.error
    waiting = books.on_frame("paradex", orjson.dumps(paradex_msg(13, False, updates=[("BUY", "122000.0", "3")])), 2)
    assert (waiting.kind, waiting.resync, waiting.stale) == ("awaiting_snapshot", False, True)
    assert books.levels("paradex", 1) == ([("122000", "1")], [("122000.5", "1")])
    fresh = books.on_frame("paradex", paradex_snapshot(40, [("121999.0", "1")], [("122000.5", "1")]), 3)
    assert (fresh.kind, fresh.stale, fresh.best_bid) == ("applied", False, "121999")


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (paradex_msg(11, False, inserts=[("BUY", "122000.5", "1")]), "crossed"),
        (paradex_msg(11, False, inserts=[("BUY", "122000.05", "1")]), "malformed"),
        (paradex_msg(11, False, inserts=[("BUY", "-1", "1")]), "malformed"),
        (paradex_msg(11, False, inserts=[("BUY", "NaN", "1")]), "malformed"),
        (paradex_msg(11, False, inserts=[("BUY", "Infinity", "1")]), "malformed"),
        (paradex_msg(11, False, inserts=[("BUY", "122000.0", "0.000001")]), "malformed"),
        (paradex_msg(11, False, inserts=[("HOLD", "122000.0", "1")]), "malformed"),
        (paradex_msg(11, False, market="ETH-USD-PERP"), "malformed"),
        (b'{"jsonrpc":"2.0","method":"subscription","params":{"channel":"order_book.BTC-USD-PERP.deltas"', "malformed"),
    ],
)
def test_bad_frames_change_nothing(frame: dict[str, object] | bytes, reason: str) -> None:
    books = new_books()
    books.on_frame("paradex", paradex_snapshot(10, [("122000.0", "1")], [("122000.5", "1")]), 0)
    before = books.levels("paradex", 10)
    raw = frame if isinstance(frame, bytes) else orjson.dumps(frame)
    result = books.on_frame("paradex", raw, 1)
    assert (result.kind, result.reason, result.resync, result.stale) == ("rejected", reason, True, True)
    assert books.levels("paradex", 10) == before
    assert result.opportunity is None


def test_edgex_book_is_cut_to_the_subscribed_depth() -> None:
    books = new_books()
    asks = [(f"{122001 + i}.0", "1") for i in range(20)]
    bids = [(f"{121999 - i}.0", "1") for i in range(20)]
    books.on_frame("edgex", edgex_snapshot(1, bids, asks, depth=15), 0)
    bids_kept, asks_kept = books.levels("edgex", 100)
    assert (len(bids_kept), len(asks_kept)) == (15, 15)


def crossing_books(max_age_ms: int = 1000) -> Books:
    books = new_books(max_age_ms=max_age_ms)
    books.on_frame("edgex", edgex_snapshot(1, [("121990.0", "1")], [("122000.0", "0.02"), ("122001.0", "1")]), 0)
    return books


def test_opportunity_walks_both_books_to_the_largest_size() -> None:
    books = crossing_books()
    result = books.on_frame(
        "paradex", paradex_snapshot(1, [("122100.0", "0.03"), ("122010.0", "1")], [("122200.0", "1")]), 10
    )
    quote = result.opportunity
    assert quote is not None
    opportunity = Opportunity.of(quote)
    # 5.8 bps of fees and a 1 bp minimum leave 0.5006 USD after the first 0.03 BTC; each BTC against
    # the 122010.0 bid then loses 73.96 USD, so the walk stops 0.00677 BTC further: 0.036 on the lot.
    assert opportunity.size == Decimal("0.036")
    assert (opportunity.buy_venue, opportunity.sell_venue) == ("edgex", "paradex")
    assert (opportunity.buy_limit, opportunity.sell_limit) == (Decimal("122001"), Decimal("122010"))
    assert opportunity.buy_vwap == Decimal("122000.44444")  # (0.02 x 122000 + 0.016 x 122001) / 0.036
    assert opportunity.sell_vwap == Decimal("122085")
    assert opportunity.edge_usd == Decimal("0.49602192")
    assert opportunity.edge_bps == pytest.approx(0.49602192 / (0.036 * 122000.444444) * 1e4)
    assert opportunity.edge_bps >= 1
    closing = books.quote(reverse(opportunity.direction), opportunity.size, 10)
    assert closing is not None and closing.direction == "buy_paradex_sell_edgex"
    assert (closing.buy_limit, closing.sell_limit) == ("122200", "121990")
    assert Decimal(closing.edge_usd) < 0


def test_no_opportunity_from_a_stale_or_old_book() -> None:
    books = crossing_books(max_age_ms=100)
    snapshot = paradex_snapshot(1, [("122100.0", "0.03")], [("122200.0", "1")])
    assert books.on_frame("paradex", snapshot, 100).opportunity is not None
    assert books.on_frame("paradex", snapshot, 101).opportunity is None, "the EdgeX book is 101 ms old"
    books.on_frame("edgex", edgex_snapshot(2, [("121990.0", "1")], [("122000.0", "1")]), 101)
    assert books.best(101) is not None
    books.mark_stale("edgex")
    assert books.best(101) is None
    assert books.quote("buy_edgex_sell_paradex", "0.01", 101) is None


def test_bad_inputs_from_python_raise_clear_errors() -> None:
    books = new_books()
    with pytest.raises(ValueError, match="venue"):
        books.on_frame("binance", b"{}", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="direction"):
        books.quote("sideways", "1", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size"):
        books.quote("buy_edgex_sell_paradex", "0.0000001", 0)
    with pytest.raises(TypeError, match="float"):
        Books(EDGEX, PARADEX, 1.5, Decimal("1"), 1000)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tick"):
        zero_tick = MarketSpec("BTCUSD", Decimal(0), Decimal("0.001"), Decimal(0), Decimal(1), Decimal(0))
        Books(zero_tick, PARADEX, "1", "1", 1)
    with pytest.raises(ValueError, match="taker_fee"):
        Books(EDGEX, MarketSpec("P", Decimal("0.1"), Decimal("0.1"), Decimal(0), Decimal(1), Decimal(2)), "1", "1", 1)
    with pytest.raises(ValueError, match="max_size"):
        Books(EDGEX, PARADEX, "1", "0.0001", 1000)


def test_a_repeated_key_in_a_level_is_malformed() -> None:
    books = new_books()
    frame = orjson.dumps(edgex_msg([edgex_entry(1, 1, [("122000.0", "1")], [], "Snapshot")], None))
    repeated = frame.replace(b'"price":"122000.0"', b'"price":"122000.0","price":"122001.0"')
    result = books.on_frame("edgex", repeated, 0)
    assert (result.kind, result.reason) == ("rejected", "malformed")


def test_results_handed_out_again_never_change() -> None:
    """An unchanged result or opportunity is handed out as the same (immutable) object: one held on to
    keeps saying what it said when it was returned, whatever frames follow."""
    books = crossing_books()
    bids = [("122100.0", "0.03"), ("122010.0", "1")]
    first = books.on_frame("paradex", paradex_snapshot(1, bids, [("122200.0", "1")]), 10)
    quote = first.opportunity
    assert quote is not None
    said = (first.kind, first.best_bid, first.best_ask, quote.size, quote.buy_limit)
    deeper = orjson.dumps(paradex_msg(2, False, updates=[("SELL", "122300.0", "5")]))
    again = books.on_frame("paradex", deeper, 11)
    assert (again.kind, again.best_bid, again.best_ask) == said[:3]
    assert again.opportunity is not None and again.opportunity.size == quote.size
    top = orjson.dumps(paradex_msg(3, False, updates=[("BUY", "122100.0", "0.01")]))
    changed = books.on_frame("paradex", top, 12)
    assert changed.best_bid == first.best_bid
    assert changed.opportunity is not None and changed.opportunity.size != quote.size
    assert (first.kind, first.best_bid, first.best_ask, quote.size, quote.buy_limit) == said
