"""The EdgeX V2 client against the EdgeX simulator, over real loopback sockets (an in-process aiohttp server)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
from decimal import Decimal
from typing import Any, AsyncIterator

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from pyarb.books import Books
from pyarb.model import MarketSpec, OrderFinal, OrderNotFound, OrderRequest, Side
from pyarb.secrets import Secret
from pyarb.sim.edgex import SIM_ACCOUNT_ID, SIM_API_SECRET, SIM_CREDENTIALS, SIM_KEY, EdgexSim, build_app
from pyarb.venues.base import Accepted, Positions, RateLimited, Rejected, Unknown
from pyarb.venues.edgex import protocol as p
from pyarb.venues.edgex.client import EdgexClient, create_order_body

MID = "122000"


@dataclasses.dataclass
class Venue:
    url: str
    sim: EdgexSim
    server: TestServer

    async def hook(self, method: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession() as s:
            async with s.request(method, self.url + path, data=None if body is None else orjson.dumps(body)) as r:
                assert r.status == 200, await r.text()
                return orjson.loads(await r.read())

    async def orders(self, client_id: str) -> list[dict]:
        state = await self.hook("GET", "/_sim/state")
        return [o for o in state["orders"] if o["client_id"] == client_id]


async def _serve(app: web.Application) -> Venue:
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    venue = Venue(str(server.make_url("")).rstrip("/"), app[SIM_KEY], server)
    await venue.hook("POST", "/_sim/price", {"mid": MID})
    return venue


@pytest.fixture
async def venue() -> AsyncIterator[Venue]:
    venue = await _serve(build_app(seed=7, delta_hz=50, ping_every=0.2))
    yield venue
    await venue.server.close()


async def _client(url: str, **kwargs: Any) -> EdgexClient:
    client = EdgexClient(kwargs.pop("credentials", SIM_CREDENTIALS), url, timeout=kwargs.pop("timeout", 2.0),
                         poll_interval=0.05, **kwargs)
    await client.start()
    return client


@pytest.fixture
async def client(venue: Venue) -> AsyncIterator[EdgexClient]:
    client = await _client(venue.url)
    yield client
    await client.close()


def ioc(client_id: str, side: Side = Side.BUY, size: str = "0.005", price: str | None = None,
        reduce_only: bool = False) -> OrderRequest:
    limit = Decimal(price) if price else Decimal(MID) * (Decimal("1.01") if side is Side.BUY else Decimal("0.99"))
    return OrderRequest(client_id, "BTCUSD", side, Decimal(size), limit, reduce_only)


def _flip(hex_text: str) -> str:
    """One hex digit changed."""
    return ("1" if hex_text[0] != "1" else "2") + hex_text[1:]


def _depth(frame: bytes) -> dict:
    return orjson.loads(frame)["content"]["data"][0]


# --- HMAC request auth ----------------------------------------------------------------------------------


async def test_hmac_signed_requests_are_accepted_and_bad_ones_refused(venue: Venue, client: EdgexClient) -> None:
    params = {"accountId": SIM_ACCOUNT_ID, "contractIdList": "10000001"}
    good = client.auth_headers("GET", p.POSITIONS, p.query_content(params))
    # The signature is the V2 SDK's: hex HMAC-SHA256 keyed with base64(secret) over ts + METHOD + path + content.
    message = f"{good[p.H_TIMESTAMP]}GET{p.POSITIONS}accountId={SIM_ACCOUNT_ID}&contractIdList=10000001"
    key = base64.b64encode(SIM_API_SECRET.encode())
    assert good[p.H_SIGNATURE] == hmac.new(key, message.encode(), hashlib.sha256).hexdigest()

    stale = dict(good)
    stale[p.H_TIMESTAMP] = str(int(good[p.H_TIMESTAMP]) - 120_000)
    cases = {
        "SUCCESS": (good, params),
        "INVALID_SIGNATURE": (dict(good, **{p.H_SIGNATURE: _flip(good[p.H_SIGNATURE])}), params),
        "INVALID_SIGNATURE ": (good, dict(params, contractIdList="10000002")),  # the query is not what was signed
        "INVALID_TIMESTAMP": (stale, params),
        "INVALID_PASSPHRASE": (dict(good, **{p.H_PASSPHRASE: "wrong"}), params),
        "INVALID_API_KEY": (dict(good, **{p.H_KEY: "no-such-key"}), params),
    }
    async with aiohttp.ClientSession() as s:
        for expected, (headers, query) in cases.items():
            async with s.get(venue.url + p.POSITIONS, params=query, headers=headers) as r:
                body = orjson.loads(await r.read())
            assert body["code"] == expected.strip(), expected
            assert (r.status == 200) == (expected == "SUCCESS")
            assert body["traceId"]


async def test_a_client_with_a_wrong_secret_cannot_start(venue: Venue) -> None:
    creds = dataclasses.replace(SIM_CREDENTIALS, api_secret=Secret("not-the-secret"))
    client = EdgexClient(creds, venue.url, timeout=2.0)
    with pytest.raises(RuntimeError, match="refused the API credentials"):
        await client.start()
    await client.close()


async def test_an_order_with_a_bad_request_signature_is_rejected_and_creates_nothing(
        venue: Venue, client: EdgexClient) -> None:
    client._creds = dataclasses.replace(SIM_CREDENTIALS, api_secret=Secret("not-the-secret"))
    outcome = await client.place_order(ioc("bad-hmac"))
    assert isinstance(outcome, Rejected) and outcome.code == "INVALID_SIGNATURE"
    assert await venue.orders("bad-hmac") == []


# --- EIP-712 order signatures ---------------------------------------------------------------------------


class _Tampering:
    """The client's real signer, with one digit of every signature changed."""

    def __init__(self, signer: Any) -> None:
        self._signer = signer

    def sign_order(self, **order: Any) -> Any:
        signed = self._signer.sign_order(**order)
        return dataclasses.replace(signed, signature=_flip(signed.signature))


