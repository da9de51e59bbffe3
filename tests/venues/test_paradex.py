"""The Paradex client against the Paradex simulator, over real loopback sockets: auth and JWT renewal, orders
under every fault, asking by client id, the book stream with a gap and its resync, reconnects, signatures."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
import websockets
from aiohttp import web

from pyarb import signing
from pyarb.books import Books
from pyarb.model import MarketSpec, OrderFinal, OrderNotFound, OrderOpen, OrderRequest, Side
from pyarb.secrets import Secret
from pyarb.sim.exchange import EXCHANGE, OrderSpec, SimExchange, TimeInForce
from pyarb.sim.paradex import SIM_ACCOUNT, SIM_CHAIN_ID, SIM_PRIVATE_KEY, build_app
from pyarb.venues.base import Accepted, RateLimited, Rejected, Unknown, VenueClient
from pyarb.venues.paradex import ParadexClient, ParadexEndpoints, ParadexError

MARKET = "BTC-USD-PERP"


@dataclass
class Sim:
    url: str
    exchange: SimExchange
    runner: web.AppRunner
    http: aiohttp.ClientSession

    async def hook(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.url}{path}", json=body) as reply:
            assert reply.status == 200, await reply.text()
            return await reply.json()

    async def state(self) -> dict[str, Any]:
        return await self.hook("GET", "/_sim/state")

    async def faults(self, **faults: Any) -> None:
        await self.hook("POST", "/_sim/faults", faults)


async def start_sim(state_path: Path | None = None, **kwargs: Any) -> Sim:
    app = build_app(seed=1, state_path=state_path, delta_hz=20, **kwargs)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return Sim(f"http://{host}:{port}", app[EXCHANGE], runner, aiohttp.ClientSession())


async def stop_sim(sim: Sim) -> None:
    await sim.http.close()
    await sim.runner.cleanup()


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    sim = await start_sim()
    yield sim
    await stop_sim(sim)


def make_client(sim: Sim, key: str = SIM_PRIVATE_KEY, account: str = SIM_ACCOUNT, **kwargs: Any) -> ParadexClient:
    return ParadexClient(ParadexEndpoints.from_base_url(sim.url), account, Secret(key), **kwargs)


@pytest.fixture
async def client(sim: Sim) -> AsyncIterator[ParadexClient]:
    client = make_client(sim)
    await client.start()
    await asyncio.wait_for(client.private_stream_ready.wait(), 10)
    yield client
    await client.close()


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def buy(cid: str, size: str = "0.005", price: str = "130000", reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(cid, MARKET, Side.BUY, Decimal(size), Decimal(price), reduce_only)


def sell(cid: str, size: str = "0.005", price: str = "100000", reduce_only: bool = False) -> OrderRequest:
    return OrderRequest(cid, MARKET, Side.SELL, Decimal(size), Decimal(price), reduce_only)


def orders_of(state: dict[str, Any], cid: str) -> list[dict[str, Any]]:
    return [o for o in state["orders"] if o["client_id"] == cid]


# --- endpoints ----------------------------------------------------------------------------------------------


def test_endpoints_from_one_base_url_and_from_the_real_venue() -> None:
    assert ParadexEndpoints.from_base_url("http://127.0.0.1:8123") == \
        ParadexEndpoints("http://127.0.0.1:8123/v1", "ws://127.0.0.1:8123/v1")
    assert ParadexEndpoints.for_env("prod") == \
        ParadexEndpoints("https://api.prod.paradex.trade/v1", "wss://ws.api.prod.paradex.trade/v1")
    assert ParadexEndpoints.for_env("testnet").ws == "wss://ws.api.testnet.paradex.trade/v1"
    with pytest.raises(ValueError):
        ParadexEndpoints.from_base_url("127.0.0.1:8123")


# --- start, metadata, health ----------------------------------------------------------------------------------


async def test_start_learns_the_market_and_the_venue_is_healthy(client: ParadexClient) -> None:
    assert isinstance(client, VenueClient)
    spec = client.market_spec(MARKET)
    assert (spec.tick, spec.step, spec.max_size, spec.taker_fee) == \
        (Decimal("0.1"), Decimal("0.00001"), Decimal("100"), Decimal("0.0002"))
    # the minimum notional of 100 USD at ~122,000 (with a cushion for the price to move)
    assert Decimal("0.0008") < spec.min_size < Decimal("0.001") and spec.min_size % spec.step == 0
    health = await client.health()
    assert health.ok and "ok" in health.detail
    assert "0x" not in repr(Secret(SIM_PRIVATE_KEY)) and SIM_PRIVATE_KEY not in repr(client)


async def test_health_of_an_unreachable_venue_is_not_ok() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ParadexClient(ParadexEndpoints.from_base_url(f"http://127.0.0.1:{port}"), SIM_ACCOUNT,
                           Secret(SIM_PRIVATE_KEY))
    with pytest.raises(ParadexError, match="system config"):
        await client.start()
    health = await client.health()
    assert not health.ok
    await client.close()


# --- auth ---------------------------------------------------------------------------------------------------


async def test_auth_with_the_wrong_key_or_an_unknown_account_is_refused(sim: Sim) -> None:
    wrong_key = make_client(sim, key="0x1234567")
    with pytest.raises(ParadexError, match="STARKNET_SIGNATURE_VERIFICATION_FAILED"):
        await wrong_key.start()
    await wrong_key.close()
    stranger = make_client(sim, account="0x1234")
    with pytest.raises(ParadexError, match="NOT_ONBOARDED"):
        await stranger.start()
    await stranger.close()


def onboarding_headers(account: str, key: str) -> dict[str, str]:
    signed = signing.ParadexSigner(Secret(key), account, SIM_CHAIN_ID).sign_onboarding()
    return {"PARADEX-ETHEREUM-ACCOUNT": "0x51a0000000000000000000000000000000000002",
            "PARADEX-STARKNET-ACCOUNT": account, "PARADEX-STARKNET-SIGNATURE": signed.signature}


async def test_onboarding_registers_another_key_for_another_account(sim: Sim) -> None:
    account, key = "0x2345", "0x7654321"
    public_key = signing.paradex_public_key(Secret(key))
    headers = onboarding_headers(account, key)
    async with sim.http.post(f"{sim.url}/v1/onboarding", json={"public_key": public_key}, headers=headers) as reply:
        assert reply.status == 200
    async with sim.http.post(f"{sim.url}/v1/onboarding", json={"public_key": public_key}, headers=headers) as reply:
        assert reply.status == 200  # idempotent
    async with sim.http.post(f"{sim.url}/v1/onboarding", json={"public_key": "0x99"}, headers=headers) as reply:
        assert (await reply.json())["error"] == "PUBLIC_KEY_INVALID"  # the account keeps its key
    client = make_client(sim, key=key, account=account)
    await client.start()
    try:
        assert isinstance(await client.place_order(buy("onboarded-1")), Accepted)
        state = await sim.hook("GET", f"/_sim/state?account={account}")
        assert [o["client_id"] for o in state["orders"]] == ["onboarded-1"]
        assert (await sim.state())["orders"] == []  # the built-in account is another one
    finally:
        await client.close()


@pytest.mark.parametrize("signed_by, signed_for, signature", [
    ("0x1234567", "0x2345", None),  # another key than the one registered
    ("0x7654321", "0x2346", None),  # the right key, for another account
    ("0x7654321", "0x2345", '["1","2"]'),  # well formed, but no signature at all
])
async def test_onboarding_with_a_signature_that_does_not_verify_is_refused(
        sim: Sim, signed_by: str, signed_for: str, signature: str | None) -> None:
    account, public_key = "0x2345", signing.paradex_public_key(Secret("0x7654321"))
    headers = {**onboarding_headers(signed_for, signed_by), "PARADEX-STARKNET-ACCOUNT": account}
    if signature is not None:
        headers["PARADEX-STARKNET-SIGNATURE"] = signature
    async with sim.http.post(f"{sim.url}/v1/onboarding", json={"public_key": public_key}, headers=headers) as reply:
        assert reply.status == 401
        assert (await reply.json())["error"] == "STARKNET_SIGNATURE_VERIFICATION_FAILED"
    assert account not in sim.exchange.accounts  # nothing was registered
    client = make_client(sim, key="0x7654321", account=account)
    with pytest.raises(ParadexError, match="NOT_ONBOARDED"):
        await client.start()
    await client.close()


async def test_auth_under_the_public_key_path_checks_the_key(sim: Sim) -> None:
    signer = signing.ParadexSigner(Secret(SIM_PRIVATE_KEY), SIM_ACCOUNT, SIM_CHAIN_ID)
    now = int(time.time())
    _, r, s = signer.sign_auth(timestamp=now, expiration=now + 600)
    headers = {"PARADEX-STARKNET-ACCOUNT": SIM_ACCOUNT, "PARADEX-STARKNET-SIGNATURE": f'["{r}","{s}"]',
               "PARADEX-TIMESTAMP": str(now), "PARADEX-SIGNATURE-EXPIRATION": str(now + 600)}
    async with sim.http.post(f"{sim.url}/v1/auth/{signer.public_key}", headers=headers) as reply:
        assert reply.status == 200 and (await reply.json())["jwt_token"].count(".") == 2
    async with sim.http.post(f"{sim.url}/v1/auth/0x1234", headers=headers) as reply:
        assert (await reply.json())["error"] == "PUBLIC_KEY_INVALID"
    stale = {**headers, "PARADEX-SIGNATURE-EXPIRATION": str(now - 1)}
    async with sim.http.post(f"{sim.url}/v1/auth", headers=stale) as reply:
        assert (await reply.json())["error"] == "INVALID_TIMESTAMP"
    moved = {**headers, "PARADEX-TIMESTAMP": str(now + 1)}  # not what was signed
    async with sim.http.post(f"{sim.url}/v1/auth", headers=moved) as reply:
        assert reply.status == 401 and (await reply.json())["error"] == "STARKNET_SIGNATURE_VERIFICATION_FAILED"


async def test_the_jwt_is_renewed_before_it_expires() -> None:
    sim = await start_sim(jwt_lifetime=3)
    client = make_client(sim)
    try:
        await client.start()
        first = client._token()
        await eventually(lambda: client._token() != first)
        # the first token expires at the venue; the client no longer needs it
        async def first_refused() -> bool:
            async with sim.http.get(f"{sim.url}/v1/positions", headers={"Authorization": f"Bearer {first}"}) as r:
                return r.status == 401 and (await r.json())["error"] == "INVALID_TOKEN"
        await eventually(first_refused)
        assert (await client.positions()).by_market == {}
        assert isinstance(await client.place_order(buy("renewed-1")), Accepted)
    finally:
        await client.close()
        await stop_sim(sim)


async def test_private_calls_need_a_valid_bearer_token(sim: Sim) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Bearer a.b.c"}):
        async with sim.http.get(f"{sim.url}/v1/fills", headers=headers) as reply:
            assert reply.status == 401
            assert (await reply.json())["error"] == "INVALID_TOKEN"


async def test_websocket_auth_refuses_malformed_and_invalid_tokens(sim: Sim) -> None:
    ws_url = ParadexEndpoints.from_base_url(sim.url).ws
    async with websockets.connect(ws_url) as ws:
        await ws.send(orjson.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": "fills.ALL"},
                                    "id": 1}).decode())
        assert orjson.loads(await ws.recv())["error"]["code"] == 40110  # not authenticated
        await ws.send('{"jsonrpc":"2.0","method":"auth","params":{"bearer":"garbage"},"id":2}')
        assert orjson.loads(await ws.recv())["error"]["code"] == 40110
        await ws.send('{"jsonrpc":"2.0","method":"auth","params":{"bearer":"eyJ.e30.AAAA"},"id":3}')
        reply = orjson.loads(await ws.recv())
        assert reply["error"] == {"code": 40111, "message": "Invalid bearer token"} and reply["id"] == 3
        await ws.send("{not json")
        assert orjson.loads(await ws.recv())["error"]["code"] == -32700
        await ws.send('{"jsonrpc":"2.0","method":"frobnicate","id":4}')
        assert orjson.loads(await ws.recv())["error"]["code"] == -32601
        await ws.send(orjson.dumps({"jsonrpc": "2.0", "method": "subscribe", "id": 5,
                                    "params": {"channel": f"order_book.{MARKET}.deltas@15@50ms"}}).decode())
        assert "no parameters expected" in orjson.loads(await ws.recv())["error"]["message"]


# --- signatures ---------------------------------------------------------------------------------------------


async def test_a_tampered_order_signature_is_rejected_and_nothing_executes(sim: Sim, client: ParadexClient) -> None:
    signer = signing.ParadexSigner(Secret(SIM_PRIVATE_KEY), SIM_ACCOUNT, SIM_CHAIN_ID)
    ts = int(time.time() * 1000)
    _, r, s = signer.sign_order(timestamp_ms=ts, market=MARKET, side=Side.BUY, size="0.005", price="130000")
    good = {"market": MARKET, "side": "BUY", "type": "LIMIT", "size": "0.005", "price": "130000",
            "instruction": "IOC", "client_id": "tamper", "signature": f'["{r}","{s}"]', "signature_timestamp": ts}
    headers = {"Authorization": f"Bearer {client._token()}"}
    tampered = [
        {**good, "signature": f'["{int(r) + 1}","{s}"]'},
        {**good, "size": "0.5"},  # signed for 0.005
        {**good, "side": "SELL"},
        {**good, "signature_timestamp": ts + 1},
        {**good, "signature": '["1","2"]'},
    ]
    for body in tampered:
        async with sim.http.post(f"{sim.url}/v1/orders", data=orjson.dumps(body), headers=headers) as reply:
            assert reply.status == 400
            assert (await reply.json())["error"] == "INVALID_ORDER_SIGNATURE"
    async with sim.http.post(f"{sim.url}/v1/orders", data=orjson.dumps({**good, "signature": "r,s"}),
                             headers=headers) as reply:
        assert (await reply.json())["error"] == "INVALID_ORDER_SIGNATURE"
    assert (await sim.state())["orders"] == []
    async with sim.http.post(f"{sim.url}/v1/orders", data=orjson.dumps(good), headers=headers) as reply:
        assert reply.status == 201  # the untouched order is fine
        assert (await reply.json())["status"] == "NEW"


# --- orders -------------------------------------------------------------------------------------------------


async def test_an_ioc_order_fills_and_every_view_agrees(sim: Sim, client: ParadexClient) -> None:
    before_ns = time.monotonic_ns()
    placed = await client.place_order(buy("fill-1"))
    assert isinstance(placed, Accepted) and placed.venue_order_id
    final = await client.await_final("fill-1", MARKET, timeout=5)
    assert isinstance(final, OrderFinal)
    assert final.filled == Decimal("0.005") and final.venue_order_id == placed.venue_order_id
    state = await sim.state()
    [order] = orders_of(state, "fill-1")
    fills = [f for f in state["fills"] if f["client_id"] == "fill-1"]
    assert order["status"] == "filled" and order["side"] == "buy" and order["received_mono_ns"] >= before_ns
    assert final.fee == sum(Decimal(f["fee"]) for f in fills) > 0
    assert final.avg_price == Decimal(order["avg_price"])
    asked = await client.get_order("fill-1", MARKET)  # by_client_id misses a closed order; the history has it
    assert asked == final
    assert (await client.positions()).by_market == {MARKET: Decimal("0.005")}
    await eventually(lambda: (client.streamed_positions() or None) is not None
                     and client.streamed_positions().by_market.get(MARKET) == Decimal("0.005"))
    got = await client.fills_since(0)
    assert [(f.client_id, f.side, f.size) for f in got.fills] == [("fill-1", Side.BUY, Decimal(f["size"]))
                                                                   for f in reversed(fills)]
    assert isinstance(await client.place_order(sell("fill-2")), Accepted)
    assert isinstance(await client.await_final("fill-2", MARKET, 5), OrderFinal)
    assert (await client.positions()).by_market == {MARKET: Decimal(0)}


async def test_an_order_that_never_existed_is_not_found(client: ParadexClient) -> None:
    assert await client.get_order("never-sent", MARKET) == OrderNotFound("never-sent")


async def test_an_order_below_the_minimum_notional_is_rejected(client: ParadexClient) -> None:
    outcome = await client.place_order(buy("tiny", size="0.0001"))
    assert isinstance(outcome, Rejected) and outcome.code == "INVALID_ORDER_SIZE"


async def test_an_open_order_is_open_and_can_be_cancelled(sim: Sim, client: ParadexClient) -> None:
    sim.exchange.place(SIM_ACCOUNT, OrderSpec("resting", MARKET, Side.BUY, Decimal("0.001"), Decimal("100000"),
                                              tif=TimeInForce.GTC))
    order_id = sim.exchange.account(SIM_ACCOUNT).by_client_id["resting"]
    assert await client.get_order("resting", MARKET) == OrderOpen("resting", Decimal(0), None, order_id)
    assert await client.cancel_order("resting", MARKET) == Accepted()
    final = await client.get_order("resting", MARKET)
    assert isinstance(final, OrderFinal) and final.filled == 0 and "USER_CANCELED" in final.status
    closed = await client.cancel_order("resting", MARKET)
    assert isinstance(closed, Rejected) and closed.code == "ORDER_IS_CLOSED"
    unknown = await client.cancel_order("nothing-here", MARKET)
    assert isinstance(unknown, Rejected) and unknown.code == "CLIENT_ORDER_ID_NOT_FOUND"


async def test_reduce_only_only_reduces(sim: Sim, client: ParadexClient) -> None:
    await sim.hook("POST", "/_sim/positions", {MARKET: "0.003"})
    assert isinstance(await client.place_order(sell("ro-1", reduce_only=True)), Accepted)
    final = await client.await_final("ro-1", MARKET, timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == Decimal("0.003")
    assert (await client.positions()).by_market[MARKET] == 0
    assert isinstance(await client.place_order(sell("ro-2", reduce_only=True)), Accepted)
    nothing = await client.await_final("ro-2", MARKET, timeout=5)
    assert isinstance(nothing, OrderFinal) and nothing.filled == 0
    assert [o["reduce_only"] for o in (await sim.state())["orders"]] == [True, True]


# --- faults -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("http_status", "expected"), [(400, Rejected), (200, Unknown), (503, Unknown)])
async def test_an_order_error_is_rejected_or_unknown_and_nothing_executes(
        sim: Sim, client: ParadexClient, http_status: int, expected: type) -> None:
    await sim.faults(order_error={"code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error",
                                  "http_status": http_status, "count": 2})
    for cid in ("err-1", "err-2"):
        outcome = await client.place_order(buy(cid))
        assert isinstance(outcome, expected)
        if isinstance(outcome, Rejected):
            assert (outcome.code, outcome.message) == ("GATEWAY_INTERNAL_ERROR", "unknown error")
        assert await client.get_order(cid, MARKET) == OrderNotFound(cid)
    assert (await sim.state())["orders"] == []
    assert isinstance(await client.place_order(buy("err-3")), Accepted)  # the count ran out


async def test_a_rate_limit_says_when_to_retry_and_nothing_executes(sim: Sim, client: ParadexClient) -> None:
    await sim.faults(rate_limit={"count": 1, "retry_after": 2})
    assert await client.place_order(buy("rl-1")) == RateLimited(2.0)
    assert await client.get_order("rl-1", MARKET) == OrderNotFound("rl-1")
    assert isinstance(await client.place_order(buy("rl-2")), Accepted)


async def test_a_lost_response_is_unknown_the_order_is_found_and_never_duplicated(
        sim: Sim, client: ParadexClient) -> None:
    await sim.faults(lose_response={"count": 1})
    lost = await client.place_order(buy("lost-1"))
    assert isinstance(lost, Unknown)
    found = await client.get_order("lost-1", MARKET)
    assert isinstance(found, OrderFinal) and found.filled == Decimal("0.005")
    again = await client.place_order(buy("lost-1"))
    assert isinstance(again, Rejected) and again.code == "DUPLICATED_CLIENT_ID"
    state = await sim.state()
    assert len(orders_of(state, "lost-1")) == 1
    assert state["positions"] == {MARKET: "0.005"}


async def test_a_slow_response_past_the_timeout_is_unknown_and_the_order_is_found(sim: Sim) -> None:
    client = make_client(sim, order_timeout=0.2)
    await client.start()
    try:
        await sim.faults(latency_ms=1000)
        outcome = await client.place_order(buy("slow-1"))
        assert isinstance(outcome, Unknown)
        final = await client.await_final("slow-1", MARKET, timeout=5)
        assert isinstance(final, OrderFinal) and final.filled == Decimal("0.005")
        await sim.faults(latency_ms=50)
        assert isinstance(await client.place_order(buy("slow-2")), Accepted)
    finally:
        await client.close()


async def test_fill_ratio_fills_part_and_cancels_the_rest(sim: Sim, client: ParadexClient) -> None:
    await sim.faults(fill_ratio=0.76)
    assert isinstance(await client.place_order(sell("part-1")), Accepted)
    final = await client.await_final("part-1", MARKET, timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == Decimal("0.0038")
    assert final.status.startswith("CLOSED")
    assert (await client.positions()).by_market[MARKET] == Decimal("-0.0038")


# --- streams ------------------------------------------------------------------------------------------------


def _paradex_books() -> Books:
    d = Decimal
    edgex = MarketSpec("BTCUSD", d("0.1"), d("0.001"), d("0.001"), d("100"), d("0.00038"))
    paradex = MarketSpec(MARKET, d("0.1"), d("0.00001"), d("0.001"), d("100"), d("0.0002"))
    return Books(edgex, paradex, min_edge_bps=Decimal("1"), max_size=Decimal("0.01"), max_age_ms=5000)


def _data(frame: bytes) -> dict[str, Any] | None:
    message = orjson.loads(frame)
    return message["params"]["data"] if message.get("method") == "subscription" else None


async def test_a_gap_in_the_book_stream_is_detected_and_resynced(sim: Sim, client: ParadexClient) -> None:
    books = _paradex_books()
    frames = client.book_frames(MARKET)
    kinds: list[str] = []
    seqs_after_resync: list[int] = []
    resynced = False
    async with asyncio.timeout(20):
        async for frame in frames:
            result = books.on_frame("paradex", frame, int(time.time() * 1000))
            data = _data(frame)
            if data is None:
                continue
            kinds.append(result.kind)
            if len(kinds) == 5:
                await sim.faults(seq_gap=True)
            if result.resync:
                assert result.reason == "gap"
                await client.resync_book(MARKET)
                resynced = True
            elif resynced:
                seqs_after_resync.append(data["seq_no"])
                if data["update_type"] == "s":
                    assert result.kind == "applied"
                if len(seqs_after_resync) == 10:
                    break
    await frames.aclose()
    assert kinds[0] == "applied" and "rejected" in kinds
    assert seqs_after_resync == list(range(seqs_after_resync[0], seqs_after_resync[0] + 10))
    bids, asks = books.levels("paradex", 1)
    assert Decimal(bids[0][0]) < Decimal(asks[0][0])


async def test_the_book_stream_starts_with_a_snapshot_and_deltas_follow_one_apart(client: ParadexClient) -> None:
    frames = client.book_frames(MARKET)
    book_frames: list[dict[str, Any]] = []
    async with asyncio.timeout(20):
        async for frame in frames:
            assert isinstance(frame, bytes)
            data = _data(frame)
            if data is not None:
                book_frames.append(data)
            if len(book_frames) == 6:
                break
    await frames.aclose()
    assert [d["update_type"] for d in book_frames] == ["s", "d", "d", "d", "d", "d"]
    seqs = [d["seq_no"] for d in book_frames]
    assert seqs == list(range(seqs[0], seqs[0] + 6))
    assert len([lv for lv in book_frames[0]["inserts"] if lv["side"] == "BUY"]) == 40


async def test_the_snapshot_channel_sends_the_top_15_levels_again_and_again(sim: Sim) -> None:
    channel = f"order_book.{MARKET}.snapshot@15@50ms"
    async with websockets.connect(ParadexEndpoints.from_base_url(sim.url).ws) as ws:
        await ws.send(orjson.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": channel},
                                    "id": 1}).decode())
        assert orjson.loads(await ws.recv())["result"] == {"channel": channel}
        snapshots = [orjson.loads(await asyncio.wait_for(ws.recv(), 5))["params"] for _ in range(3)]
    assert {s["channel"] for s in snapshots} == {channel}
    for data in (s["data"] for s in snapshots):
        assert data["update_type"] == "s" and data["market"] == MARKET
        assert len([lv for lv in data["inserts"] if lv["side"] == "BUY"]) == 15
        assert len([lv for lv in data["inserts"] if lv["side"] == "SELL"]) == 15
    assert [s["data"]["seq_no"] for s in snapshots] == sorted({s["data"]["seq_no"] for s in snapshots})


async def test_both_streams_reconnect_after_ws_drop(sim: Sim, client: ParadexClient) -> None:
    frames = client.book_frames(MARKET)
    snapshots = 0
    async with asyncio.timeout(30):
        async for frame in frames:
            data = _data(frame)
            if data is None or data["update_type"] != "s":
                continue
            snapshots += 1
            if snapshots == 1:
                await sim.faults(ws_drop=True)
            else:
                break
    await frames.aclose()
    assert snapshots == 2  # the reconnect subscribed again and got a fresh snapshot
    # the private stream came back too: a position change arrives through it
    await eventually(lambda: client.private_stream_ready.is_set() and bool(sim.exchange.connections))
    assert isinstance(await client.place_order(buy("after-drop")), Accepted)
    await eventually(lambda: client.streamed_positions() is not None
                     and client.streamed_positions().by_market.get(MARKET) == Decimal("0.005"))


async def test_repeated_private_messages_are_dropped(client: ParadexClient) -> None:
    fill = {"id": "f1", "order_id": "o1", "client_id": "c1", "market": MARKET, "side": "BUY", "size": "0.001",
            "price": "122000", "fee": "0.0244", "created_at": 1}
    order = {"id": "o1", "client_id": "c1", "market": MARKET, "status": "CLOSED", "size": "0.001",
             "remaining_size": "0", "avg_fill_price": "122000", "seq_no": 7, "cancel_reason": ""}
    for _ in range(3):  # as a reconnect might replay them
        client._on_private({"channel": "fills.ALL", "data": fill})
        client._on_private({"channel": "orders.ALL", "data": order})
    final = await client.await_final("c1", MARKET, timeout=1)
    assert final == OrderFinal("c1", Decimal("0.001"), Decimal("122000"), Decimal("0.0244"), "CLOSED", "o1")


async def test_a_closed_order_is_final_once_its_fills_have_arrived(client: ParadexClient) -> None:
    order = {"id": "o2", "client_id": "c2", "market": MARKET, "status": "CLOSED", "size": "0.002",
             "remaining_size": "0", "avg_fill_price": "122000", "seq_no": 9, "cancel_reason": ""}
    fills = [{"id": f"f2{i}", "order_id": "o2", "client_id": "c2", "market": MARKET, "side": "SELL",
              "size": "0.001", "price": "122000", "fee": "0.0244", "created_at": 1} for i in range(2)]
    waiting = asyncio.create_task(client.await_final("c2", MARKET, timeout=10))
    client._on_private({"channel": "orders.ALL", "data": order})  # the order's last update comes first
    client._on_private({"channel": "fills.ALL", "data": fills[0]})
    await asyncio.sleep(0.05)
    assert not waiting.done()
    client._on_private({"channel": "fills.ALL", "data": fills[1]})
    final = await waiting
    assert (final.filled, final.fee) == (Decimal("0.002"), Decimal("0.0488"))
    client._on_private({"channel": "fills.ALL", "data": {"id": "bad", "order_id": "o3", "size": "lots"}})  # ignored


# --- persistence --------------------------------------------------------------------------------------------


async def test_orders_fills_and_positions_survive_a_restart_of_the_simulator(tmp_path: Path) -> None:
    state = tmp_path / "paradex.state"
    sim = await start_sim(state)
    client = make_client(sim)
    await client.start()
    assert isinstance(await client.place_order(buy("kept-1")), Accepted)
    first = await client.await_final("kept-1", MARKET, timeout=5)
    await client.close()
    await stop_sim(sim)

    sim = await start_sim(state)
    client = make_client(sim)
    await client.start()
    try:
        assert await client.get_order("kept-1", MARKET) == first
        assert (await client.positions()).by_market == {MARKET: Decimal("0.005")}
        again = await client.place_order(buy("kept-1"))
        assert isinstance(again, Rejected) and again.code == "DUPLICATED_CLIENT_ID"
        assert len((await client.fills_since(0)).fills) == len((await sim.state())["fills"]) > 0
    finally:
        await client.close()
        await stop_sim(sim)
