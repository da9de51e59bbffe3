"""The ``/_sim/`` test hooks, the same on every simulated venue, over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from pyarb.model import Side
from pyarb.sim.exchange import MarketConfig, OrderSpec, SimExchange

MARKET = MarketConfig(
    symbol="BTC-TEST", tick=Decimal("0.1"), step=Decimal("0.0001"), min_size=Decimal("0.0001"),
    max_size=Decimal("10"), min_notional=Decimal("10"), taker_fee=Decimal("0.0002"), maker_fee=Decimal("0"),
)


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimExchange, TestClient]]:
    ex = SimExchange(venue="test", seed=1, markets=[MARKET], delta_hz=50)
    ex.add_account("alice")
    app = web.Application()
    ex.attach(app)
    async with TestClient(TestServer(app)) as client:
        yield ex, client


async def test_state_lists_positions_orders_and_fills(sim: tuple[SimExchange, TestClient]) -> None:
    ex, client = sim
    ex.place("alice", OrderSpec("c1", "BTC-TEST", Side.BUY, Decimal("0.005"), Decimal("130000"),
                                received_mono_ns=123))
    state = await (await client.get("/_sim/state")).json()
    assert state["positions"] == {"BTC-TEST": "0.005"}
    [order] = state["orders"]
    assert {k: order[k] for k in ("client_id", "side", "size", "filled", "status", "reduce_only", "received_mono_ns")} \
        == {"client_id": "c1", "side": "buy", "size": "0.005", "filled": "0.005", "status": "filled",
            "reduce_only": False, "received_mono_ns": 123}
    assert Decimal(order["avg_price"]) > 0
    assert {f["client_id"] for f in state["fills"]} == {"c1"}
    assert sum(Decimal(f["size"]) for f in state["fills"]) == Decimal("0.005")
    assert all(f["side"] == "buy" and Decimal(f["fee"]) > 0 for f in state["fills"])


async def test_faults_are_set_merged_and_cleared(sim: tuple[SimExchange, TestClient]) -> None:
    ex, client = sim
    reply = await client.post("/_sim/faults", json={
        "order_error": {"code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error", "http_status": 200, "count": 7},
        "fill_ratio": 0.76, "latency_ms": 250, "lose_response": {"count": 1}, "rate_limit": {"count": 3}})
    assert reply.status == 200
    faults = await reply.json()
    assert faults["order_error"] == {"code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error", "http_status": 200,
                                     "count": 7}
    assert (faults["fill_ratio"], faults["latency_ms"], faults["lose_response"], faults["rate_limit"]["count"]) \
        == ("0.76", 250, {"count": 1}, 3)
    reply = await client.post("/_sim/faults", json={"latency_ms": None, "lose_response": {"count": None}})
    faults = await reply.json()
    assert faults["latency_ms"] == 0 and faults["lose_response"] == {"count": None}
    assert faults["order_error"]["count"] == 7  # untouched
    cleared = await (await client.delete("/_sim/faults")).json()
    assert cleared["order_error"] is None and cleared["fill_ratio"] is None and cleared["lose_response"] is None


@pytest.mark.parametrize("body", [
    {"fill_ratio": 1.5}, {"latency": 5}, {"order_error": {"msg": "no code"}}, {"rate_limit": {"count": 0}},
    [], "x",
])
async def test_a_bad_faults_request_is_refused_and_changes_nothing(sim: tuple[SimExchange, TestClient],
                                                                   body: object) -> None:
    ex, client = sim
    await client.post("/_sim/faults", json={"latency_ms": 10})
    reply = await client.post("/_sim/faults", json=body)
    assert reply.status == 400
    assert "error" in await reply.json()
    assert ex.faults.latency_ms == 10 and ex.faults.fill_ratio is None


async def test_price_pins_the_mid_at_once_and_null_resumes_the_walk(sim: tuple[SimExchange, TestClient]) -> None:
    ex, client = sim
    seq = ex.books["BTC-TEST"].seq
    reply = await client.post("/_sim/price", json={"mid": "122384.5"})
    assert reply.status == 200
    book = ex.books["BTC-TEST"]
    assert book.seq == seq + 1  # published at once
    assert book.best_bid() < Decimal("122384.5") < book.best_ask()
    assert book.best_ask() - book.best_bid() < 2
    assert (await client.post("/_sim/price", json={"mid": None})).status == 200
    assert ex.mid_at("BTC-TEST", 0.0) != 122384.5
    for bad in ({"mid": "abc"}, {"mid": "-1"}, {"price": "1"}, {"mid": "1", "market": "NOPE"}):
        assert (await client.post("/_sim/price", json=bad)).status == 400


async def test_positions_are_set_for_the_default_account(sim: tuple[SimExchange, TestClient]) -> None:
    ex, client = sim
    reply = await client.post("/_sim/positions", json={"BTC-TEST": "-0.0012"})
    assert reply.status == 200
    assert ex.account("alice").position("BTC-TEST").size == Decimal("-0.0012")
    assert (await (await client.get("/_sim/state")).json())["positions"] == {"BTC-TEST": "-0.0012"}
    assert (await client.post("/_sim/positions", json={"NOPE": "1"})).status == 400
    assert (await client.post("/_sim/positions", json={"BTC-TEST": "one"})).status == 400
    assert ex.account("alice").position("BTC-TEST").size == Decimal("-0.0012")