async def test_a_tampered_l2_signature_is_rejected(venue: Venue, client: EdgexClient) -> None:
    client._signers["BTCUSD"] = _Tampering(client._signers["BTCUSD"])
    outcome = await client.place_order(ioc("tampered"))
    assert isinstance(outcome, Rejected) and outcome.code == "INVALID_L2_SIGNATURE"
    assert await venue.orders("tampered") == []


async def test_an_order_signed_by_another_key_is_rejected(venue: Venue) -> None:
    creds = dataclasses.replace(SIM_CREDENTIALS, trading_private_key=Secret("0x" + "77" * 32))
    client = await _client(venue.url, credentials=creds)
    try:
        outcome = await client.place_order(ioc("other-signer"))
    finally:
        await client.close()
    assert isinstance(outcome, Rejected) and outcome.code == "INVALID_L2_SIGNATURE"
    assert outcome.trace_id


# --- orders ---------------------------------------------------------------------------------------------


async def test_an_ioc_order_fills_and_is_found_by_client_id(venue: Venue, client: EdgexClient) -> None:
    outcome = await client.place_order(ioc("fill-1"))
    assert isinstance(outcome, Accepted) and outcome.venue_order_id
    final = await client.await_final("fill-1", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.status == "FILLED" and final.filled == Decimal("0.005")
    assert final.fee > 0 and final.avg_price is not None and final.avg_price > Decimal(MID)
    assert await client.get_order("fill-1", "BTCUSD") == final  # from history: it is no longer working
    assert (await client.positions()).by_market == {"BTCUSD": Decimal("0.005")}
    fills = (await client.fills_since(0)).fills
    assert sum(f.size for f in fills) == Decimal("0.005")
    assert {f.client_id for f in fills} == {"fill-1"} and {f.side for f in fills} == {Side.BUY}
    assert await client.get_order("never-sent", "BTCUSD") == OrderNotFound("never-sent")


async def test_an_internal_error_on_create_order_is_unknown_until_asked(venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"order_error": {
        "code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error", "http_status": 200, "count": 1}})
    outcome = await client.place_order(ioc("gie-1"))
    assert isinstance(outcome, Unknown)
    assert "GATEWAY_INTERNAL_ERROR" in outcome.reason and "unknown error" in outcome.reason
    assert await client.get_order("gie-1", "BTCUSD") == OrderNotFound("gie-1")
    assert isinstance(await client.place_order(ioc("gie-2")), Accepted)  # the count is spent


