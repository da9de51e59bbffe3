"""The venue-neutral simulated exchange: matching, accounts, fees, faults and persistence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pyarb.model import Side
from pyarb.sim.book import BookShape
from pyarb.sim.exchange import (
    CloseReason,
    MarketConfig,
    OrderSpec,
    Reject,
    SimExchange,
    SimReject,
    TimeInForce,
)
from pyarb.sim.faults import FaultsRequest, OrderError, RateLimit

MARKET = MarketConfig(
    symbol="BTC-TEST", tick=Decimal("0.1"), step=Decimal("0.0001"), min_size=Decimal("0.0001"),
    max_size=Decimal("10"), min_notional=Decimal("100"), taker_fee=Decimal("0.0002"), maker_fee=Decimal("0.0001"),
    book=BookShape(levels=10, level_size=(Decimal("0.002"), Decimal("0.002"))),
)


def _exchange(state: Path | None = None) -> SimExchange:
    ex = SimExchange(venue="test", seed=1, markets=[MARKET], state_path=state, delta_hz=20)
    ex.add_account("alice")
    ex.pin_mid("BTC-TEST", Decimal("122000"))
    return ex


def _order(cid: str, side: Side, size: str, price: str | None, **kw: object) -> OrderSpec:
    limit = None if price is None else Decimal(price)
    return OrderSpec(cid, "BTC-TEST", side, Decimal(size), limit, **kw)  # type: ignore[arg-type]


def test_an_ioc_buy_walks_the_asks_and_pays_the_taker_fee() -> None:
    ex = _exchange()
    asks = ex.books["BTC-TEST"].snapshot().asks
    order = ex.place("alice", _order("c1", Side.BUY, "0.005", str(asks[4][0])))
    assert (order.filled, order.status, order.close_reason) == (Decimal("0.005"), "filled", CloseReason.FILLED)
    fills = ex.account("alice").fills
    assert [(f.price, f.size) for f in fills] == [(asks[0][0], Decimal("0.002")), (asks[1][0], Decimal("0.002")),
                                                   (asks[2][0], Decimal("0.001"))]
    assert all(f.fee == (f.price * f.size * Decimal("0.0002")).quantize(Decimal("0.000001")) for f in fills)
    assert order.fee == sum(f.fee for f in fills)
    assert order.avg_price == sum(f.price * f.size for f in fills) / Decimal("0.005")
    assert ex.account("alice").position("BTC-TEST").size == Decimal("0.005")


def test_an_ioc_order_fills_partly_at_its_limit_and_the_rest_is_cancelled() -> None:
    ex = _exchange()
    bids = ex.books["BTC-TEST"].snapshot().bids
    order = ex.place("alice", _order("c1", Side.SELL, "0.005", str(bids[0][0])))
    assert (order.filled, order.status, order.close_reason) == (Decimal("0.002"), "canceled",
                                                                CloseReason.UNFILLED_REMAINDER)
    assert ex.account("alice").position("BTC-TEST").size == Decimal("-0.002")


def test_a_market_order_takes_whatever_the_book_has() -> None:
    ex = _exchange()
    order = ex.place("alice", _order("c1", Side.SELL, "0.05", None))
    assert order.filled == Decimal("0.02")  # ten levels of 0.002
    assert order.status == "canceled"


def test_fill_ratio_caps_the_fill_rounded_down_to_the_step() -> None:
    ex = _exchange()
    ex.faults.apply(FaultsRequest(fill_ratio=Decimal("0.76")))
    order = ex.place("alice", _order("c1", Side.BUY, "0.005", "130000"))
    assert order.filled == Decimal("0.0038")
    assert order.close_reason is CloseReason.UNFILLED_REMAINDER
    order = ex.place("alice", _order("c2", Side.BUY, "0.0013", "130000"))
    assert order.filled == Decimal("0.0009")  # 0.000988 rounded down


def test_reduce_only_fills_only_what_reduces_the_position() -> None:
    ex = _exchange()
    nothing = ex.place("alice", _order("c1", Side.SELL, "0.004", "100000", reduce_only=True))
    assert (nothing.filled, nothing.close_reason) == (Decimal(0), CloseReason.REDUCE_ONLY)
    ex.set_position("alice", "BTC-TEST", Decimal("0.003"))
    more_long = ex.place("alice", _order("c2", Side.BUY, "0.004", "130000", reduce_only=True))
    assert more_long.filled == 0
    reduce = ex.place("alice", _order("c3", Side.SELL, "0.004", "100000", reduce_only=True))
    assert (reduce.filled, reduce.close_reason) == (Decimal("0.003"), CloseReason.REDUCE_ONLY)
    assert ex.account("alice").position("BTC-TEST").size == 0


def test_a_reduce_only_order_closing_the_whole_position_may_be_below_the_minimum_notional() -> None:
    ex = _exchange()
    ex.set_position("alice", "BTC-TEST", Decimal("-0.0005"))  # ~61 USD
    with pytest.raises(SimReject) as refused:
        ex.place("alice", _order("c1", Side.BUY, "0.0005", "130000"))
    assert refused.value.reason is Reject.MIN_NOTIONAL
    order = ex.place("alice", _order("c2", Side.BUY, "0.0005", "130000", reduce_only=True))
    assert order.filled == Decimal("0.0005")


@pytest.mark.parametrize(("size", "price", "reason"), [
    ("0.00015", "122000", Reject.BAD_SIZE),
    ("0", "122000", Reject.BAD_SIZE),
    ("11", "122000", Reject.BAD_SIZE),
    ("0.005", "122000.05", Reject.BAD_PRICE),
    ("0.0005", "122000", Reject.MIN_NOTIONAL),
])
def test_invalid_orders_are_refused_and_change_nothing(size: str, price: str, reason: Reject) -> None:
    ex = _exchange()
    with pytest.raises(SimReject) as refused:
        ex.place("alice", _order("c1", Side.BUY, size, price))
    assert refused.value.reason is reason
    assert ex.account("alice").orders == {} and ex.account("alice").fills == []


def test_a_client_id_is_never_used_twice() -> None:
    ex = _exchange()
    ex.place("alice", _order("c1", Side.BUY, "0.001", "100000"))  # nothing fills; still it is used
    with pytest.raises(SimReject) as refused:
        ex.place("alice", _order("c1", Side.BUY, "0.001", "130000"))
    assert refused.value.reason is Reject.DUPLICATE_CLIENT_ID
    assert len(ex.account("alice").orders) == 1


def test_a_gtc_order_rests_fills_as_maker_when_the_book_crosses_it_and_can_be_cancelled() -> None:
    ex = _exchange()
    resting = ex.place("alice", _order("c1", Side.BUY, "0.001", "121900", tif=TimeInForce.GTC))
    other = ex.place("alice", _order("c2", Side.BUY, "0.001", "121800", tif=TimeInForce.GTC))
    assert resting.open and other.open
    ex.pin_mid("BTC-TEST", Decimal("121850"))
    assert (resting.filled, resting.status) == (Decimal("0.001"), "filled")
    assert ex.account("alice").fills[-1].maker
    assert ex.account("alice").fills[-1].fee == Decimal("0.012190")
    ex.cancel("alice", client_id="c2")
    assert (other.status, other.close_reason) == ("canceled", CloseReason.USER_CANCELED)
    with pytest.raises(SimReject) as refused:
        ex.cancel("alice", client_id="c2")
    assert refused.value.reason is Reject.ORDER_CLOSED


def test_post_only_that_would_cross_is_closed_unfilled() -> None:
    ex = _exchange()
    order = ex.place("alice", _order("c1", Side.BUY, "0.001", "130000", tif=TimeInForce.POST_ONLY))
    assert (order.filled, order.close_reason) == (Decimal(0), CloseReason.POST_ONLY_WOULD_CROSS)


def test_refusal_faults_count_down_and_null_means_until_cleared() -> None:
    ex = _exchange()
    ex.faults.apply(FaultsRequest.model_validate({"rate_limit": {"count": 1, "retry_after": 2},
                                                  "order_error": {"code": "X", "msg": "m", "count": 2}}))
    seen = [ex.faults.refusal() for _ in range(4)]
    assert isinstance(seen[0], RateLimit) and seen[0].retry_after == 2
    assert [type(f) for f in seen[1:]] == [OrderError, OrderError, type(None)]
    ex.faults.apply(FaultsRequest.model_validate({"order_error": {"code": "X", "count": None}}))
    assert all(isinstance(ex.faults.refusal(), OrderError) for _ in range(20))
    ex.faults.apply(FaultsRequest.model_validate({"order_error": None}))
    assert ex.faults.refusal() is None


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "paradex.state"
    ex = _exchange(state)
    ex.add_account("bob", {"public_key": "0xb0b"})
    filled = ex.place("alice", _order("c1", Side.BUY, "0.005", "130000"))
    ex.place("alice", _order("c2", Side.BUY, "0.001", "121000", tif=TimeInForce.GTC))
    ex.set_position("bob", "BTC-TEST", Decimal("-0.25"))
    before = ex.account("alice").state_json()

    ex.close()
    again = _exchange(state)
    assert again.account("alice").state_json() == before
    assert again.account("bob").meta == {"public_key": "0xb0b"}
    assert again.account("bob").position("BTC-TEST").size == Decimal("-0.25")
    with pytest.raises(SimReject):
        again.place("alice", _order("c1", Side.BUY, "0.005", "130000"))
    later = again.place("alice", _order("c3", Side.SELL, "0.005", "100000"))
    assert int(later.order_id) > int(filled.order_id)
    assert again.account("alice").position("BTC-TEST").size == 0
    again.close()


def test_a_torn_last_line_of_the_state_file_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "paradex.state"
    ex = _exchange(state)
    ex.place("alice", _order("c1", Side.BUY, "0.005", "130000"))
    ex.close()
    with open(state, "ab") as f:
        f.write(b'{"k": "order", "order_id": "12')  # killed mid-write
    again = _exchange(state)
    assert again.account("alice").order_by_client_id("c1") is not None
    again.close()
