"""Paradex as data: the JWT the simulator issues and the client reads, error bodies, ``results`` lists and pages,
JSON-RPC messages and channel names, and what an order, fill or position says."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyarb.model import Side, fmt
from pyarb.sim.paradex import Tokens
from pyarb.venues.base import Fill
from pyarb.venues.paradex import protocol as p


def test_the_client_reads_the_lifetime_of_the_jwt_the_simulator_issues() -> None:
    token = Tokens(seed=1, lifetime=120.0, clock=lambda: 1_750_000_000.0).issue("0xabc")
    signed_part, claims, signature = p.read_jwt(token)
    assert token == f"{signed_part}.{p.b64url(signature)}"
    assert claims["sub"] == "0xabc" and claims["exp"] - claims["iat"] == 120
    assert p.jwt_lifetime(token) == 120.0


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "a.%%%.c", "a.bm90IGpzb24.c"])
def test_what_is_not_a_jwt_is_refused_and_lives_the_documented_five_minutes(token: str) -> None:
    with pytest.raises(ValueError, match="not a JWT"):
        p.read_jwt(token)
    assert p.jwt_lifetime(token) == p.JWT_LIFETIME == 300.0


def test_a_jwt_without_its_times_lives_the_documented_five_minutes() -> None:
    token = f"{p.b64url(b'{}')}.{p.b64url(orjson.dumps({'sub': '0xabc'}))}.{p.b64url(b'mac')}"
    assert p.jwt_lifetime(token) == p.JWT_LIFETIME


def test_an_error_body_is_read_back_and_nothing_else_is_one() -> None:
    body = orjson.loads(orjson.dumps(p.error_body(p.INVALID_TOKEN, "bearer token expired")))
    assert body == {"error": "INVALID_TOKEN", "message": "bearer token expired", "data": None}
    assert p.error_of(body) == ("INVALID_TOKEN", "bearer token expired")
    assert p.error_of({"error": "NOT_ONBOARDED"}) == ("NOT_ONBOARDED", "")
    for not_one in (None, [], {"results": []}, {"error": 404}, "INVALID_TOKEN"):
        assert p.error_of(not_one) is None


def test_results_and_the_next_page_are_read_back_and_a_malformed_list_is_none() -> None:
    last = p.page([{"id": "1"}], None, "0")
    assert p.results_of(last) == [{"id": "1"}] and p.next_cursor(last) is None
    assert p.next_cursor(p.page([], "100", None)) == "100"
    assert p.results_of(p.listing([])) == []  # empty is an answer...
    for not_one in (None, {}, {"results": None}, {"results": [1]}, {"results": {"id": "1"}}, [{"id": "1"}]):
        assert p.results_of(not_one) is None  # ...and none of these is


def test_json_rpc_requests_are_text_and_notifications_name_their_channel() -> None:
    request = p.rpc_request(7, "subscribe", {"channel": p.book_channel("BTC-USD-PERP")})
    assert orjson.loads(request) == {"jsonrpc": "2.0", "method": "subscribe",
                                     "params": {"channel": "order_book.BTC-USD-PERP.deltas"}, "id": 7}
    message = orjson.loads(p.notification("fills.ALL", {"id": "f-1"}))
    assert message["method"] == p.SUBSCRIPTION and p.channel_kind(message["params"]["channel"]) == "fills"
    assert orjson.loads(p.rpc_result(7, {"channel": "x"}, 100, 130)) == \
        {"jsonrpc": "2.0", "result": {"channel": "x"}, "usIn": 100, "usDiff": 30, "id": 7}
    assert orjson.loads(p.rpc_error(None, -32700, "Parse error", 100, 130))["error"] == \
        {"code": -32700, "message": "Parse error"}


def test_the_channels_the_client_follows_are_channels_the_grammar_accepts() -> None:
    book = p.BOOK_CHANNEL.fullmatch(p.book_channel("BTC-USD-PERP"))
    assert book is not None and (book["market"], book["feed"], book["params"]) == ("BTC-USD-PERP", "deltas", None)
    for channel in p.ALL_PRIVATE:
        private = p.PRIVATE_CHANNEL.fullmatch(channel)
        assert channel == p.POSITIONS_CHANNEL or (private is not None and private["market"] == "ALL")
        assert p.channel_kind(channel) in ("orders", "fills", "positions")
    params = p.BOOK_PARAMS.fullmatch("@15@100ms@0_1")
    assert params is not None and (params["rate"], params["tick"]) == ("100ms", "0_1")


def test_a_path_with_a_client_id_is_a_route_pattern_and_a_format() -> None:
    assert p.ORDER_BY_CLIENT_ID.format(client_id="c-1") == "/orders/by_client_id/c-1"
    assert "{client_id}" in p.ORDER_BY_CLIENT_ID and "{market}" in p.ORDERBOOK


def test_sides_are_buy_or_sell_and_nothing_else() -> None:
    for side in Side:
        assert p.side_of(p.side_text(side)) is side
    for not_one in ("buy", "", None, ["BUY"]):
        with pytest.raises(ValueError, match="BUY or SELL"):
            p.side_of(not_one)


@given(st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=8))
def test_decimals_are_plain_text_that_reads_back_the_same(value: Decimal) -> None:
    text = fmt(value)
    assert Decimal(text) == value
    assert "E" not in text and "e" not in text
    assert text == "0" or not text.endswith(("0", ".")) or "." not in text


def test_what_an_order_says_was_executed_and_why_it_closed() -> None:
    order = {"id": "9", "status": p.CLOSED, "size": "0.01", "remaining_size": "0.004", "avg_fill_price": "122000.5",
             "cancel_reason": "IOC_CANCEL"}
    assert p.executed(order) == (Decimal("0.006"), Decimal("122000.5"))
    assert p.closed_status(order) == "CLOSED IOC_CANCEL"
    assert p.closed_status({**order, "cancel_reason": ""}) == "CLOSED"
    assert p.executed({**order, "remaining_size": "0.01", "avg_fill_price": ""}) == (Decimal(0), None)
    with pytest.raises(KeyError):
        p.executed({"size": "0.01"})


def test_a_closed_position_is_flat_whatever_size_it_shows() -> None:
    assert p.position_size({"status": p.OPEN, "size": "-0.25"}) == Decimal("-0.25")
    assert p.position_size({"status": p.CLOSED, "size": "-0.25"}) == 0


def test_a_fill_reads_as_the_engines_fill_and_a_malformed_one_raises() -> None:
    data = {"id": "f-1", "client_id": "c-1", "order_id": "9", "market": "BTC-USD-PERP", "side": "SELL",
            "size": "0.002", "price": "121967.1", "fee": "", "created_at": 1750000000000}
    assert p.fill_of(data) == Fill("c-1", "9", "BTC-USD-PERP", Side.SELL, Decimal("0.002"), Decimal("121967.1"),
                                   Decimal(0), 1750000000000, "f-1")
    assert p.fill_of({**data, "client_id": "", "order_id": None}).client_id is None
    with pytest.raises(ValueError):
        p.fill_of({**data, "side": "SHORT"})
