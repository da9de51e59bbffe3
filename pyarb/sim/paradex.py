"""A simulated Paradex: the REST API under ``/v1/...`` and the JSON-RPC websocket at ``/v1``, on one port.

It speaks the paths, headers, message shapes and error envelopes of the real venue (see
``/work/shared/venues/paradex``), taking those it shares with the client from :mod:`pyarb.venues.paradex.protocol` so
that the two cannot drift apart, and checks what the real one checks: the StarkNet signatures of
``POST /onboarding`` and ``POST /auth``, the JWT on every private call and on the websocket ``auth``, and each
order's StarkNet signature. Matching, accounts, persistence, faults and the ``/_sim/`` hooks are the venue-neutral
:mod:`pyarb.sim.exchange`.

It starts with one account whose keys are below, fixed and public: **SIMULATOR-ONLY**, for paper trading and tests
(the chain id is the simulator's own, so nothing signed here is valid on a real chain). ``POST /v1/onboarding``
registers another public key for another account.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from pyarb import signing
from pyarb.model import BTC_PERP, Side, fmt
from pyarb.secrets import Secret
from pyarb.sim.book import BookDelta, BookSnapshot, Level
from pyarb.sim.exchange import (
    CloseReason,
    MarketConfig,
    OrderSpec,
    Position,
    Reject,
    SimConnection,
    SimExchange,
    SimFill,
    SimOrder,
    SimReject,
    TimeInForce,
)
from pyarb.sim.faults import OrderError, RateLimit
from pyarb.venues.paradex import protocol as p

# --- SIMULATOR-ONLY credentials: public on purpose, worthless anywhere but this simulator ---------------------
SIM_CHAIN_ID = "PRIVATE_SN_PYARB_SIMULATOR"
SIM_ACCOUNT = "0x51500000000000000000000000000000000000000000000000000000000a1"
SIM_PRIVATE_KEY = "0x5150000000000000000000000000000000000000000000000000000000d1e5"  # SIMULATOR-ONLY

AUTH_CLOCK_SKEW = 300  # seconds a PARADEX-TIMESTAMP may be ahead of the server
MAX_SIGNATURE_EXPIRATION = 7 * 24 * 3600  # a week, like the real venue

BTC_USD_PERP = MarketConfig(
    symbol=BTC_PERP["paradex"],
    tick=Decimal("0.1"),
    step=Decimal("0.00001"),
    min_size=Decimal("0.00001"),
    max_size=Decimal("100"),
    min_notional=Decimal("100"),
    taker_fee=Decimal("0.0002"),
    maker_fee=Decimal("0"),
)

# how the venue names why an order closed (cancel_reason); a fully filled order has none
_CANCEL_REASON = {
    CloseReason.FILLED: "",
    CloseReason.UNFILLED_REMAINDER: "IOC_CANCEL",
    CloseReason.REDUCE_ONLY: "REDUCE_ONLY_CANCEL",
    CloseReason.POST_ONLY_WOULD_CROSS: "POST_ONLY_WOULD_CROSS",
    CloseReason.USER_CANCELED: "USER_CANCELED",
}

_REJECT_CODE = {
    Reject.UNKNOWN_MARKET: "MARKET_NOT_FOUND",
    Reject.BAD_SIZE: "INVALID_ORDER_SIZE",
    Reject.BAD_PRICE: "INVALID_REQUEST_PARAMETER",
    Reject.MIN_NOTIONAL: "INVALID_ORDER_SIZE",
    Reject.DUPLICATE_CLIENT_ID: "DUPLICATED_CLIENT_ID",
    Reject.UNKNOWN_ORDER: p.CLIENT_ORDER_ID_NOT_FOUND,
    Reject.ORDER_CLOSED: "ORDER_IS_CLOSED",
}

_INSTRUCTIONS = {"": TimeInForce.GTC, "GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC,
                 "POST_ONLY": TimeInForce.POST_ONLY}
_INSTRUCTION_NAME = {tif: name for name, tif in _INSTRUCTIONS.items() if name}
_ORDER_FLAGS = {p.REDUCE_ONLY, "STOP_CONDITION_BELOW_TRIGGER", "STOP_CONDITION_ABOVE_TRIGGER", "INTERACTIVE",
                "TARGET_STRATEGY_VWAP"}


class ApiError(Exception):
    """An answer in the venue's error envelope: ``{"error": code, "message": ..., "data": null}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = orjson.dumps(p.error_body(code, message))
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(payload), content_type="application/json")


# --- JWT ------------------------------------------------------------------------------------------------------


