"""The simulated L2 book: a snapshot plus every delta is exactly the published book, with sequence numbers one
apart (two when a gap is injected); takers consume it up to their limit."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pyarb.model import Side
from pyarb.sim.book import BookDelta, BookShape, SimBook

TICK, STEP = Decimal("0.1"), Decimal("0.00001")


def _book(seed: int = 1, **shape: object) -> SimBook:
    book = SimBook("BTC-USD-PERP", TICK, STEP, random.Random(seed), BookShape(**shape))  # type: ignore[arg-type]
    book.move_to(122_000.0)
    book.publish(0)
    return book


def _apply(bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal], delta: BookDelta) -> None:
    for level in delta.inserts + delta.updates:
        (bids if level.side is Side.BUY else asks)[level.price] = level.size
    for level in delta.deletes:
        del (bids if level.side is Side.BUY else asks)[level.price]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    moves=st.lists(st.tuples(st.floats(-300, 300), st.sampled_from([None, Side.BUY, Side.SELL]),
                             st.integers(1, 200_000)), min_size=1, max_size=60),
)
def test_snapshot_plus_deltas_is_the_published_book(seed: int, moves: list[tuple[float, Side | None, int]]) -> None:
    book = _book(seed)
    snap = book.snapshot()
    bids, asks = dict(snap.bids), dict(snap.asks)
    seq = snap.seq
    for offset, taker, steps in moves:
        if taker is not None:
            book.take(taker, None, STEP * steps)
        book.move_to(122_000.0 + offset)
        delta = book.publish(1)
        if delta is None:
            continue
        assert (delta.prev_seq, delta.seq) == (seq, seq + 1)
        seq = delta.seq
        _apply(bids, asks, delta)
        published = book.snapshot()
        assert published.seq == seq
        assert sorted(bids.items(), reverse=True) == published.bids
        assert sorted(asks.items()) == published.asks
        assert published.bids[0][0] < published.asks[0][0]
        assert len(published.bids) == len(published.asks) == BookShape().levels


def test_the_book_quotes_around_the_mid_with_the_configured_depth() -> None:
    book = _book(levels=25, half_spread=Decimal("0.5"))
    snap = book.snapshot()
    assert len(snap.bids) == len(snap.asks) == 25
    assert Decimal("121999.4") <= snap.bids[0][0] < Decimal("122000") < snap.asks[0][0] <= Decimal("122000.6")
    assert all(p % TICK == 0 and s % STEP == 0 and s > 0 for p, s in snap.bids + snap.asks)


def test_an_injected_gap_skips_one_sequence_number() -> None:
    book = _book()
    book.move_to(122_010.0)
    delta = book.publish(1, skip_seq=True)
    assert delta is not None and delta.seq == delta.prev_seq + 2


def test_nothing_changed_publishes_nothing() -> None:
    book = _book()
    seq = book.seq
    assert book.publish(2) is None
    assert book.seq == seq


def test_a_taker_walks_the_book_up_to_its_limit_and_fills_partly_when_depth_runs_out() -> None:
    book = _book(levels=5, level_size=(Decimal("0.1"), Decimal("0.1")))
    asks = book.snapshot().asks
    limit = asks[2][0]  # three levels are marketable
    fills = book.take(Side.BUY, limit, Decimal("1"))
    assert fills == asks[:3]
    assert book.best_ask() == asks[3][0]
    # the published book is unchanged until the next publish
    assert book.snapshot().asks == asks
    everything = book.take(Side.SELL, None, Decimal("100"))
    assert sum(size for _, size in everything) == Decimal("0.5")
    assert book.best_bid() is None
