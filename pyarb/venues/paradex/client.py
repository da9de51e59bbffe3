"""The Paradex client: :class:`pyarb.venues.base.VenueClient` over Paradex's documented REST API and JSON-RPC
websocket, so that it runs unchanged against the live venue, its testnet, or ``pyarb sim paradex``.

- Auth: a JWT from the StarkNet-signed ``POST /auth``, renewed in the background before it expires (tokens live
  5 minutes), so that placing an order never waits for one.
- Orders: ``POST /orders``, an IOC limit order signed with the account's StarkNet key (Rust, ``pyarb.signing``),
  ``REDUCE_ONLY`` in ``flags``, our ``client_id``. One HTTP attempt, never retried here: a transport error, a
  timeout, a 5xx or a dropped response is :class:`~pyarb.venues.base.Unknown`.
- Asking about an order: ``GET /orders/by_client_id`` sees only open orders, so a miss falls back to
  ``GET /orders-history?client_id=`` and then to ``GET /fills``.
- Streams: the book channel ``order_book.{market}.deltas`` (a snapshot first, then deltas with ``seq_no`` one
  apart) handed on as raw bytes; ``orders.ALL``, ``fills.ALL`` and ``positions`` after ``auth`` on a second
  connection. Both reconnect with backoff; the private one authenticates again and drops repeated messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any, AsyncIterator
from urllib.parse import quote

import aiohttp
import orjson
import websockets
from websockets.asyncio.client import ClientConnection, connect

from pyarb import signing
from pyarb.model import BTC_PERP, MarketSpec, OrderFinal, OrderNotFound, OrderOpen, OrderRequest, fmt
from pyarb.recent import Recent
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
from pyarb.venues.paradex import protocol as p
from pyarb.venues.paradex.protocol import ParadexEndpoints

log = logging.getLogger("pyarb.venues.paradex")

# error codes that do not say whether anything happened: the outcome is unknown, whatever the HTTP status
_AMBIGUOUS_CODES = frozenset({"INTERNAL_ERROR", "SERVICE_UNAVAILABLE"})
_NOT_FOUND_CODES = frozenset({p.CLIENT_ORDER_ID_NOT_FOUND, p.ORDER_ID_NOT_FOUND, "NOT_FOUND"})
_REMEMBERED = 10_000  # private stream messages, orders and fills kept for deduplication and lookups
_MIN_SIZE_CUSHION = Decimal("1.05")  # min_notional is checked at the mark price, which moves
KEEP_WARM_EVERY = 15.0  # seconds between keep-alive requests; idle connections are closed after a minute or so


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    retry_after: str | None
    body: bytes

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def results(self) -> list[dict[str, Any]] | None:
        return p.results_of(self.json())

    def error(self) -> tuple[str, str]:
        """The venue's error code and message, or the HTTP status when the body is no error body."""
        return p.error_of(self.json()) or (f"HTTP_{self.status}", self.body[:200].decode(errors="replace"))


class ParadexError(Exception):
    """Start-up could not complete: the venue refused or could not be reached. Names the step and the reason."""