async def test_a_refusal_code_on_create_order_is_rejected(venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"order_error": {"code": "ORDER_PRICE_INVALID", "msg": "bad price"}})
    outcome = await client.place_order(ioc("refused"))
    assert isinstance(outcome, Rejected)
    assert (outcome.code, outcome.message) == ("ORDER_PRICE_INVALID", "bad price") and outcome.trace_id
    assert await venue.orders("refused") == []


async def test_a_5xx_on_create_order_is_unknown(venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"order_error": {
        "code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error", "http_status": 502, "count": 1}})
    outcome = await client.place_order(ioc("five-oh-two"))
    assert isinstance(outcome, Unknown) and "HTTP 502" in outcome.reason


async def test_a_partial_ioc_ends_canceled_with_its_filled_quantity(venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"fill_ratio": 0.76})
    assert isinstance(await client.place_order(ioc("partial")), Accepted)
    final = await client.await_final("partial", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.status == "CANCELED"
    assert final.filled == Decimal("0.003")  # 0.76 of 0.005, down to EdgeX's step of 0.001
    assert (await client.positions()).by_market["BTCUSD"] == Decimal("0.003")


async def test_latency_within_the_timeout_is_accepted_beyond_it_unknown(venue: Venue) -> None:
    await venue.hook("POST", "/_sim/faults", {"latency_ms": 300})
    client = await _client(venue.url, timeout=1.0)
    try:
        assert isinstance(await client.place_order(ioc("slow")), Accepted)
        await venue.hook("POST", "/_sim/faults", {"latency_ms": 1500})
        outcome = await client.place_order(ioc("too-slow"))
        assert isinstance(outcome, Unknown)
        found = await client.get_order("too-slow", "BTCUSD")  # the order executed while the answer was late
        assert isinstance(found, OrderFinal) and found.filled == Decimal("0.005")
    finally:
        await client.close()


async def test_a_lost_response_is_unknown_the_order_is_found_and_never_duplicated(
        venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"lose_response": {"count": 1}})
    outcome = await client.place_order(ioc("lost-1"))
    assert isinstance(outcome, Unknown)
    found = await client.get_order("lost-1", "BTCUSD")
    assert isinstance(found, OrderFinal) and found.filled == Decimal("0.005") and found.venue_order_id
    assert len(await venue.orders("lost-1")) == 1
    # Were the same order sent again, the venue would refuse the client id rather than trade twice.
    again = await client.place_order(ioc("lost-1"))
    assert isinstance(again, Rejected) and again.code == "DUPLICATE_CLIENT_ORDER_ID"
    assert len(await venue.orders("lost-1")) == 1
    assert (await client.positions()).by_market["BTCUSD"] == Decimal("0.005")


async def test_a_rate_limit_is_rate_limited_and_creates_nothing(venue: Venue, client: EdgexClient) -> None:
    await venue.hook("POST", "/_sim/faults", {"rate_limit": {"count": 1, "retry_after": 2.5}})
    assert await client.place_order(ioc("limited")) == RateLimited(2.5)
    assert await venue.orders("limited") == []


