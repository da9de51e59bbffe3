"""The EdgeX V2 client: REST with HMAC request auth, EIP-712 signed IOC orders, and the public and private websockets.

It speaks the documented protocol, so the same code runs against the live venue and against ``pyarb sim edgex``.

Outcomes follow :mod:`pyarb.venues.base`. Two choices worth knowing:

- **An order is never retried.** aiohttp does not retry a POST on its own, and nothing here does either.
- **createOrder answered with an internal error is Unknown, not Rejected.** The envelope
  ``{"code":"GATEWAY_INTERNAL_ERROR","msg":"unknown error","traceId":...}`` completes the HTTP exchange, but an internal
  error says the venue failed somewhere, not that nothing was created: the gateway may have passed the order on
  before it failed. So a code naming an internal failure (``INTERNAL``, ``UNKNOWN``, ``TIMEOUT``, ``BUSY``,
  ``UNAVAILABLE``) is :class:`Unknown` with the code, message and traceId in its reason, and the caller resolves it by
  client order id, exactly as after a lost response. Every other non-``SUCCESS`` code is a :class:`Rejected`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, AsyncIterator, Mapping
from urllib.parse import urlencode

import aiohttp
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from pyarb import signing
from pyarb.model import BTC_PERP, MarketSpec, OrderFinal, OrderNotFound, OrderOpen, OrderRequest
from pyarb.secrets import Secret
from pyarb.venues.base import (
    Accepted,
    CancelOutcome,
    Fill,
    Fills,
    Health,
    PlaceOutcome,
    Positions,
    QueryOutcome,
    RateLimited,
    Rejected,
    Unknown,
)
from pyarb.venues.edgex import protocol as p
from pyarb.recent import Recent

log = logging.getLogger("pyarb.venues.edgex")

_MALFORMED = (AttributeError, TypeError, ValueError, ArithmeticError)  # what a malformed answer raises in parsing
_INTERNAL_MARKERS = ("INTERNAL", "UNKNOWN", "TIMEOUT", "BUSY", "UNAVAILABLE")
_BACKOFF_MIN, _BACKOFF_MAX = 0.25, 10.0
_MAX_FILL_PAGES = 50
_REMEMBERED_ORDERS = 20_000


@dataclass(frozen=True, slots=True)
class EdgexCredentials:
    """What EdgeX's "API Management -> Perps V2 -> SDK Signer" dialog gives, named as the V2 SDK names them."""

    account_id: str
    api_key: Secret
    api_secret: Secret
    api_passphrase: Secret
    trading_private_key: Secret  # the EIP-712 signer key of the account's L2 orders

    def __post_init__(self) -> None:
        if not self.account_id.isdigit():
            raise ValueError("EdgeX account_id must be the account's decimal id")


def order_signer(creds: EdgexCredentials, meta: p.Metadata, contract: p.Contract) -> signing.EdgexSigner:
    """The EIP-712 signer of one market's orders: the domain, resolutions and fee cap from getMetaData."""
    return signing.EdgexSigner(
        creds.trading_private_key, account_id=int(creds.account_id), chain_id=meta.chain_id,
        verifying_contract=meta.verifying_contract, contract_id=contract.contract_id,
        collateral_coin_id=contract.coin_id, synthetic_resolution=contract.synthetic_resolution,
        collateral_resolution=contract.collateral_resolution, fee_rate=contract.limit_fee_rate)


def create_order_body(account_id: str, contract: p.Contract, order: OrderRequest, price: Decimal,
                      signed: signing.EdgexSignedOrder) -> dict[str, Any]:
    """createOrder's body for an IOC limit order at ``price`` (the limit on the tick grid)."""
    return {
        "accountId": account_id,
        "contractId": contract.contract_id,
        "price": p.text(price),
        "size": signed.l2_size,
        "type": "LIMIT",
        "side": p.side_text(order.side),
        "timeInForce": "IMMEDIATE_OR_CANCEL",
        "clientOrderId": order.client_id,
        **signed.body_fields,  # expireTime, l2Nonce, l2Value, l2Size, l2LimitFee, l2ExpireTime, l2Signature
        "reduceOnly": order.reduce_only,
        # The rest of the body as the V2 SDK sends it: fields the venue may expect even when unused.
        "triggerPrice": "",
        "triggerPriceType": "",
        "sourceKey": "",
        "isPositionTpsl": False,
        "openTpslParentOrderId": "",
        "isSetOpenTp": False,
        "openTp": None,
        "isSetOpenSl": False,
        "openSl": None,
        "extraType": "",
        "extraDataJson": "",
    }