class ParadexClient:
    name = "paradex"

    def __init__(
        self,
        endpoints: ParadexEndpoints,
        account: str,
        private_key: Secret,
        *,
        markets: tuple[str, ...] = (BTC_PERP["paradex"],),
        request_timeout: float = 5.0,
        order_timeout: float = 5.0,
        recv_window_ms: int | None = None,
        default_taker_fee: Decimal = Decimal("0.0002"),
        reconnect_max: float = 5.0,
    ) -> None:
        self._endpoints = endpoints
        self._account = account
        self._private_key = private_key
        self._markets = markets
        self._request_timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._order_timeout = aiohttp.ClientTimeout(total=order_timeout)
        self._recv_window_ms = recv_window_ms
        self._default_taker_fee = default_taker_fee
        self._reconnect_max = reconnect_max
        self._session: aiohttp.ClientSession | None = None
        self._signer: Any = None
        self._specs: dict[str, MarketSpec] = {}
        # auth: the cached headers carry the current JWT; renewed at _renew_at, useless after _expires_at
        self._auth_headers: dict[str, str] | None = None
        self._renew_at = 0.0
        self._expires_at = 0.0
        self._auth_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._book_ws: dict[str, ClientConnection] = {}
        self._rpc_id = 0
        # what the private stream said
        self._seen = Recent(_REMEMBERED)  # keys of the messages already taken
        self._orders = Recent(_REMEMBERED)  # client id -> its latest OrderResp
        self._client_ids = Recent(_REMEMBERED)  # order id -> client id
        self._fill_fees = Recent(_REMEMBERED)  # order id -> fees of its streamed fills
        self._fill_sizes = Recent(_REMEMBERED)  # order id -> size of its streamed fills
        self._waiters: defaultdict[str, set[asyncio.Future[OrderFinal]]] = defaultdict(set)
        self._streamed: dict[str, Decimal] | None = None
        self._streamed_ms = 0
        self.private_stream_ready = asyncio.Event()  # set while the private stream is authenticated and subscribed

    def __repr__(self) -> str:
        return f"ParadexClient(rest={self._endpoints.rest!r}, account={self._account!r})"

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=32, keepalive_timeout=60, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._request_timeout)
        config = await self._start_get(p.SYSTEM_CONFIG, "system config")
        chain_id = config.get("starknet_chain_id")
        if not isinstance(chain_id, str) or not chain_id:
            raise ParadexError("system config has no starknet_chain_id")
        try:
            self._signer = signing.ParadexSigner(self._private_key, self._account, chain_id)
        except ValueError as exc:
            raise ParadexError(f"Paradex credentials: {exc}") from None
        markets = await self._start_get(p.MARKETS, "markets")
        by_symbol = {m.get("symbol"): m for m in markets.get("results", []) if isinstance(m, dict)}
        for symbol in self._markets:
            if symbol not in by_symbol:
                raise ParadexError(f"market {symbol} is not listed by {self._endpoints.rest}/markets")
            book = await self._start_get(p.ORDERBOOK.format(market=symbol) + "?depth=1", f"{symbol} book")
            self._specs[symbol] = self._market_spec(by_symbol[symbol], book)
        await self._authenticate()
        self._tasks = [asyncio.create_task(self._keep_authenticated()), asyncio.create_task(self._private_stream()),
                       asyncio.create_task(self._keep_warm())]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for ws in list(self._book_ws.values()):
            await ws.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def market_spec(self, market: str) -> MarketSpec:
        return self._specs[market]

    def _market_spec(self, meta: dict[str, Any], book: dict[str, Any]) -> MarketSpec:
        try:
            step = Decimal(meta["order_size_increment"])
            tick = Decimal(meta["price_tick_size"])
            bid, ask = Decimal(book["bids"][0][0]), Decimal(book["asks"][0][0])
            min_notional = p.dec(meta.get("min_notional"))
            max_size = Decimal(meta["max_order_size"])
        except (KeyError, IndexError, TypeError, InvalidOperation) as exc:
            raise ParadexError(f"market {meta.get('symbol')}: unreadable metadata or empty book ({exc!r})") from None
        # the smallest order worth its notional at today's price, with a cushion for the price to move
        steps = (min_notional * _MIN_SIZE_CUSHION / ((bid + ask) / 2) / step).to_integral_value(ROUND_UP)
        min_size = max(step, steps * step)
        try:
            taker_fee = Decimal(meta["fee_config"]["api_fee"]["taker_fee"]["fee"])
        except (KeyError, TypeError, InvalidOperation):
            log.warning("paradex %s lists no API taker fee; assuming %s", meta.get("symbol"), self._default_taker_fee)
            taker_fee = self._default_taker_fee
        return MarketSpec(market=meta["symbol"], tick=tick, step=step, min_size=min_size, max_size=max_size,
                          taker_fee=taker_fee)

    async def _start_get(self, path: str, what: str) -> dict[str, Any]:
        reply = await self._request("GET", path, auth=False)
        if isinstance(reply, Unknown):
            raise ParadexError(f"Paradex {what}: {reply.reason}")
        data = reply.json()
        if reply.status != 200 or not isinstance(data, dict):
            code, message = reply.error()
            raise ParadexError(f"Paradex {what}: {code} {message}")
        return data

    # --- auth --------------------------------------------------------------------------------------------

    def _token_valid(self) -> bool:
        return self._auth_headers is not None and time.monotonic() < self._expires_at

    async def _authenticate(self, only_if_expired: bool = False) -> None:
        """Get a fresh JWT. Raises :class:`ParadexError` when the venue refuses or cannot be reached."""
        async with self._auth_lock:
            if only_if_expired and self._token_valid():
                return  # another caller renewed it while this one waited
            now = int(time.time())
            expiration = now + p.AUTH_SIGNATURE_LIFETIME
            signed = self._signer.sign_auth(timestamp=now, expiration=expiration)
            headers = {
                p.H_ACCOUNT: self._account,
                p.H_SIGNATURE: signed.signature,
                p.H_TIMESTAMP: str(now),
                p.H_EXPIRATION: str(expiration),
            }
            asked = time.monotonic()
            reply = await self._request("POST", p.AUTH, auth=False, headers=headers)
            if isinstance(reply, Unknown):
                raise ParadexError(f"Paradex auth: {reply.reason}")
            data = reply.json()
            token = data.get("jwt_token") if isinstance(data, dict) else None
            if reply.status != 200 or not isinstance(token, str):
                code, message = reply.error()
                raise ParadexError(f"Paradex auth refused: {code} {message}")
            lifetime = p.jwt_lifetime(token)
            self._auth_headers = {"Authorization": p.BEARER + token, "Content-Type": "application/json"}
            # a second early throughout: the claims are whole seconds
            self._renew_at = asked + lifetime * 0.8 - 1.0
            self._expires_at = asked + lifetime - 1.0
            log.info("paradex: authenticated as %s; token lives %.0f s", self._account, lifetime)

    async def _headers(self) -> dict[str, str]:
        """The headers with a valid JWT; authenticates only if the background renewal has not kept up."""
        if not self._token_valid():
            await self._authenticate(only_if_expired=True)
        assert self._auth_headers is not None
        return self._auth_headers

    def _token(self) -> str:
        assert self._auth_headers is not None
        return self._auth_headers["Authorization"].removeprefix(p.BEARER)

    def _drop_token(self) -> None:
        self._expires_at = 0.0

    async def _keep_authenticated(self) -> None:
        backoff = 0.5
        while True:
            await asyncio.sleep(max(0.0, self._renew_at - time.monotonic()))
            try:
                await self._authenticate()
                backoff = 0.5
            except ParadexError as exc:
                log.warning("paradex: renewing the JWT failed, retrying in %.1f s: %s", backoff, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _keep_warm(self) -> None:
        """A cheap public GET now and then, so that a pooled connection (TCP and TLS done) is ready for the next
        order instead of being dropped as idle."""
        while True:
            await asyncio.sleep(KEEP_WARM_EVERY)
            await self._request("GET", p.SYSTEM_TIME, auth=False)

    # --- HTTP --------------------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: bytes | None = None,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> _Reply | Unknown:
        """One attempt. Any transport failure or timeout is :class:`Unknown`."""
        assert self._session is not None, "start() first"
        if auth:
            try:
                headers = await self._headers()
            except ParadexError as exc:
                return Unknown(f"no JWT: {exc}")
        try:
            async with self._session.request(method, self._endpoints.rest + path, params=params, data=body,
                                             headers=headers, timeout=timeout or self._request_timeout) as resp:
                return _Reply(resp.status, resp.headers.get("Retry-After"), await resp.read())
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            return Unknown(f"{method} {path}: {type(exc).__name__}: {exc}".rstrip(": "))

    def _problem(self, reply: _Reply) -> RateLimited | Rejected | Unknown | None:
        """What a non-success reply means; None for a success."""
        if 200 <= reply.status < 300:
            return None
        if reply.status == 429:
            return RateLimited.from_header(reply.retry_after)
        code, message = reply.error()
        if reply.status >= 500 or code in _AMBIGUOUS_CODES:
            return Unknown(f"HTTP {reply.status} {code}: {message}")
        if reply.status == 401 or code == p.INVALID_TOKEN:
            self._drop_token()
        return Rejected(code, message)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> _Reply | RateLimited | Rejected | Unknown:
        """A private GET: the reply when it succeeded or said "not found", else what went wrong. A GET changes
        nothing, so one refused for its JWT is asked once more with a new one."""
        reply = await self._request("GET", path, params=params)
        if isinstance(reply, _Reply) and reply.status == 401:
            self._drop_token()
            reply = await self._request("GET", path, params=params)
        if isinstance(reply, Unknown):
            return reply
        problem = self._problem(reply)
        if problem is None:
            return reply
        if isinstance(problem, Rejected) and (reply.status == 404 or problem.code in _NOT_FOUND_CODES):
            return reply
        return problem

    async def _results(self, path: str, params: dict[str, str], what: str
                       ) -> list[dict[str, Any]] | RateLimited | Rejected | Unknown:
        """The ``results`` of a private list GET, or what went wrong; an answer that is no list is Unknown."""
        reply = await self._get(path, params)
        if not isinstance(reply, _Reply):
            return reply
        results = reply.results()
        if results is None:
            return Unknown(f"{what}: HTTP {reply.status} {reply.body[:200]!r}")
        return results

    # --- orders ------------------------------------------------------------------------------------------

    async def place_order(self, order: OrderRequest) -> PlaceOutcome:
        timestamp_ms = int(time.time() * 1000)
        size, price = fmt(order.size), fmt(order.limit_price)
        try:
            signed = self._signer.sign_order(timestamp_ms=timestamp_ms, market=order.market, side=order.side,
                                             size=size, price=price)
        except ValueError as exc:  # nothing was sent
            return Rejected("SIGNING_FAILED", str(exc))
        body: dict[str, Any] = {
            "market": order.market, "side": p.side_text(order.side), "type": "LIMIT",
            "size": size, "price": price, "instruction": "IOC", "client_id": order.client_id,
            "signature": signed.signature, "signature_timestamp": timestamp_ms,
        }
        if order.reduce_only:
            body["flags"] = [p.REDUCE_ONLY]
        if self._recv_window_ms is not None:
            body["recv_window"] = self._recv_window_ms
        try:
            headers = await self._headers()
        except ParadexError as exc:  # nothing was sent, so this is a refusal, not an unknown
            return Rejected("NOT_AUTHENTICATED", str(exc))
        reply = await self._request("POST", p.ORDERS, body=orjson.dumps(body), auth=False, headers=headers,
                                    timeout=self._order_timeout)
        if isinstance(reply, Unknown):
            return Unknown(f"{reply.reason} (client id {order.client_id})")
        problem = self._problem(reply)
        if problem is not None:
            return problem
        data = reply.json()
        if not isinstance(data, dict) or not data.get("id"):
            return Unknown(f"HTTP {reply.status} without an order id: {reply.body[:200]!r}")
        return Accepted(str(data["id"]))

    async def get_order(self, client_id: str, market: str) -> QueryOutcome:
        reply = await self._get(p.ORDER_BY_CLIENT_ID.format(client_id=quote(client_id, safe="")))
        if not isinstance(reply, _Reply):
            return reply
        if reply.status == 200:
            return await self._order_state(reply.json(), client_id)
        history = await self._results(p.ORDERS_HISTORY, {"client_id": client_id, "market": market,
                                                          "page_size": "50"}, f"orders-history for {client_id}")
        if not isinstance(history, list):
            return history
        mine = [o for o in history if o.get("client_id") == client_id]
        if mine:
            return await self._order_state(max(mine, key=lambda o: o.get("created_at", 0)), client_id)
        # the history may lag the matching engine; fills name their order's client id too
        recent = await self._results(p.FILLS, {"market": market, "page_size": "100"}, f"fills for {client_id}")
        if not isinstance(recent, list):
            return recent
        fills = [f for f in recent if f.get("client_id") == client_id]
        if fills:
            filled = sum((p.dec(f.get("size")) for f in fills), Decimal(0))
            notional = sum((p.dec(f.get("size")) * p.dec(f.get("price")) for f in fills), Decimal(0))
            return OrderOpen(client_id, filled, notional / filled if filled else None, str(fills[0].get("order_id")))
        return OrderNotFound(client_id)

    async def _order_state(self, data: Any, client_id: str) -> QueryOutcome:
        if not isinstance(data, dict) or "status" not in data:
            return Unknown(f"unreadable order for {client_id}: {data!r:.200}")
        try:
            filled, avg_price = p.executed(data)
        except (KeyError, TypeError, InvalidOperation):
            return Unknown(f"unreadable order for {client_id}: {data!r:.200}")
        order_id = str(data.get("id", ""))
        if data["status"] != p.CLOSED:
            return OrderOpen(client_id, filled, avg_price, order_id or None)
        fee = await self._order_fee(order_id, data, filled) if filled else Decimal(0)
        return OrderFinal(client_id, filled, avg_price, fee, p.closed_status(data), order_id or None)

    async def _order_fee(self, order_id: str, order: dict[str, Any], filled: Decimal) -> Decimal:
        """The fees of an order's fills: from the private stream, else from ``GET /fills``."""
        if self._fill_sizes.get(order_id) == filled:
            return self._fill_fees[order_id]
        params = {"market": str(order.get("market", "")), "page_size": "1000",
                  "start_at": str(int(order.get("created_at", 0)) - 1000)}
        fills = await self._results(p.FILLS, params, f"fills of order {order_id}")
        if isinstance(fills, list):
            return sum((p.dec(f.get("fee")) for f in fills if str(f.get("order_id")) == order_id), Decimal(0))
        log.warning("paradex: fees of order %s unknown (fills unavailable); reporting the streamed part", order_id)
        return self._fill_fees.get(order_id, Decimal(0))

    async def await_final(self, client_id: str, market: str, timeout: float) -> QueryOutcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        streamed = self._streamed_final(client_id)
        if streamed is not None:
            return streamed
        waiter: asyncio.Future[OrderFinal] = loop.create_future()
        self._waiters[client_id].add(waiter)
        last: QueryOutcome = Unknown(f"no answer about {client_id} within {timeout:g} s")
        pause = 0.2  # the stream usually answers first; polling is the fallback
        try:
            while True:
                left = deadline - loop.time()
                if left <= 0:
                    return last
                done, _ = await asyncio.wait({waiter}, timeout=min(pause, left))
                if done:
                    return waiter.result()
                answer = await self.get_order(client_id, market)
                if isinstance(answer, OrderFinal):
                    return answer
                last = answer
                pause = min(pause * 2, 1.0)
        finally:
            self._waiters[client_id].discard(waiter)
            if not self._waiters[client_id]:
                del self._waiters[client_id]

    async def cancel_order(self, client_id: str, market: str) -> CancelOutcome:
        reply = await self._request("DELETE", p.ORDER_BY_CLIENT_ID.format(client_id=quote(client_id, safe="")),
                                    params={"market": market})
        if isinstance(reply, Unknown):
            return reply
        return self._problem(reply) or Accepted()

    # --- account -----------------------------------------------------------------------------------------

    async def positions(self) -> Positions | Unknown:
        reply = await self._get(p.POSITIONS)
        if not isinstance(reply, _Reply):
            return reply if isinstance(reply, Unknown) else Unknown(f"positions: {reply!r}")
        results = reply.results()
        try:
            if results is None:
                raise TypeError("not a list of positions")
            by_market = {position["market"]: p.position_size(position) for position in results}
        except (KeyError, TypeError, InvalidOperation):
            return Unknown(f"unreadable positions: {reply.body[:200]!r}")
        return Positions(by_market, int(time.time() * 1000))

    def streamed_positions(self) -> Positions | None:
        return None if self._streamed is None else Positions(dict(self._streamed), self._streamed_ms)

    async def fills_since(self, since_ms: int) -> Fills | Unknown:
        fills: dict[str, Fill] = {}  # by fill id: a fill arriving between pages may shift one into the next
        params = {"start_at": str(since_ms), "page_size": "1000"}
        while True:
            reply = await self._get(p.FILLS, params)
            if not isinstance(reply, _Reply):
                return reply if isinstance(reply, Unknown) else Unknown(f"fills: {reply!r}")
            results = reply.results()
            try:
                if results is None:
                    raise TypeError("not a list of fills")
                fills.update((fill.fill_id, fill) for fill in map(p.fill_of, results))
            except (KeyError, TypeError, ValueError, InvalidOperation):
                return Unknown(f"unreadable fills: {reply.body[:200]!r}")
            cursor = p.next_cursor(reply.json())
            if cursor is None:
                return Fills(sorted(fills.values(), key=lambda f: (f.time_ms, f.fill_id)))
            params = {**params, "cursor": cursor}

    async def health(self) -> Health:
        reply = await self._request("GET", p.SYSTEM_STATE, auth=False)
        if isinstance(reply, Unknown):
            return Health(False, reply.reason)
        data = reply.json()
        status = data.get("status") if isinstance(data, dict) else None
        if reply.status != 200 or status is None:
            return Health(False, f"HTTP {reply.status}: {reply.body[:200]!r}")
        return Health(status == "ok", f"system state {status}")

    # --- websockets --------------------------------------------------------------------------------------

    def _rpc(self, method: str, **params: Any) -> str:
        """The next JSON-RPC request on this client's id sequence."""
        self._rpc_id += 1
        return p.rpc_request(self._rpc_id, method, params)

    async def _backoff(self, attempt: int) -> None:
        await asyncio.sleep(min(self._reconnect_max, 0.1 * 2**attempt) * (0.5 + random.random() / 2))

    async def book_frames(self, market: str) -> AsyncIterator[bytes]:
        channel = p.book_channel(market)
        attempt = 0
        while True:
            try:
                async with connect(self._endpoints.ws, compression=None, max_size=2**24, open_timeout=10) as ws:
                    self._book_ws[market] = ws
                    await ws.send(self._rpc("subscribe", channel=channel))
                    attempt = 0
                    while True:
                        frame = await ws.recv(decode=False)
                        yield frame if isinstance(frame, bytes) else frame.encode()
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
                log.warning("paradex: book stream for %s lost (%s); reconnecting", market, exc)
            finally:
                self._book_ws.pop(market, None)
            await self._backoff(attempt)
            attempt += 1

    async def resync_book(self, market: str) -> None:
        """Resubscribe: the venue answers a new subscription with a snapshot. Without a live connection the
        reconnect brings one anyway."""
        ws = self._book_ws.get(market)
        if ws is None:
            return
        channel = p.book_channel(market)
        try:
            await ws.send(self._rpc("unsubscribe", channel=channel))
            await ws.send(self._rpc("subscribe", channel=channel))
        except websockets.WebSocketException as exc:
            log.warning("paradex: resync of %s failed (%s); the reconnect brings a snapshot", market, exc)

    async def _private_stream(self) -> None:
        attempt = 0
        while True:
            try:
                await self._headers()
                async with connect(self._endpoints.ws, compression=None, open_timeout=10) as ws:
                    await ws.send(self._rpc("auth", bearer=self._token()))
                    auth_id = self._rpc_id
                    for channel in p.ALL_PRIVATE:
                        await ws.send(self._rpc("subscribe", channel=channel))
                    subscribed_id = self._rpc_id
                    async for raw in ws:
                        message = orjson.loads(raw)
                        if not isinstance(message, dict):
                            continue
                        if message.get("method") == p.SUBSCRIPTION:
                            self._on_private(message.get("params") or {})
                        elif "error" in message:
                            if message.get("id") == auth_id:
                                self._drop_token()
                            raise ParadexError(f"private stream refused: {message['error']}")
                        elif message.get("id") == subscribed_id:
                            attempt = 0
                            self.private_stream_ready.set()
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException, ParadexError,
                    orjson.JSONDecodeError) as exc:
                log.warning("paradex: private stream lost (%s); reconnecting", exc)
            self.private_stream_ready.clear()
            await self._backoff(attempt)
            attempt += 1

    def _on_private(self, params: dict[str, Any]) -> None:
        channel, data = str(params.get("channel", "")), params.get("data")
        if not isinstance(data, dict):
            return
        kind = p.channel_kind(channel)
        try:
            if kind == "orders":
                self._on_order(data)
            elif kind == "fills":
                self._on_fill(data)
            elif kind == "positions":
                self._on_position(data)
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            log.warning("paradex: ignored a malformed %s message (%r): %.300r", kind, exc, data)

    def _on_order(self, data: dict[str, Any]) -> None:
        if not self._seen.first_time(("order", data["id"], data.get("seq_no"))):
            return
        client_id = data.get("client_id")
        if not client_id:
            return  # not ours to track: the engine names every order
        known = self._orders.get(client_id)
        if known is not None and int(known.get("seq_no") or 0) > int(data.get("seq_no") or 0):
            return  # an older update arriving late
        self._orders[client_id] = data
        self._client_ids[str(data["id"])] = client_id
        self._wake(client_id)

    def _on_fill(self, data: dict[str, Any]) -> None:
        if not self._seen.first_time(("fill", data["id"])):
            return
        order_id = str(data["order_id"])
        self._fill_fees[order_id] = self._fill_fees.get(order_id, Decimal(0)) + p.dec(data.get("fee"))
        self._fill_sizes[order_id] = self._fill_sizes.get(order_id, Decimal(0)) + Decimal(data["size"])
        client_id = self._client_ids.get(order_id) or data.get("client_id")
        if client_id:
            self._wake(client_id)

    def _on_position(self, data: dict[str, Any]) -> None:
        if not self._seen.first_time(("position", data["market"], data.get("seq_no"))):
            return
        positions = self._streamed if self._streamed is not None else {}
        positions[str(data["market"])] = p.position_size(data)
        self._streamed = positions
        self._streamed_ms = int(data.get("last_updated_at") or time.time() * 1000)

    def _wake(self, client_id: str) -> None:
        final = self._streamed_final(client_id)
        if final is not None:
            for waiter in self._waiters.get(client_id, ()):
                if not waiter.done():
                    waiter.set_result(final)

    def _streamed_final(self, client_id: str) -> OrderFinal | None:
        """The order as the stream told it, once it is closed and all its fills have arrived (they may come
        after the order's last update)."""
        data = self._orders.get(client_id)
        if data is None or data.get("status") != p.CLOSED:
            return None
        try:
            filled, avg_price = p.executed(data)
        except (KeyError, TypeError, InvalidOperation):
            return None
        order_id = str(data.get("id", ""))
        if self._fill_sizes.get(order_id, Decimal(0)) != filled:
            return None
        return OrderFinal(client_id, filled, avg_price, self._fill_fees.get(order_id, Decimal(0)),
                          p.closed_status(data), order_id or None)