async def test_reduce_only_never_increases_the_position(venue: Venue, client: EdgexClient) -> None:
    assert isinstance(await client.place_order(ioc("ro-flat", Side.SELL, reduce_only=True)), Accepted)
    final = await client.await_final("ro-flat", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == 0 and final.status == "CANCELED"
    await venue.hook("POST", "/_sim/positions", {"BTCUSD": "0.003"})
    async with asyncio.timeout(5):  # the private stream reports a position set outside an order too
        while client.streamed_positions().by_market["BTCUSD"] != Decimal("0.003"):
            await asyncio.sleep(0.01)
    assert isinstance(await client.place_order(ioc("ro-long", Side.SELL, reduce_only=True)), Accepted)
    final = await client.await_final("ro-long", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == Decimal("0.003")
    assert (await client.positions()).by_market["BTCUSD"] == 0


async def test_an_order_off_the_step_is_refused_before_sending(venue: Venue, client: EdgexClient) -> None:
    outcome = await client.place_order(ioc("off-step", size="0.0055"))
    assert isinstance(outcome, Rejected) and outcome.code == "CLIENT_INVALID_SIZE"
    assert await venue.orders("off-step") == []


async def test_cancel_by_client_id(venue: Venue, client: EdgexClient) -> None:
    outcome = await client.cancel_order("no-such-order", "BTCUSD")
    assert isinstance(outcome, Rejected) and outcome.code == "FAILED_ORDER_NOT_FOUND"
    await client.place_order(ioc("done"))
    outcome = await client.cancel_order("done", "BTCUSD")
    assert isinstance(outcome, Rejected) and outcome.code == "FAILED_ORDER_FILLED"


async def test_queries_are_unknown_never_flat_when_the_venue_is_down(venue: Venue, client: EdgexClient) -> None:
    await venue.server.close()
    assert isinstance(await client.positions(), Unknown)
    assert isinstance(await client.fills_since(0), Unknown)
    assert isinstance(await client.get_order("anything", "BTCUSD"), Unknown)
    assert isinstance(await client.place_order(ioc("into-the-void")), Unknown)
    assert not (await client.health()).ok


async def test_positions_and_orders_survive_a_restart_of_the_simulator(tmp_path: Any) -> None:
    state = tmp_path / "edgex.jsonl"
    venue = await _serve(build_app(seed=7, state_path=state))
    client = await _client(venue.url)
    await client.place_order(ioc("kept"))
    await client.close()
    await venue.server.close()

    venue = await _serve(build_app(seed=7, state_path=state))
    client = await _client(venue.url)
    try:
        found = await client.get_order("kept", "BTCUSD")
        assert isinstance(found, OrderFinal) and found.filled == Decimal("0.005")
        assert (await client.positions()).by_market["BTCUSD"] == Decimal("0.005")
    finally:
        await client.close()
        await venue.server.close()


# --- public book stream ---------------------------------------------------------------------------------


async def test_book_frames_are_continuous_and_hold_the_top_of_the_book(venue: Venue, client: EdgexClient) -> None:
    frames = client.book_frames("BTCUSD")
    first = _depth(await anext(frames))
    assert first["depthType"] == "SNAPSHOT"
    books = {"bids": {}, "asks": {}}
    end = int(first["endVersion"])
    for frame in [first] + [_depth(await anext(frames)) for _ in range(40)]:
        if frame is not first:
            assert frame["depthType"] == "CHANGED" and int(frame["startVersion"]) == end + 1
            end = int(frame["endVersion"])
        for side in books:
            for level in frame[side]:
                if Decimal(level["size"]) == 0:
                    books[side].pop(level["price"])
                else:
                    books[side][level["price"]] = level["size"]
        assert 0 < len(books["bids"]) <= 15 and 0 < len(books["asks"]) <= 15
        assert max(map(Decimal, books["bids"])) < min(map(Decimal, books["asks"]))
    await frames.aclose()


async def test_a_version_gap_is_caught_by_the_books_and_resynced(venue: Venue, client: EdgexClient) -> None:
    """The engine's own flow: the Rust books reject the frame after a gap and ask for a resync; the client
    resubscribes; the next snapshot makes the book whole again."""
    paradex = MarketSpec("BTC-USD-PERP", Decimal("0.1"), Decimal("0.0001"), Decimal("0.0001"), Decimal("100"),
                         Decimal("0.0002"))
    books = Books(client.market_spec("BTCUSD"), paradex, min_edge_bps=Decimal(1), max_size=Decimal("0.05"),
                  max_age_ms=60_000)
    frames = client.book_frames("BTCUSD")

    async def feed() -> Any:
        return books.on_frame("edgex", await anext(frames), client._now_ms())

    for _ in range(10):
        assert (await feed()).kind == "applied"
    await venue.hook("POST", "/_sim/faults", {"seq_gap": True})
    for _ in range(200):
        result = await feed()
        if result.kind != "applied":
            break
    assert (result.kind, result.reason, result.resync) == ("rejected", "gap", True)
    await client.resync_book("BTCUSD")
    kinds = [(await feed()).kind for _ in range(10)]
    assert "rejected" not in kinds and kinds[-1] == "applied"  # at most a few frames wait for the snapshot
    view = venue.sim.views[("10000001", 15)]
    bids, asks = books.levels("edgex", 15)
    assert len(bids) == len(view.bids) and len(asks) == len(view.asks)
    await frames.aclose()


async def test_the_client_answers_pings_and_a_silent_client_is_dropped(venue: Venue, client: EdgexClient) -> None:
    frames = client.book_frames("BTCUSD")
    snapshots = 0
    loop = asyncio.get_running_loop()
    until = loop.time() + 1.5  # 7 pings at 0.2 s: more than the 5 unanswered the venue tolerates
    while loop.time() < until:
        snapshots += _depth(await anext(frames))["depthType"] == "SNAPSHOT"
    await frames.aclose()
    assert venue.sim.pongs >= 5
    assert snapshots == 1  # never disconnected

    async with connect(venue.url.replace("http", "ws") + p.PUBLIC_WS) as ws:
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                while True:
                    await ws.recv()


async def test_the_book_stream_reconnects_after_a_websocket_drop(venue: Venue, client: EdgexClient) -> None:
    frames = client.book_frames("BTCUSD")
    assert _depth(await anext(frames))["depthType"] == "SNAPSHOT"
    await anext(frames)
    await venue.hook("POST", "/_sim/faults", {"ws_drop": True})
    for _ in range(200):
        if _depth(await anext(frames))["depthType"] == "SNAPSHOT":
            break
    else:
        pytest.fail("no snapshot after the drop")
    await frames.aclose()


# --- private stream -------------------------------------------------------------------------------------


async def test_the_private_stream_reports_each_change_once(venue: Venue, client: EdgexClient) -> None:
    params = {"accountId": SIM_ACCOUNT_ID, "timestamp": str(client._now_ms())}
    headers = client.auth_headers("GET", p.PRIVATE_WS, p.query_content(params))
    url = f"{venue.url.replace('http', 'ws')}{p.PRIVATE_WS}?{p.query_content(params)}"
    reported: list[Any] = []

    async def collect() -> None:
        async for event in client.order_events():
            reported.append(event)

    collector = asyncio.create_task(collect())
    async with connect(url, additional_headers=headers) as raw:
        assert orjson.loads(await raw.recv())["type"] == "connected"
        assert orjson.loads(await raw.recv())["content"]["event"] == "Snapshot"
        await client.place_order(ioc("dup-1"))
        filled_frames = 0
        async with asyncio.timeout(5):
            while filled_frames < 2:
                msg = orjson.loads(await raw.recv())
                if msg["type"] == "trade-event":
                    filled_frames += sum(o["status"] == "FILLED" for o in msg["content"]["data"]["order"])
    assert filled_frames == 2  # the venue sends every FILLED event twice
    await asyncio.sleep(0.2)  # the client has had both by now
    collector.cancel()
    mine = [type(e).__name__ for e in reported if e.client_id == "dup-1"]
    assert mine == ["OrderOpen", "Fill", "OrderFinal"]
    assert client.streamed_positions().by_market == {"BTCUSD": Decimal("0.005")}


async def test_the_private_stream_reconnects_after_a_websocket_drop(venue: Venue, client: EdgexClient) -> None:
    assert client.streamed_positions() == Positions({"BTCUSD": Decimal(0)}, client.streamed_positions().as_of_ms)
    await venue.hook("POST", "/_sim/faults", {"ws_drop": True})
    async with asyncio.timeout(5):
        while client._private.connected:
            await asyncio.sleep(0.01)
        while not client._private.connected or client.streamed_positions() is None:
            await asyncio.sleep(0.01)
    await client.place_order(ioc("after-drop"))
    final = await client.await_final("after-drop", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == Decimal("0.005")
    async with asyncio.timeout(5):
        while client.streamed_positions().by_market["BTCUSD"] != Decimal("0.005"):
            await asyncio.sleep(0.01)


async def test_await_final_polls_when_the_private_stream_is_silent(venue: Venue, client: EdgexClient) -> None:
    client._private._queues.clear()
    client._private.order = lambda client_id: None  # as if the stream never reported
    await client.place_order(ioc("polled"))
    final = await client.await_final("polled", "BTCUSD", timeout=5)
    assert isinstance(final, OrderFinal) and final.filled == Decimal("0.005")


class _Silent:
    async def send(self, *args: Any, **kwargs: Any) -> None:
        pass


async def test_a_malformed_private_event_changes_nothing(venue: Venue, client: EdgexClient) -> None:
    await client.place_order(ioc("before"))
    assert isinstance(await client.await_final("before", "BTCUSD", timeout=5), OrderFinal)
    positions = client.streamed_positions()
    bad = {"type": "trade-event", "content": {"event": "ORDER_UPDATE", "data": {
        "position": [{"contractId": "10000001", "openSize": "7"}],
        "order": [{"id": "1", "clientOrderId": "ghost", "status": "FILLED", "cumMatchSize": "not a number"}]}}}
    for frame in (orjson.dumps(bad), b"not json", b'{"type": "trade-event", "content": 5}', b"[]"):
        await client._private._handle(_Silent(), frame)
    assert client.streamed_positions() == positions
    assert client._private.order("ghost") is None


async def test_create_order_bodies_that_disagree_with_their_signature_are_refused(
        venue: Venue, client: EdgexClient) -> None:
    order = ioc("body-1")
    contract = client._contract("BTCUSD")
    price = Decimal("123220.0")
    signed = client._signers["BTCUSD"].sign_order(side=order.side, size=order.size, price=price,
                                                  client_order_id=order.client_id,
                                                  expire_time_ms=client._now_ms() + p.ORDER_EXPIRY_MS)
    body = create_order_body(SIM_ACCOUNT_ID, contract, order, price, signed)
    without_signature = dict(body)
    del without_signature["l2Signature"]
    cases = [
        ("INVALID_L2_PARAMETER", dict(body, size="0.006")),  # more than was signed
        ("INVALID_L2_PARAMETER", dict(body, price="123300.0")),  # a worse price than l2Value allows
        ("INVALID_L2_PARAMETER", dict(body, clientOrderId="body-2")),  # the nonce belongs to body-1
        ("INVALID_L2_PARAMETER", without_signature),
        ("INVALID_L2_SIGNATURE", dict(body, l2Value="616.2", price="123240.0")),  # terms not signed
        ("INVALID_L2_SIGNATURE", dict(body, side="SELL")),
        ("INVALID_PARAMETER", dict(body, size="NaN")),
        ("INVALID_PARAMETER", dict(body, timeInForce="FILL_OR_KILL")),
        ("INVALID_CONTRACT_ID", dict(body, contractId="10000999")),
    ]
    async with aiohttp.ClientSession() as s:
        for code, sent in cases:
            headers = client.auth_headers("POST", p.CREATE_ORDER, p.content_of(sent))
            async with s.post(venue.url + p.CREATE_ORDER, data=orjson.dumps(sent), headers=headers) as r:
                assert orjson.loads(await r.read())["code"] == code, sent
        headers = client.auth_headers("POST", p.CREATE_ORDER, "")
        async with s.post(venue.url + p.CREATE_ORDER, data=b"{not json", headers=headers) as r:
            assert r.status == 400 and orjson.loads(await r.read())["code"] == "INVALID_PARAMETER"
    assert await venue.orders("body-1") == [] and await venue.orders("body-2") == []
    assert isinstance(await client.place_order(order), Accepted)  # the order itself was fine