def _is_internal(code: str) -> bool:
    return any(marker in code for marker in _INTERNAL_MARKERS)


def _backoff(current: float) -> float:
    return min(current * 2, _BACKOFF_MAX)


def _jittered(delay: float) -> float:
    return delay * (1 + random.random() * 0.2)


def _order_items(data: Any) -> list[dict]:
    """The orders of a by-client-id answer: a list, or a page ``{"dataList": [...]}``."""
    if isinstance(data, dict):
        data = data.get("dataList")
    return [o for o in data or [] if isinstance(o, dict)]


class EdgexClient:
    """One EdgeX V2 account. ``rest_url`` is the REST base; ``ws_url`` the websocket base, derived from ``rest_url``
    when not given (a simulator serves both on one port; the live venue's websocket host is :data:`PROD_WS_URL`)."""

    name = "edgex"

    def __init__(self, credentials: EdgexCredentials, rest_url: str = p.PROD_REST_URL, ws_url: str | None = None, *,
                 markets: tuple[str, ...] = (BTC_PERP["edgex"],), depth: int = 15, timeout: float = 5.0,
                 poll_interval: float = 0.25) -> None:
        if depth not in (15, 200):
            raise ValueError("EdgeX depth channels have 15 or 200 levels")
        self._creds = credentials
        self._rest = rest_url.rstrip("/")
        if ws_url is None:
            ws_url = p.PROD_WS_URL if self._rest == p.PROD_REST_URL else "ws" + self._rest.removeprefix("http")
        self._ws = ws_url.rstrip("/")
        self._markets = markets
        self._depth = depth
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._poll_interval = poll_interval
        self._session: aiohttp.ClientSession | None = None
        self._meta: p.Metadata | None = None
        self._signers: dict[str, signing.EdgexSigner] = {}  # by market
        self._clock_offset_ms = 0
        self._client_ids: Recent = Recent(_REMEMBERED_ORDERS)  # venue order id -> client order id
        self._book_ws: dict[str, ClientConnection] = {}
        self._private = _PrivateStream(self)
        self._private_task: asyncio.Task | None = None

    # --- life cycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the HTTP pool, load getMetaData (domain, resolutions, fees), align the clock with the venue's, and
        connect the private stream. Raises RuntimeError if the metadata or the credentials are refused."""
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=32, keepalive_timeout=60.0, ttl_dns_cache=300),
                headers={"Accept": "application/json"})
        answer = await self._call("GET", p.METADATA, private=False)
        if not isinstance(answer, p.Envelope) or not answer.ok:
            raise RuntimeError(f"EdgeX getMetaData failed: {answer}")
        meta = p.parse_metadata(answer.data)
        missing = [m for m in self._markets if m not in meta.contracts]
        if missing:
            raise RuntimeError(f"EdgeX has no contract named {', '.join(missing)}")
        self._meta = meta
        self._signers = {m: order_signer(self._creds, meta, meta.contracts[m]) for m in self._markets}
        await self._align_clock()
        if self._private_task is None:
            first = self._private.expect_first_attempt()
            self._private_task = asyncio.create_task(self._private.run(), name="edgex-private-ws")
            await self._private.first_attempt(first)

    async def close(self) -> None:
        if self._private_task is not None:
            self._private_task.cancel()
            await asyncio.gather(self._private_task, return_exceptions=True)
            self._private_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _align_clock(self) -> None:
        """Stamp requests with the venue's clock: EdgeX refuses timestamps more than about a minute off."""
        sent = time.time()
        answer = await self._call("GET", p.SERVER_TIME, private=False)
        if isinstance(answer, p.Envelope) and answer.ok and isinstance(answer.data, dict):
            server_ms = p.epoch_ms(answer.data.get("timeMillis"))
            if server_ms:
                self._clock_offset_ms = server_ms - int((sent + time.time()) * 500)

    def _now_ms(self) -> int:
        return int(time.time() * 1000) + self._clock_offset_ms

    # --- metadata ---------------------------------------------------------------------------------------

    def _contract(self, market: str) -> p.Contract:
        if self._meta is None:
            raise RuntimeError("EdgexClient.start() has not loaded the metadata")
        try:
            return self._meta.contracts[market]
        except KeyError:
            raise ValueError(f"EdgeX has no contract named {market!r}") from None

    def market_spec(self, market: str) -> MarketSpec:
        return self._contract(market).spec

    def _market_of(self, contract_id: Any) -> str | None:
        contract = self._meta.by_id.get(str(contract_id)) if self._meta else None
        return contract.spec.market if contract else None

    # --- REST -------------------------------------------------------------------------------------------

    def auth_headers(self, method: str, path: str, content: str) -> dict[str, str]:
        """The four HMAC headers for one request: HMAC-SHA256 keyed with base64(secret) over
        ``timestamp + METHOD + path + content``."""
        stamp = str(self._now_ms())
        return {
            p.H_KEY: self._creds.api_key.reveal(),
            p.H_PASSPHRASE: self._creds.api_passphrase.reveal(),
            p.H_SIGNATURE: signing.edgex_request_signature(self._creds.api_secret, stamp, method, path, content),
            p.H_TIMESTAMP: stamp,
        }

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    body: Mapping[str, Any] | None = None, private: bool = True
                    ) -> p.Envelope | Rejected | RateLimited | Unknown:
        """One request, never retried. The envelope when the venue answered with one; otherwise the typed outcome."""
        if self._session is None:
            return Unknown("EdgeX client is not started")
        payload = orjson.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if private:
            content = p.content_of(body) if body is not None else p.query_content(params or {})
            headers.update(self.auth_headers(method, path, content))
        try:
            async with self._session.request(method, self._rest + path, params=params, data=payload,
                                             headers=headers, timeout=self._timeout) as resp:
                status, retry_after, raw = resp.status, resp.headers.get("Retry-After"), await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Unknown(f"{path}: {type(exc).__name__}: {exc}".rstrip(": "))
        if status == 429:
            return RateLimited.from_header(retry_after)
        try:
            env = p.parse_envelope(orjson.loads(raw))
        except orjson.JSONDecodeError:
            env = None
        if status >= 500:
            said = f" {env.code}: {env.msg} (traceId {env.trace_id})" if env else ""
            return Unknown(f"{path}: HTTP {status}{said}")
        if env is None:
            if status >= 400:  # refused before it reached the venue's logic (a proxy, a firewall)
                return Rejected(f"HTTP_{status}", raw[:200].decode(errors="replace"))
            return Unknown(f"{path}: HTTP {status} without an EdgeX envelope")
        return env

    # --- orders -----------------------------------------------------------------------------------------

    async def place_order(self, order: OrderRequest) -> PlaceOutcome:
        contract = self._contract(order.market)
        spec = contract.spec
        if order.size < spec.min_size or order.size > spec.max_size or order.size % spec.step:
            return Rejected("CLIENT_INVALID_SIZE",
                            f"size {order.size} is off EdgeX's step {spec.step} or limits [{spec.min_size}, "
                            f"{spec.max_size}]; nothing was sent")
        price = p.to_tick(order.limit_price, spec.tick, order.side)
        if price <= 0:
            return Rejected("CLIENT_INVALID_PRICE", f"limit price {order.limit_price}; nothing was sent")
        try:
            signed = self._signers[order.market].sign_order(
                side=order.side, size=order.size, price=price, client_order_id=order.client_id,
                expire_time_ms=self._now_ms() + p.ORDER_EXPIRY_MS)
        except ValueError as exc:
            return Rejected("CLIENT_SIGNING_FAILED", f"{exc}; nothing was sent")
        body = create_order_body(self._creds.account_id, contract, order, price, signed)
        answer = await self._call("POST", p.CREATE_ORDER, body=body)
        if not isinstance(answer, p.Envelope):
            return answer
        if answer.ok:
            order_id = str((answer.data or {}).get("orderId") or "") or None
            self._remember_client_id(order_id, order.client_id)
            return Accepted(order_id)
        if _is_internal(answer.code):
            return Unknown(f"createOrder answered {answer.code}: {answer.msg} (traceId {answer.trace_id}); "
                           "the order may exist")
        return Rejected(answer.code, answer.msg, answer.trace_id)

    async def get_order(self, client_id: str, market: str) -> QueryOutcome:
        """Active orders first (getOrderByClientOrderId), then history (getHistoryOrderByClientOrderId)."""
        params = {"accountId": self._creds.account_id, "clientOrderIdList": client_id}
        for path in (p.ORDER_BY_CLIENT_ID, p.HISTORY_ORDER_BY_CLIENT_ID):
            answer = await self._call("GET", path, params=params)
            if not isinstance(answer, p.Envelope):
                return answer
            if not answer.ok:
                return Rejected(answer.code, answer.msg, answer.trace_id)
            found = [o for o in _order_items(answer.data) if str(o.get("clientOrderId")) == client_id]
            if found:
                try:
                    state = p.order_state(found[0])
                except _MALFORMED as exc:
                    return Unknown(f"{path}: malformed order ({exc!r})")
                self._remember_client_id(state.venue_order_id, client_id)
                return state
        return OrderNotFound(client_id)

    async def await_final(self, client_id: str, market: str, timeout: float) -> QueryOutcome:
        """The private stream usually reports the end of an IOC order first; between its reports, and whenever it is
        down, the venue is asked by REST every ``poll_interval`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last: QueryOutcome = Unknown(f"no answer about {client_id} within {timeout}s")
        while True:
            seen = self._private.order(client_id)
            if isinstance(seen, OrderFinal):
                return seen
            remaining = deadline - loop.time()
            if remaining <= 0:
                return seen if seen is not None else last  # the stream's OrderOpen says more than no answer
            if await self._private.wait_order(client_id, min(self._poll_interval, remaining)):
                continue
            last = await self.get_order(client_id, market)
            if isinstance(last, OrderFinal):
                return last

    async def cancel_order(self, client_id: str, market: str) -> CancelOutcome:
        answer = await self._call("POST", p.CANCEL_BY_CLIENT_ID,
                                  body={"accountId": self._creds.account_id, "clientOrderIdList": [client_id]})
        if not isinstance(answer, p.Envelope):
            return answer
        if not answer.ok:
            return Rejected(answer.code, answer.msg, answer.trace_id)
        result = str(((answer.data or {}).get("cancelResultMap") or {}).get(client_id, "UNKNOWN_ORDER_CANCEL_RESULT"))
        if result.startswith("SUCCESS"):
            return Accepted()
        return Rejected(result, f"cancelOrderByClientOrderId: {result}", answer.trace_id)

    # --- account ----------------------------------------------------------------------------------------

    async def positions(self) -> Positions | Unknown:
        ids = [self._contract(m).contract_id for m in self._markets]
        answer = await self._call("GET", p.POSITIONS, params={"accountId": self._creds.account_id,
                                                               "contractIdList": ",".join(ids)})
        if not isinstance(answer, p.Envelope) or not answer.ok:
            return answer if isinstance(answer, Unknown) else Unknown(f"getPositionByContractId: {answer}")
        by_market = {m: p.ZERO for m in self._markets}
        try:
            for position in answer.data or []:
                market = self._market_of(position.get("contractId"))
                if market in by_market:
                    by_market[market] = p.dec(position.get("openSize"))
        except _MALFORMED as exc:
            return Unknown(f"getPositionByContractId: malformed answer ({exc!r})")
        return Positions(by_market, as_of_ms=self._now_ms())

    def streamed_positions(self) -> Positions | None:
        return self._private.positions()

    async def fills_since(self, since_ms: int) -> Fills | Unknown:
        """Fills of the tracked markets since ``since_ms``. EdgeX's fills carry the venue order id only: the client
        order id comes from the orders this client placed or looked up (None for others)."""
        params = {"accountId": self._creds.account_id, "size": "100",
                  "filterContractIdList": ",".join(self._contract(m).contract_id for m in self._markets),
                  "filterStartCreatedTimeInclusive": str(since_ms)}
        fills: list[Fill] = []
        for _ in range(_MAX_FILL_PAGES):
            answer = await self._call("GET", p.FILLS_PAGE, params=params)
            if not isinstance(answer, p.Envelope) or not answer.ok:
                return answer if isinstance(answer, Unknown) else Unknown(
                    f"getHistoryOrderFillTransactionPage: {answer}")
            try:
                page = answer.data or {}
                fills.extend(f for f in map(self._fill_of, page.get("dataList") or []) if f is not None)
                offset = page.get("nextPageOffsetData")
            except _MALFORMED as exc:
                return Unknown(f"getHistoryOrderFillTransactionPage: malformed answer ({exc!r})")
            if not offset:
                return Fills(fills)
            params["offsetData"] = str(offset)
        return Unknown(f"more than {_MAX_FILL_PAGES} pages of fills since {since_ms}")

    def _fill_of(self, item: Mapping[str, Any]) -> Fill | None:
        market = self._market_of(item.get("contractId"))
        if market is None:
            return None
        order_id = str(item.get("orderId") or "") or None
        return Fill(client_id=self._client_ids.get(order_id), venue_order_id=order_id, market=market,
                    side=p.side_of(str(item.get("orderSide"))), size=p.dec(item.get("fillSize")),
                    price=p.dec(item.get("fillPrice")), fee=p.dec(item.get("fillFee")),
                    time_ms=p.epoch_ms(item.get("matchTime") or item.get("createdTime")),
                    fill_id=str(item.get("id") or ""))

    def _remember_client_id(self, venue_order_id: str | None, client_id: str) -> None:
        if venue_order_id and client_id:
            self._client_ids[venue_order_id] = client_id

    async def health(self) -> Health:
        sent = time.monotonic()
        answer = await self._call("GET", p.SERVER_TIME, private=False)
        rtt_ms = (time.monotonic() - sent) * 1000
        stream = "private stream up" if self._private.connected else "private stream down"
        if isinstance(answer, p.Envelope) and answer.ok:
            return Health(True, f"getServerTime in {rtt_ms:.1f} ms; {stream}")
        return Health(False, f"getServerTime: {answer}; {stream}")

    # --- public book stream -----------------------------------------------------------------------------

    async def book_frames(self, market: str) -> AsyncIterator[bytes]:
        """``quote-event`` frames of ``depth.{contractId}.{depth}``, as the venue sent them. Pings are answered here
        and never yielded. Reconnects with backoff; after each (re)subscription the first frame is a Snapshot."""
        channel = f"depth.{self._contract(market).contract_id}.{self._depth}"
        subscribe = orjson.dumps({"type": "subscribe", "channel": channel})
        delay = _BACKOFF_MIN
        while True:
            url = f"{self._ws}{p.PUBLIC_WS}?timestamp={self._now_ms()}"
            ws: ClientConnection | None = None
            try:
                async with connect(url, max_size=2**22, compression=None, open_timeout=10) as ws:
                    self._book_ws[market] = ws
                    await ws.send(subscribe, text=True)
                    while True:
                        raw = await ws.recv(decode=False)
                        if b'"quote-event"' in raw[:64]:
                            delay = _BACKOFF_MIN
                            yield raw
                        else:
                            await self._control_frame(ws, raw, channel)
            except (OSError, TimeoutError, WebSocketException) as exc:
                log.warning("EdgeX book stream %s lost (%s: %s); reconnecting in %.2fs",
                            channel, type(exc).__name__, exc, delay, extra={"venue": "edgex"})
            finally:
                if ws is not None and self._book_ws.get(market) is ws:
                    del self._book_ws[market]
            await asyncio.sleep(_jittered(delay))
            delay = _backoff(delay)

    async def _control_frame(self, ws: ClientConnection, raw: bytes, channel: str) -> None:
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            log.warning("EdgeX book stream %s: a frame that is not JSON was ignored", channel, extra={"venue": "edgex"})
            return
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "ping":
            await ws.send(orjson.dumps({"type": "pong", "time": msg.get("time")}), text=True)
        elif kind == "error":
            log.error("EdgeX book stream %s: venue error %s", channel, msg.get("content"), extra={"venue": "edgex"})

    async def resync_book(self, market: str) -> None:
        """Unsubscribe and subscribe again: the venue answers with a fresh Snapshot. Without a live connection there is
        nothing to do, since the reconnect subscribes afresh."""
        ws = self._book_ws.get(market)
        if ws is None:
            return
        channel = f"depth.{self._contract(market).contract_id}.{self._depth}"
        try:
            await ws.send(orjson.dumps({"type": "unsubscribe", "channel": channel}), text=True)
            await ws.send(orjson.dumps({"type": "subscribe", "channel": channel}), text=True)
        except ConnectionClosed:
            pass  # the stream reconnects and subscribes afresh

    # --- private stream ---------------------------------------------------------------------------------

    def order_events(self) -> AsyncIterator[OrderOpen | OrderFinal | Fill]:
        """Each change of an order and each fill, once, as the private stream reports them (EdgeX's duplicate FILLED
        events removed)."""
        return self._private.events()


class _PrivateStream:
    """``/api/v1/private/ws``: authenticated like a signed GET of ``accountId`` and ``timestamp``; no subscription.
    Keeps the latest state of each order and the positions, and removes repeated events."""

    def __init__(self, client: EdgexClient) -> None:
        self._client = client
        self.connected = False
        self._positions: dict[str, Decimal] | None = None
        self._positions_ms = 0
        self._orders: Recent = Recent(_REMEMBERED_ORDERS)  # client id -> latest OrderOpen | OrderFinal
        self._order_marks: Recent = Recent(_REMEMBERED_ORDERS)  # venue order id -> last (status, cum sizes)
        self._fill_ids: Recent = Recent(_REMEMBERED_ORDERS)  # fills already published
        self._waiters: dict[str, list[asyncio.Future]] = {}
        self._queues: set[asyncio.Queue] = set()
        self._first: asyncio.Future | None = None

    def expect_first_attempt(self) -> asyncio.Future:
        self._first = asyncio.get_running_loop().create_future()
        return self._first

    async def first_attempt(self, first: asyncio.Future) -> None:
        """Wait for the first connection attempt: refused credentials fail the client's start; anything else (the
        venue down for a moment) leaves the stream retrying and the client polling."""
        try:
            await asyncio.wait_for(asyncio.shield(first), 10.0)
        except TimeoutError:
            log.warning("EdgeX private stream not connected yet; order states will be polled",
                        extra={"venue": "edgex"})

    def _settle_first(self, error: Exception | None) -> None:
        if self._first is not None and not self._first.done():
            if error is None:
                self._first.set_result(None)
            else:
                self._first.set_exception(error)

    async def run(self) -> None:
        client = self._client
        delay = _BACKOFF_MIN
        while True:
            params = {"accountId": client._creds.account_id, "timestamp": str(client._now_ms())}
            headers = client.auth_headers("GET", p.PRIVATE_WS, p.query_content(params))
            url = f"{client._ws}{p.PRIVATE_WS}?{urlencode(params)}"
            try:
                async with connect(url, additional_headers=headers, max_size=2**24, open_timeout=10) as ws:
                    self.connected = True
                    self._settle_first(None)
                    delay = _BACKOFF_MIN
                    while True:
                        await self._handle(ws, await ws.recv(decode=False))
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (400, 401, 403):  # EdgeX answers 400 to keys not yet enabled for websockets
                    self._settle_first(RuntimeError(
                        f"EdgeX refused the API credentials on the private websocket (HTTP {status})"))
                log.error("EdgeX private stream handshake refused: HTTP %s", status, extra={"venue": "edgex"})
            except (OSError, TimeoutError, WebSocketException) as exc:
                log.warning("EdgeX private stream lost (%s: %s); reconnecting in %.2fs", type(exc).__name__, exc,
                            delay, extra={"venue": "edgex"})
            finally:
                self.connected = False
                self._positions = None  # stale positions are worse than none
            self._settle_first(None)
            await asyncio.sleep(_jittered(delay))
            delay = _backoff(delay)

    async def _handle(self, ws: ClientConnection, raw: bytes) -> None:
        try:
            msg = orjson.loads(raw)
            kind = msg.get("type")
        except (orjson.JSONDecodeError, AttributeError):
            log.warning("EdgeX private stream: a frame that is not a JSON object was ignored", extra={"venue": "edgex"})
            return
        if kind == "ping":
            await ws.send(orjson.dumps({"type": "pong", "time": msg.get("time")}), text=True)
        elif kind == "trade-event":
            content = msg.get("content")
            try:
                self._apply(str(content.get("event")), content.get("data") or {}, p.epoch_ms(content.get("time")))
            except _MALFORMED as exc:
                log.warning("EdgeX private stream: a malformed trade-event was ignored (%r)", exc,
                            extra={"venue": "edgex"})
        elif kind == "error":
            log.error("EdgeX private stream: venue error %s", msg.get("content"), extra={"venue": "edgex"})

    def _apply(self, event: str, data: Mapping[str, Any], time_ms: int) -> None:
        """Read the whole event first, so that a malformed one changes nothing; then take it in."""
        positions: dict[str, Decimal] | None = None
        if event == "Snapshot" or data.get("position"):
            positions = {}
            for position in data.get("position") or []:
                market = self._client._market_of(position.get("contractId"))
                if market is not None:
                    positions[market] = p.dec(position.get("openSize"))
        orders = [(str(o.get("id")), (o.get("status"), o.get("cumMatchSize"), o.get("cumFillSize")), p.order_state(o))
                  for o in data.get("order") or []]
        for order_id, _, state in orders:  # fills name their order by venue id only; its client id is here
            self._client._remember_client_id(order_id, state.client_id)
        fills = [(str(item.get("id")), self._client._fill_of(item)) for item in data.get("orderFillTransaction") or []]

        if positions is not None:
            current = {} if event == "Snapshot" or self._positions is None else dict(self._positions)
            current.update(positions)
            self._positions = current
            self._positions_ms = time_ms or self._client._now_ms()
        for fill_id, fill in fills:
            if fill is not None and self._fill_ids.first_time(fill_id):
                self._publish(fill)
        for order_id, mark, state in orders:
            if self._order_marks.get(order_id) == mark:
                continue  # EdgeX repeats the FILLED event of every order
            self._order_marks[order_id] = mark
            if not state.client_id:
                continue
            self._orders[state.client_id] = state
            self._publish(state)
            for waiter in self._waiters.pop(state.client_id, []):
                if not waiter.done():
                    waiter.set_result(None)

    def _publish(self, event: OrderOpen | OrderFinal | Fill) -> None:
        for queue in self._queues:
            queue.put_nowait(event)

    async def events(self) -> AsyncIterator[OrderOpen | OrderFinal | Fill]:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    def order(self, client_id: str) -> OrderOpen | OrderFinal | None:
        return self._orders.get(client_id)

    async def wait_order(self, client_id: str, timeout: float) -> bool:
        """Whether the stream reported on ``client_id`` within ``timeout`` seconds."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(client_id, []).append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(client_id)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    del self._waiters[client_id]

    def positions(self) -> Positions | None:
        if self._positions is None:
            return None
        markets = self._client._markets
        return Positions({m: self._positions.get(m, p.ZERO) for m in markets}, as_of_ms=self._positions_ms)
