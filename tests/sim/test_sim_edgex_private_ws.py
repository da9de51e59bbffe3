"""The simulated EdgeX's private websocket: its signed handshake, the greeting the venue speaks first, the messages it
answers, and how it ends (a ``ws_drop`` fault, the simulator shutting down)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from pyarb import signing
from pyarb.model import Side
from pyarb.secrets import Secret
from pyarb.sim.edgex import SIM_ACCOUNT_ID, SIM_API_KEY, SIM_API_PASSPHRASE, SIM_API_SECRET, build_app
from pyarb.sim.exchange import EXCHANGE, OrderSpec, SimExchange, TimeInForce
from pyarb.venues.edgex import protocol as p


@pytest.fixture
async def venue() -> AsyncIterator[tuple[SimExchange, TestClient]]:
    app = build_app(seed=1, delta_hz=5, ping_every=3600)  # no server pings to interleave with what is read
    async with TestClient(TestServer(app)) as client:
        yield app[EXCHANGE], client


def handshake(account: str = SIM_ACCOUNT_ID, secret: str = SIM_API_SECRET) -> tuple[str, dict[str, str]]:
    """The private websocket's URL path and headers: a GET of ``accountId`` and ``timestamp``, signed."""
    stamp = str(int(time.time() * 1000))
    content = p.query_content({"accountId": account, "timestamp": stamp})
    headers = {p.H_KEY: SIM_API_KEY, p.H_PASSPHRASE: SIM_API_PASSPHRASE, p.H_TIMESTAMP: stamp,
               p.H_SIGNATURE: signing.edgex_request_signature(Secret(secret), stamp, "GET", p.PRIVATE_WS, content)}
    return f"{p.PRIVATE_WS}?{content}", headers


async def receive_json(ws: aiohttp.ClientWebSocketResponse) -> dict:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    return orjson.loads(message.data)


@pytest.mark.parametrize("account, secret, status, code", [
    (SIM_ACCOUNT_ID, "not-the-api-secret", 401, "INVALID_SIGNATURE"),
    ("700000000000000002", SIM_API_SECRET, 403, "ACCOUNT_ID_NOT_MATCH"),
])
async def test_a_bad_handshake_is_refused_in_the_venue_envelope(
        venue: tuple[SimExchange, TestClient], account: str, secret: str, status: int, code: str) -> None:
    ex, client = venue
    path, headers = handshake(account, secret)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(path, headers=headers)
    assert refused.value.status == status
    async with client.get(path, headers=headers) as reply:  # the same request without the upgrade: the envelope
        assert reply.status == status and (await reply.json())["code"] == code
    assert not ex.connections


async def test_the_venue_greets_then_sends_the_account_snapshot(venue: tuple[SimExchange, TestClient]) -> None:
    ex, client = venue
    ex.set_position(SIM_ACCOUNT_ID, "BTCUSD", Decimal("-0.25"))
    resting = ex.place(SIM_ACCOUNT_ID, OrderSpec(client_id="resting-1", market="BTCUSD", side=Side.BUY,
                                                 size=Decimal("0.01"), price=Decimal("60000"), tif=TimeInForce.GTC))
    path, headers = handshake()
    async with client.ws_connect(path, headers=headers) as ws:
        greeting = await receive_json(ws)
        assert greeting["type"] == "connected" and greeting["sid"]
        snapshot = await receive_json(ws)
        assert snapshot["type"] == "trade-event" and snapshot["content"]["event"] == "Snapshot"
        data = snapshot["content"]["data"]
        assert [a["id"] for a in data["account"]] == [SIM_ACCOUNT_ID]
        assert [pos["openSize"] for pos in data["position"]] == ["-0.25"]
        assert [o["clientOrderId"] for o in data["order"]] == [resting.client_id]
        assert len(ex.connections) == 1 and next(iter(ex.connections)).account == SIM_ACCOUNT_ID

        await ws.send_str(orjson.dumps({"type": "ping", "time": "1700000000000"}).decode())
        assert await receive_json(ws) == {"type": "pong", "time": "1700000000000"}
        await ws.send_str("not json")
        error = await receive_json(ws)
        assert error["type"] == "error" and error["content"]["code"] == "UNRECOGNIZED_MESSAGE"


async def test_ws_drop_cuts_the_private_socket(venue: tuple[SimExchange, TestClient]) -> None:
    ex, client = venue
    path, headers = handshake()
    async with client.ws_connect(path, headers=headers) as ws:
        assert (await receive_json(ws))["type"] == "connected"
        async with client.post("/_sim/faults", json={"ws_drop": True}) as reply:
            assert reply.status == 200
        while (message := await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
            pass  # the Snapshot, if it was still on its way
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    async with client.get("/_sim/state") as reply:
        assert reply.status == 200  # the simulator itself carries on
    assert not ex.connections


async def test_shutting_down_closes_the_private_socket(venue: tuple[SimExchange, TestClient]) -> None:
    ex, client = venue
    path, headers = handshake()
    ws = await client.ws_connect(path, headers=headers)
    assert (await receive_json(ws))["type"] == "connected"
    await client.server.close()  # the app's shutdown closes every websocket with a close frame
    while (message := await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
        pass
    assert message.type is aiohttp.WSMsgType.CLOSE
    await ws.close()
    assert not ex.connections