class TokenError(Exception):
    def __init__(self, malformed: bool, message: str) -> None:
        super().__init__(message)
        self.malformed = malformed


class Tokens:
    """HS256 JWTs with ``sub`` = the account and ``exp`` = issue time + lifetime. The key comes from the seed,
    so tokens stay valid across a restart of the simulator, as the real venue's do across its deployments."""

    _HEADER = p.b64url(orjson.dumps({"alg": "HS256", "typ": "JWT"}))

    def __init__(self, seed: int, lifetime: float, clock: Callable[[], float]) -> None:
        self._key = hashlib.blake2b(f"pyarb-sim-paradex-jwt:{seed}".encode(), digest_size=32).digest()
        self.lifetime = lifetime
        self._clock = clock

    def issue(self, account: str) -> str:
        now = self._clock()
        claims = {"typ": "at+JWT", "iat": int(now), "exp": int(now + self.lifetime), "iss": "Paradex simulator",
                  "sub": account}
        signing_input = f"{self._HEADER}.{p.b64url(orjson.dumps(claims))}"
        return f"{signing_input}.{p.b64url(self._mac(signing_input))}"

    def account(self, token: str) -> str:
        """The account a valid, unexpired token names. Raises :class:`TokenError`."""
        try:
            signing_input, claims, mac = p.read_jwt(token)
        except ValueError:
            raise TokenError(True, "malformed bearer token") from None
        if not isinstance(claims, dict) or not hmac.compare_digest(mac, self._mac(signing_input)):
            raise TokenError(False, "invalid bearer token")
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= self._clock():
            raise TokenError(False, "bearer token expired")
        return str(claims.get("sub"))

    def _mac(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()


# --- wire formats ---------------------------------------------------------------------------------------------


def _level(side: Side, price: Decimal, size: Decimal) -> dict[str, str]:
    return {"side": p.side_text(side), "price": fmt(price), "size": fmt(size)}


def _levels(levels: tuple[Level, ...]) -> list[dict[str, str]]:
    return [_level(lv.side, lv.price, lv.size) for lv in levels]


def _delta_data(delta: BookDelta) -> dict[str, Any]:
    return {
        "seq_no": delta.seq, "market": delta.market, "last_updated_at": delta.time_ms, "update_type": "d",
        "inserts": _levels(delta.inserts), "updates": _levels(delta.updates), "deletes": _levels(delta.deletes),
    }


def _snapshot_data(snap: BookSnapshot) -> dict[str, Any]:
    inserts = [_level(Side.BUY, price, size) for price, size in snap.bids]
    inserts += [_level(Side.SELL, price, size) for price, size in snap.asks]
    return {"seq_no": snap.seq, "market": snap.market, "last_updated_at": snap.time_ms, "update_type": "s",
            "inserts": inserts, "updates": [], "deletes": []}


def _order_resp(order: SimOrder, *, as_received: bool = False) -> dict[str, Any]:
    """``OrderResp``. ``as_received`` shows it as ``POST /orders`` answers: NEW, nothing filled yet."""
    if as_received:
        status, remaining, avg = p.NEW, order.size, None
    else:
        status = p.CLOSED if not order.open else (p.NEW if order.version <= 1 else p.OPEN)
        remaining, avg = order.size - order.filled, order.avg_price
    closed = status == p.CLOSED
    return {
        "id": order.order_id, "account": order.account, "market": order.market, "side": p.side_text(order.side),
        "type": "MARKET" if order.price is None else "LIMIT", "size": fmt(order.size),
        "remaining_size": fmt(remaining), "price": "0" if order.price is None else fmt(order.price),
        "status": status, "created_at": order.created_ms, "last_updated_at": order.updated_ms,
        "timestamp": order.created_ms, "received_at": order.created_ms, "published_at": order.updated_ms,
        "cancel_reason": _CANCEL_REASON[order.close_reason] if closed and order.close_reason else "",
        "client_id": order.client_id, "seq_no": order.updated_ms * 1_000_000 + order.version,
        "instruction": _INSTRUCTION_NAME[order.tif],
        "avg_fill_price": "" if avg is None else fmt(avg.quantize(Decimal("0.00000001"))),
        "stp": "EXPIRE_TAKER", "flags": [p.REDUCE_ONLY] if order.reduce_only else [], "trigger_price": "0",
    }


def _fill_result(fill: SimFill) -> dict[str, Any]:
    return {
        "id": fill.fill_id, "account": fill.account, "client_id": fill.client_id, "order_id": fill.order_id,
        "market": fill.market, "side": p.side_text(fill.side), "size": fmt(fill.size),
        "price": fmt(fill.price),
        "fee": fmt(fill.fee), "fee_currency": "USDC", "liquidity": "MAKER" if fill.maker else "TAKER",
        "fill_type": "FILL", "created_at": fill.time_ms, "remaining_size": fmt(fill.remaining),
        "realized_pnl": "0", "realized_funding": "0", "flags": [],
    }


def _position_resp(account: str, position: Position) -> dict[str, Any]:
    entry = position.entry_price
    return {
        "id": f"{account}-{position.market}", "account": account, "market": position.market,
        "status": p.OPEN if position.size else p.CLOSED, "side": "SHORT" if position.size < 0 else "LONG",
        "size": fmt(position.size), "average_entry_price": fmt(entry),
        "average_entry_price_usd": fmt(entry),
        "average_exit_price": "0", "cost": fmt(entry * position.size), "cost_usd": fmt(entry * position.size),
        "unrealized_pnl": "0", "unrealized_funding_pnl": "0", "cached_funding_index": "0",
        "realized_positional_pnl": fmt(position.realized_pnl), "realized_positional_funding_pnl": "0",
        "last_fill_id": "", "seq_no": position.updated_ms * 1_000_000 + position.version,
        "liquidation_price": "", "leverage": "", "created_at": position.updated_ms,
        "last_updated_at": position.updated_ms,
    }


def _market_resp(m: MarketConfig) -> dict[str, Any]:
    fee = {"maker_fee": {"fee": fmt(m.maker_fee)}, "taker_fee": {"fee": fmt(m.taker_fee)}}
    return {
        "symbol": m.symbol, "base_currency": m.asset, "quote_currency": "USD", "settlement_currency": "USDC",
        "asset_kind": "PERP", "market_kind": "cross", "trading_mode": "STANDARD",
        "order_size_increment": fmt(m.step), "price_tick_size": fmt(m.tick),
        "min_notional": fmt(m.min_notional),
        "max_order_size": fmt(m.max_size), "max_open_orders": 100, "position_limit": "500",
        "price_bands_width": "0.05", "max_slippage": "0.05", "funding_period_hours": 8, "open_at": 0, "expiry_at": 0,
        "fee_config": {"api_fee": fee, "interactive_fee": fee, "rpi_fee": fee},
    }


@dataclass(slots=True)
class _Subscription:
    kind: str  # deltas | snapshot | orders | fills | positions
    market: str  # a market, or ALL
    interval_ms: int = 0
    last_sent_ms: int = 0


# --- the simulator --------------------------------------------------------------------------------------------


class ParadexSim:
    def __init__(self, exchange: SimExchange, tokens: Tokens, clock: Callable[[], float]) -> None:
        self.ex = exchange
        self.tokens = tokens
        self.clock = clock
        self._typed: dict[str, Any] = {}
        exchange.listeners.append(self)

    def _typed_data(self, account: str) -> Any:
        """The account's typed-data hasher (``signing.ParadexTypedData``), built once per account."""
        typed = self._typed.get(account)
        if typed is None:
            try:
                typed = self._typed[account] = signing.ParadexTypedData(SIM_CHAIN_ID, account)
            except ValueError as exc:
                raise ApiError(400, "INVALID_STARKNET_ADDRESS", str(exc)) from None
        return typed

    # --- routes ------------------------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r = app.router
        v1 = p.VERSION
        r.add_get(v1, self.websocket)
        r.add_get(v1 + p.SYSTEM_CONFIG, self.system_config)
        r.add_get(v1 + p.SYSTEM_STATE, self.system_state)
        r.add_get(v1 + p.SYSTEM_TIME, self.system_time)
        r.add_get(v1 + p.MARKETS, self.markets)
        r.add_get(v1 + p.ORDERBOOK, self.orderbook)
        r.add_post(v1 + p.ONBOARDING, self.onboarding)
        r.add_post(v1 + p.AUTH, self.auth)
        r.add_post(v1 + p.AUTH_FOR_KEY, self.auth)
        r.add_post(v1 + p.ORDERS, self.create_order)
        r.add_get(v1 + p.ORDERS, self.open_orders)
        r.add_get(v1 + p.ORDERS_HISTORY, self.orders_history)
        r.add_get(v1 + p.ORDER_BY_CLIENT_ID, self.order_by_client_id)
        r.add_delete(v1 + p.ORDER_BY_CLIENT_ID, self.cancel_by_client_id)
        r.add_get(v1 + p.ORDER, self.order_by_id)
        r.add_delete(v1 + p.ORDER, self.cancel_by_id)
        r.add_get(v1 + p.FILLS, self.fills)
        r.add_get(v1 + p.POSITIONS, self.positions)

    @web.middleware
    async def envelope(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return _error_response(exc.status, exc.code, exc.message)

    # --- public ------------------------------------------------------------------------------------------

    async def system_config(self, request: web.Request) -> web.Response:
        return _json({
            "starknet_chain_id": SIM_CHAIN_ID, "environment": "simulator", "l1_chain_id": "0",
            "paraclear_decimals": 8, "paraclear_address": "0x0", "paraclear_account_hash": "0x0",
            "paraclear_account_proxy_hash": "0x0", "bridged_tokens": [],
        })

    async def system_state(self, request: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def system_time(self, request: web.Request) -> web.Response:
        return _json({"server_time": str(int(self.clock() * 1000))})

    async def markets(self, request: web.Request) -> web.Response:
        wanted = request.query.get("market")
        results = [_market_resp(m) for m in self.ex.markets.values() if wanted in (None, m.symbol)]
        if wanted and not results:
            raise ApiError(404, "MARKET_NOT_FOUND", f"market {wanted} not found")
        return _json(p.listing(results))

    async def orderbook(self, request: web.Request) -> web.Response:
        market = request.match_info["market"]
        if market not in self.ex.books:
            raise ApiError(400, "MARKET_NOT_FOUND", f"market {market} not found")
        depth = _int_query(request, "depth", 20)
        snap = self.ex.books[market].snapshot(depth)
        bids = [[fmt(price), fmt(size)] for price, size in snap.bids]
        asks = [[fmt(price), fmt(size)] for price, size in snap.asks]
        return _json({
            "market": market, "seq_no": snap.seq, "last_updated_at": snap.time_ms, "bids": bids, "asks": asks,
            "best_bid_api": bids[0] if bids else [], "best_ask_api": asks[0] if asks else [],
            "best_bid_interactive": bids[0] if bids else [], "best_ask_interactive": asks[0] if asks else [],
        })

    # --- onboarding and auth -----------------------------------------------------------------------------

    async def onboarding(self, request: web.Request) -> web.Response:
        account = _header(request, p.H_ACCOUNT)
        _header(request, p.H_ETHEREUM_ACCOUNT)
        r, s = _signature(_header(request, p.H_SIGNATURE), "INVALID_STARKNET_SIGNATURE")
        body = await _body(request)
        public_key = body.get("public_key")
        if not isinstance(public_key, str) or _hex(public_key) is None:
            raise ApiError(400, "PUBLIC_KEY_INVALID", "public_key must be a 0x-hex StarkNet public key")
        known = self.ex.accounts.get(account)
        if known is not None and _hex(known.meta.get("public_key", public_key)) != _hex(public_key):
            raise ApiError(400, "PUBLIC_KEY_INVALID", "this account is onboarded with another public key")
        # the key being registered must sign for the account it claims
        if not _verified(public_key, self._typed_data(account).onboarding_hash(), r, s):
            raise ApiError(401, "STARKNET_SIGNATURE_VERIFICATION_FAILED", "onboarding signature does not verify")
        self.ex.add_account(account, {"public_key": public_key})
        return web.Response(status=200)

    async def auth(self, request: web.Request) -> web.Response:
        account = _header(request, p.H_ACCOUNT)
        r, s = _signature(_header(request, p.H_SIGNATURE), "INVALID_STARKNET_SIGNATURE")
        timestamp = _int_header(request, p.H_TIMESTAMP)
        expiration = _int_header(request, p.H_EXPIRATION, default=timestamp + p.AUTH_SIGNATURE_LIFETIME)
        now = self.clock()
        if timestamp > now + AUTH_CLOCK_SKEW or expiration <= now or expiration - timestamp > MAX_SIGNATURE_EXPIRATION:
            raise ApiError(400, "INVALID_TIMESTAMP", "signature timestamp or expiration is out of range")
        known = self.ex.accounts.get(account)
        if known is None or "public_key" not in known.meta:
            raise ApiError(400, "NOT_ONBOARDED", "User has never called /onboarding endpoint")
        public_key = known.meta["public_key"]
        path_key = request.match_info.get("public_key")
        if path_key is not None and _hex(path_key) != _hex(public_key):
            raise ApiError(400, "PUBLIC_KEY_INVALID", "the public key in the path is not this account's")
        message_hash = self._typed_data(account).auth_hash(timestamp=timestamp, expiration=expiration)
        if not _verified(public_key, message_hash, r, s):
            raise ApiError(401, "STARKNET_SIGNATURE_VERIFICATION_FAILED", "auth signature does not verify")
        return _json({"jwt_token": self.tokens.issue(account)})

    def _account(self, request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        if not header.startswith(p.BEARER):
            raise ApiError(401, p.INVALID_TOKEN, "missing bearer token")
        try:
            account = self.tokens.account(header.removeprefix(p.BEARER))
        except TokenError as exc:
            raise ApiError(401, p.INVALID_TOKEN, str(exc)) from None
        if account not in self.ex.accounts:
            raise ApiError(401, p.INVALID_TOKEN, "unknown account")
        return account

    # --- orders ------------------------------------------------------------------------------------------

    async def create_order(self, request: web.Request) -> web.Response:
        received_mono_ns = time.monotonic_ns()
        account = self._account(request)
        body = await _body(request)
        spec, signed = _parse_order(body, received_mono_ns)
        timestamp_ms = signed["timestamp_ms"]
        recv_window = body.get("recv_window")
        if recv_window is not None:
            if not isinstance(recv_window, int) or recv_window < 10:
                raise ApiError(400, "VALIDATION_ERROR", "recv_window must be an integer of at least 10 ms")
            if self.clock() * 1000 > timestamp_ms + recv_window:
                raise ApiError(400, "INVALID_TIMESTAMP", "order received after its recv_window")
        r, s = _signature(body.get("signature"), "INVALID_ORDER_SIGNATURE")
        public_key = self.ex.account(account).meta.get("public_key", "0x0")
        try:
            message_hash = self._typed_data(account).order_hash(**signed)
        except ValueError as exc:
            raise ApiError(400, "VALIDATION_ERROR", str(exc)) from None
        if not _verified(public_key, message_hash, r, s):
            raise ApiError(400, "INVALID_ORDER_SIGNATURE", "order signature does not verify")
        refusal = self.ex.faults.refusal()
        if isinstance(refusal, RateLimit):
            return _error_response(429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded", headers=refusal.headers)
        if isinstance(refusal, OrderError):
            return _error_response(refusal.http_status, refusal.code, refusal.msg)
        try:
            order = self.ex.place(account, spec)
        except SimReject as exc:
            raise ApiError(400, _REJECT_CODE[exc.reason], exc.message) from None
        await self.ex.respond_delay(request)
        return _json(_order_resp(order, as_received=True), status=201)

    async def open_orders(self, request: web.Request) -> web.Response:
        account = self.ex.account(self._account(request))
        market = request.query.get("market")
        results = [_order_resp(o) for o in account.orders.values() if o.open and market in (None, o.market)]
        return _json(p.listing(results))

    async def orders_history(self, request: web.Request) -> web.Response:
        account = self.ex.account(self._account(request))
        q = request.query
        start, end = _int_query(request, "start_at", 0), _int_query(request, "end_at", 2**63)
        orders = [
            o for o in reversed(account.orders.values())
            if q.get("client_id") in (None, o.client_id) and q.get("market") in (None, o.market)
            and q.get("side") in (None, p.side_text(o.side)) and start <= o.created_ms <= end
            and q.get("type") in (None, "MARKET" if o.price is None else "LIMIT")
        ]
        results = [_order_resp(o) for o in orders]
        if "status" in q:
            results = [o for o in results if o["status"] == q["status"]]
        return _json(_page(request, results))

    async def order_by_client_id(self, request: web.Request) -> web.Response:
        account = self.ex.account(self._account(request))
        order = account.order_by_client_id(request.match_info["client_id"])
        if order is None or not order.open:  # like the real venue: only open orders are found here
            raise ApiError(404, p.CLIENT_ORDER_ID_NOT_FOUND, "client order id not found")
        return _json(_order_resp(order))

    async def order_by_id(self, request: web.Request) -> web.Response:
        account = self.ex.account(self._account(request))
        order = account.orders.get(request.match_info["order_id"])
        if order is None or not order.open:  # the spec: only OPEN or NEW orders
            raise ApiError(404, p.ORDER_ID_NOT_FOUND, "order id not found")
        return _json(_order_resp(order))

    async def cancel_by_client_id(self, request: web.Request) -> web.Response:
        return self._cancel(request, client_id=request.match_info["client_id"])

    async def cancel_by_id(self, request: web.Request) -> web.Response:
        return self._cancel(request, order_id=request.match_info["order_id"])

    def _cancel(self, request: web.Request, **which: str) -> web.Response:
        account = self._account(request)
        try:
            self.ex.cancel(account, **which)
        except SimReject as exc:
            code = _REJECT_CODE[exc.reason]
            if exc.reason is Reject.UNKNOWN_ORDER and "order_id" in which:
                code = p.ORDER_ID_NOT_FOUND
            raise ApiError(400, code, exc.message) from None
        return web.Response(status=204)

    # --- account -----------------------------------------------------------------------------------------

    async def fills(self, request: web.Request) -> web.Response:
        account = self.ex.account(self._account(request))
        market = request.query.get("market")
        start, end = _int_query(request, "start_at", 0), _int_query(request, "end_at", 2**63)
        results = [_fill_result(f) for f in reversed(account.fills)
                   if market in (None, f.market) and start <= f.time_ms <= end]
        return _json(_page(request, results))

    async def positions(self, request: web.Request) -> web.Response:
        account_id = self._account(request)
        account = self.ex.account(account_id)
        return _json(p.listing([_position_resp(account_id, position) for position in account.positions.values()]))

    # --- websocket ---------------------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        return await self.ex.serve_websocket(request, self._on_ws_text)

    async def _on_ws_text(self, conn: SimConnection, text: str) -> None:
        us_in = _now_us()
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            conn.send(_rpc_error(None, -32700, "Parse error", us_in))
            return
        if not isinstance(message, dict):
            conn.send(_rpc_error(None, -32600, "Invalid request", us_in))
            return
        if message.get("jsonrpc") != p.JSONRPC or not isinstance(message.get("method"), str):
            conn.send(_rpc_error(message.get("id"), -32600, "Invalid request", us_in))
            return
        rpc_id, method, params = message.get("id"), message["method"], message.get("params") or {}
        if not isinstance(params, dict):
            conn.send(_rpc_error(rpc_id, -32602, "Invalid method parameters", us_in))
        elif method == "auth":
            self._ws_auth(conn, rpc_id, params, us_in)
        elif method == "subscribe":
            self._ws_subscribe(conn, rpc_id, params, us_in)
        elif method == "unsubscribe":
            channel = params.get("channel")
            if conn.subscriptions.pop(channel, None) is None:
                conn.send(_rpc_error(rpc_id, -32602, f"not subscribed to {channel}", us_in))
            else:
                conn.send(_rpc_result(rpc_id, {"channel": channel}, us_in))
        else:
            conn.send(_rpc_error(rpc_id, -32601, "Method not found", us_in))

    def _ws_auth(self, conn: SimConnection, rpc_id: Any, params: dict[str, Any], us_in: int) -> None:
        bearer = params.get("bearer")
        if not isinstance(bearer, str):
            conn.send(_rpc_error(rpc_id, 40110, "Malformed bearer token", us_in))
            return
        try:
            account = self.tokens.account(bearer)
        except TokenError as exc:
            code, text = (40110, "Malformed bearer token") if exc.malformed else (40111, "Invalid bearer token")
            conn.send(_rpc_error(rpc_id, code, text, us_in))
            return
        if account not in self.ex.accounts:
            conn.send(_rpc_error(rpc_id, 40111, "Invalid bearer token", us_in))
            return
        conn.account = account
        conn.send(_rpc_result(rpc_id, {"node_id": "pyarb-sim"}, us_in))

    def _ws_subscribe(self, conn: SimConnection, rpc_id: Any, params: dict[str, Any], us_in: int) -> None:
        channel = params.get("channel")
        if not isinstance(channel, str):
            conn.send(_rpc_error(rpc_id, -32602, "Invalid method parameters", us_in))
            return
        if channel in conn.subscriptions:
            conn.send(_rpc_error(rpc_id, -32602, f"already subscribed to {channel}", us_in))
            return
        try:
            subscription = self._parse_channel(channel)
        except ValueError as exc:
            conn.send(_rpc_error(rpc_id, -32602, str(exc), us_in))
            return
        if subscription.kind in ("orders", "fills", "positions") and conn.account is None:
            conn.send(_rpc_error(rpc_id, 40110, "Malformed bearer token: authenticate before private channels", us_in))
            return
        conn.subscriptions[channel] = subscription
        conn.send(_rpc_result(rpc_id, {"channel": channel}, us_in))
        if subscription.kind == "deltas":
            conn.send(p.notification(channel, _snapshot_data(self.ex.books[subscription.market].snapshot())))
        elif subscription.kind == "snapshot":
            self._send_depth(conn, channel, subscription)
        elif subscription.kind == "positions" and conn.account is not None:
            for position in self.ex.account(conn.account).positions.values():
                conn.send(p.notification(channel, _position_resp(conn.account, position)))

    def _parse_channel(self, channel: str) -> _Subscription:
        if channel == p.POSITIONS_CHANNEL:
            return _Subscription("positions", "ALL")
        private = p.PRIVATE_CHANNEL.fullmatch(channel)
        if private is not None:
            market = private["market"]
            if market != "ALL" and market not in self.ex.markets:
                raise ValueError(f"unknown market {market}")
            return _Subscription(private["kind"], market)
        book = p.BOOK_CHANNEL.fullmatch(channel)
        if book is None:
            raise ValueError(f"unknown channel {channel}")
        market, feed, extra = book["market"], book["feed"], book["params"]
        if market not in self.ex.markets:
            raise ValueError(f"unknown market {market}")
        if feed == "deltas":
            if extra:
                raise ValueError("no parameters expected for deltas topic")
            return _Subscription("deltas", market)
        params = p.BOOK_PARAMS.fullmatch(extra or "")
        if feed != "snapshot" or params is None:
            raise ValueError(f"unsupported order book channel {channel}")
        return _Subscription("snapshot", market, interval_ms=int(params["rate"][:-2]))

    def _send_depth(self, conn: SimConnection, channel: str, subscription: _Subscription) -> None:
        snap = self.ex.books[subscription.market].snapshot(15)
        subscription.last_sent_ms = int(self.clock() * 1000)
        conn.send(p.notification(channel, _snapshot_data(snap)))

    # --- what the exchange tells ---------------------------------------------------------------------------

    def on_book(self, delta: BookDelta) -> None:
        frame: bytes | None = None
        channel = p.book_channel(delta.market)
        for conn in list(self.ex.connections):
            for name, sub in conn.subscriptions.items():
                if sub.market != delta.market:
                    continue
                if sub.kind == "deltas":
                    frame = frame or p.notification(channel, _delta_data(delta))
                    conn.send(frame)
                elif sub.kind == "snapshot" and delta.time_ms - sub.last_sent_ms >= sub.interval_ms:
                    self._send_depth(conn, name, sub)

    def on_order(self, order: SimOrder) -> None:
        self._push_private(order.account, "orders", order.market, lambda: _order_resp(order))

    def on_fill(self, fill: SimFill) -> None:
        self._push_private(fill.account, "fills", fill.market, lambda: _fill_result(fill))

    def on_position(self, account: str, position: Position) -> None:
        self._push_private(account, "positions", "ALL", lambda: _position_resp(account, position))

    def _push_private(self, account: str, kind: str, market: str, data: Callable[[], dict[str, Any]]) -> None:
        payload: dict[str, Any] | None = None
        for conn in list(self.ex.connections):
            if conn.account != account:
                continue
            for name, sub in conn.subscriptions.items():
                if sub.kind == kind and (sub.market == "ALL" or sub.market == market):
                    payload = payload or data()
                    conn.send(p.notification(name, payload))


# --- request parsing ------------------------------------------------------------------------------------------


def _header(request: web.Request, name: str) -> str:
    value = request.headers.get(name)
    if not value:
        raise ApiError(400, "VALIDATION_ERROR", f"missing header {name}")
    return value


def _int_header(request: web.Request, name: str, default: int | None = None) -> int:
    value = request.headers.get(name)
    if value is None and default is not None:
        return default
    try:
        return int(_header(request, name))
    except ValueError:
        raise ApiError(400, "INVALID_TIMESTAMP", f"header {name} is not an integer") from None


def _int_query(request: web.Request, name: str, default: int) -> int:
    value = request.query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", f"{name} must be an integer") from None


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise ApiError(400, "BINDING_ERROR", "request body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "BINDING_ERROR", "request body must be a JSON object")
    return body


def _hex(text: str) -> int | None:
    """A 0x-hex number, or None."""
    try:
        return int(text, 16) if text.startswith("0x") else None
    except ValueError:
        return None


def _signature(text: Any, code: str) -> tuple[str, str]:
    """``'["r","s"]'`` (decimal or hex strings) -> (r, s)."""
    try:
        parts = orjson.loads(text) if isinstance(text, str) else None
    except orjson.JSONDecodeError:
        parts = None
    if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) and p for p in parts)):
        raise ApiError(400, code, 'signature must be a JSON array of two numbers as strings: ["r","s"]')
    return parts[0], parts[1]


def _verified(public_key: str, message_hash: str, r: str, s: str) -> bool:
    try:
        return signing.paradex_verify(public_key, message_hash, r, s)
    except ValueError:  # a malformed number cannot be a valid signature
        return False


def _decimal_field(body: dict[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if not isinstance(value, str):
        raise ApiError(400, "VALIDATION_ERROR", f"{name} must be a decimal string")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ApiError(400, "VALIDATION_ERROR", f"{name} {value!r} is not a decimal") from None
    if not result.is_finite():
        raise ApiError(400, "VALIDATION_ERROR", f"{name} {value!r} is not a decimal")
    return result


def _parse_order(body: dict[str, Any], received_mono_ns: int) -> tuple[OrderSpec, dict[str, Any]]:
    """The order, and the fields its signature covers (as sent)."""
    market, order_type = body.get("market"), body.get("type")
    if not isinstance(market, str) or not market:
        raise ApiError(400, "VALIDATION_ERROR", "market is required")
    try:
        side = p.side_of(body.get("side"))
    except ValueError:
        raise ApiError(400, "VALIDATION_ERROR", "side must be BUY or SELL") from None
    if order_type not in ("LIMIT", "MARKET"):
        raise ApiError(400, "VALIDATION_ERROR", f"unsupported order type {order_type!r}")
    size = _decimal_field(body, "size")
    price = _decimal_field(body, "price") if order_type == "LIMIT" else None
    instruction = body.get("instruction", "")
    if instruction == "RPI":
        raise ApiError(400, "RPI_ACCOUNT_NOT_WHITELISTED", "this account may not send RPI orders")
    if instruction not in _INSTRUCTIONS:
        raise ApiError(400, "VALIDATION_ERROR", f"unknown instruction {instruction!r}")
    flags = body.get("flags") or []
    if not isinstance(flags, list) or any(f not in _ORDER_FLAGS for f in flags):
        raise ApiError(400, "VALIDATION_ERROR", f"unknown order flags {flags!r}")
    timestamp_ms = body.get("signature_timestamp")
    if not isinstance(timestamp_ms, int) or timestamp_ms <= 0:
        raise ApiError(400, "VALIDATION_ERROR", "signature_timestamp must be a positive integer (ms)")
    client_id = body.get("client_id", "")
    if not isinstance(client_id, str) or len(client_id) > 64:
        raise ApiError(400, "VALIDATION_ERROR", "client_id must be a string of at most 64 characters")
    spec = OrderSpec(
        client_id=client_id, market=market, side=side, size=size, price=price, tif=_INSTRUCTIONS[instruction],
        reduce_only=p.REDUCE_ONLY in flags, received_mono_ns=received_mono_ns,
    )
    signed = {"timestamp_ms": timestamp_ms, "market": market, "side": spec.side, "order_type": order_type,
              "size": body["size"], "price": body["price"] if order_type == "LIMIT" else None}
    return spec, signed


def _page(request: web.Request, results: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of ``results``; the cursor is the offset of the next page."""
    size = max(1, min(5000, _int_query(request, "page_size", 100)))
    try:
        offset = int(request.query.get("cursor") or 0)
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", "bad cursor") from None
    more = offset + size < len(results)
    return p.page(results[offset:offset + size], str(offset + size) if more else None,
                  str(max(0, offset - size)) if offset else None)


def _now_us() -> int:
    return time.time_ns() // 1000


def _rpc_result(rpc_id: Any, result: dict[str, Any], us_in: int) -> bytes:
    """The answer to a request that came in at ``us_in``, stamped as it leaves."""
    return p.rpc_result(rpc_id, result, us_in, _now_us())


def _rpc_error(rpc_id: Any, code: int, message: str, us_in: int) -> bytes:
    """The refusal of a request that came in at ``us_in``, stamped as it leaves."""
    return p.rpc_error(rpc_id, code, message, us_in, _now_us())


# --- the app --------------------------------------------------------------------------------------------------


def build_app(
    seed: int = 1,
    state_path: Path | None = None,
    delta_hz: float = 20.0,
    *,
    jwt_lifetime: float = p.JWT_LIFETIME,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """The simulated Paradex as an aiohttp app: ``/v1/...`` REST, the ``/v1`` websocket and ``/_sim/`` hooks."""
    exchange = SimExchange(venue="paradex", seed=seed, markets=[BTC_USD_PERP], state_path=state_path,
                           delta_hz=delta_hz, clock=clock)
    exchange.add_account(SIM_ACCOUNT, {"public_key": sim_public_key()}, default=True)
    sim = ParadexSim(exchange, Tokens(seed, jwt_lifetime, clock), clock)
    app = web.Application(middlewares=[sim.envelope])
    sim.routes(app)
    exchange.attach(app)
    return app


def sim_public_key() -> str:
    """The public key of :data:`SIM_PRIVATE_KEY`."""
    return signing.paradex_public_key(Secret(SIM_PRIVATE_KEY))
