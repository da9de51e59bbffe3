"""A simulated EdgeX V2 venue: the real REST paths, envelopes and websocket frames over loopback, on one port.

Built on :mod:`pyarb.sim.exchange` (market, matching, accounts, persistence, faults, ``/_sim/`` hooks); this module only
speaks EdgeX. It checks every private call's HMAC headers and every order's EIP-712 signature, recovering the signer
and comparing it with the account's registered one, and refuses bad ones in EdgeX's envelope.

Served (``/api/v2/...`` REST, websockets on their ``/api/v1/...`` paths):

- public: ``meta/getServerTime``, ``meta/getMetaData``, ``quote/getDepth``;
- private: ``order/createOrder``, ``order/getOrderByClientOrderId`` (working orders only, as on the venue),
  ``order/getHistoryOrderByClientOrderId`` (finished orders), ``order/cancelOrderByClientOrderId``,
  ``account/getPositionByContractId``, ``order/getHistoryOrderFillTransactionPage``;
- ``/api/v1/public/ws``: ``depth.{contractId}.{15|200}``: a Snapshot, then Changed frames whose startVersion is the
  previous endVersion + 1 (a ``seq_gap`` fault breaks that once), levels as ``{price, size}`` objects, size "0" for a
  level that left the window; a JSON ``ping`` every few seconds;
- ``/api/v1/private/ws``: ``connected``, a ``Snapshot`` trade-event, then ``ORDER_UPDATE`` events carrying the order,
  its fills and the position, and, like the real venue, a second FILLED event for every filled order.

Error codes for auth and validation are this simulator's best reading of EdgeX's (INVALID_API_KEY, INVALID_PASSPHRASE,
INVALID_TIMESTAMP, INVALID_SIGNATURE, INVALID_L2_SIGNATURE, ...); the venue does not publish its list.

The built-in account's credentials (:data:`SIM_CREDENTIALS`) are SIMULATOR-ONLY values, published here so that the
engine's paper mode can use them. They mean nothing anywhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

import orjson
from aiohttp import web

from pyarb import signing
from pyarb.model import BTC_PERP, Side
from pyarb.secrets import Secret
from pyarb.sim.book import BookDelta
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
from pyarb.venues.edgex import protocol as p
from pyarb.venues.edgex.client import EdgexCredentials

# --- the built-in account: SIMULATOR-ONLY credentials ---------------------------------------------------

SIM_ACCOUNT_ID = "700000000000000001"
SIM_API_KEY = "SIMULATOR-ONLY-edgex-api-key"
SIM_API_SECRET = "SIMULATOR-ONLY-edgex-api-secret"
SIM_API_PASSPHRASE = "SIMULATOR-ONLY-edgex-passphrase"
SIM_TRADING_PRIVATE_KEY = "0x" + "5e" * 32  # SIMULATOR-ONLY: an EIP-712 signer key that owns nothing
SIM_CREDENTIALS = EdgexCredentials(
    account_id=SIM_ACCOUNT_ID,
    api_key=Secret(SIM_API_KEY),
    api_secret=Secret(SIM_API_SECRET),
    api_passphrase=Secret(SIM_API_PASSPHRASE),
    trading_private_key=Secret(SIM_TRADING_PRIVATE_KEY),
)

# --- the market, as getMetaData describes it -----------------------------------------------------------

CHAIN_ID = "33431"  # the V2 SDK's own test value; the simulator's domain, not the venue's
VERIFYING_CONTRACT = "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1"
USD_COIN_ID, BTC_COIN_ID = "1000", "1001"
BTCUSD_ID = "10000001"
USD_RESOLUTION = "0xf4240"  # 1e6, written in hex as the venue writes resolutions
BTC_RESOLUTION = "0x2540be400"  # 1e10
TAKER_FEE, MAKER_FEE = Decimal("0.00038"), Decimal("0.00015")
BTCUSD = MarketConfig(symbol=BTC_PERP["edgex"], tick=Decimal("0.1"), step=Decimal("0.001"), min_size=Decimal("0.001"),
                      max_size=Decimal("50"), min_notional=Decimal(0), taker_fee=TAKER_FEE, maker_fee=MAKER_FEE)

HMAC_WINDOW_MS = 60_000  # EdgeX refuses request timestamps more than a minute off
DEPTHS = (15, 200)
PING_EVERY = 5.0  # seconds between the server's JSON pings
UNANSWERED_PINGS = 5  # then the connection is closed, as the venue does
USER_ID = "700000000000000000"

_CANCEL_REASON = {
    CloseReason.UNFILLED_REMAINDER: "COULD_NOT_FILL",
    CloseReason.REDUCE_ONLY: "REDUCE_ONLY_CANCELED",
    CloseReason.POST_ONLY_WOULD_CROSS: "COULD_NOT_FILL",
    CloseReason.USER_CANCELED: "USER_CANCELED",
}
_REJECT_CODE = {
    Reject.UNKNOWN_MARKET: "INVALID_CONTRACT_ID",
    Reject.BAD_SIZE: "ORDER_SIZE_INVALID",
    Reject.BAD_PRICE: "ORDER_PRICE_INVALID",
    Reject.MIN_NOTIONAL: "ORDER_VALUE_TOO_SMALL",
    Reject.DUPLICATE_CLIENT_ID: "DUPLICATE_CLIENT_ORDER_ID",
    Reject.UNKNOWN_ORDER: "ORDER_NOT_FOUND",
    Reject.ORDER_CLOSED: "ORDER_ALREADY_CLOSED",
}
_TIF = {"IMMEDIATE_OR_CANCEL": TimeInForce.IOC, "GOOD_TIL_CANCEL": TimeInForce.GTC,
        "POST_ONLY": TimeInForce.POST_ONLY}
_TIF_NAME = {v: k for k, v in _TIF.items()}


def metadata_json() -> dict[str, Any]:
    """getMetaData's ``data``: global (the EIP-712 domain), coins and the BTCUSD contract."""
    return {
        "global": {"appName": "edgeX", "appEnv": "simulator", "nativeChainId": CHAIN_ID,
                   "contractAddress": VERIFYING_CONTRACT},
        "coinList": [
            {"coinId": USD_COIN_ID, "coinName": "USD", "stepSize": "0.000001", "showStepSize": "0.0001",
             "resolution": USD_RESOLUTION},
            {"coinId": BTC_COIN_ID, "coinName": "BTC", "stepSize": "0.001", "showStepSize": "0.001",
             "resolution": BTC_RESOLUTION},
        ],
        "contractList": [{
            "contractId": BTCUSD_ID, "contractName": BTCUSD.symbol, "baseCoinId": BTC_COIN_ID,
            "quoteCoinId": USD_COIN_ID,
            "tickSize": p.text(BTCUSD.tick), "stepSize": p.text(BTCUSD.step),
            "minOrderSize": p.text(BTCUSD.min_size), "maxOrderSize": p.text(BTCUSD.max_size),
            "maxOrderBuyPriceRatio": "0.05", "minOrderSellPriceRatio": "0.05", "maxPositionSize": "120",
            "defaultTakerFeeRate": p.text(TAKER_FEE), "defaultMakerFeeRate": p.text(MAKER_FEE),
            "defaultLeverage": "10", "resolution": BTC_RESOLUTION, "fundingRateIntervalMin": "240",
            "enableTrade": True, "enableDisplay": True, "enableOpenPosition": True,
        }],
    }


class _Refusal(Exception):
    """A request refused in EdgeX's envelope."""

    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


@dataclass(slots=True)
class _DepthView:
    """The book as one depth channel last published it: its top ``depth`` levels, and the version it is at.
    Diffing the exchange's book against this gives each channel's Changed frames, including the levels that enter or
    leave its window, so a subscriber that applies them holds exactly the top ``depth``."""

    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)
    end: int = 0
    skipped: int = 0  # versions a seq_gap fault skipped, shown in the next frame's startVersion


@dataclass(slots=True)
class _Pending:
    """What happened to one account since its last private event."""

    fills: list[SimFill] = field(default_factory=list)
    positions: dict[str, Position] = field(default_factory=dict)
    scheduled: bool = False


def _levels(book: dict[Decimal, Decimal]) -> list[dict[str, str]]:
    return [{"price": p.text(price), "size": p.text(size)} for price, size in book.items()]


def _diff(old: dict[Decimal, Decimal], new: dict[Decimal, Decimal]) -> dict[Decimal, Decimal]:
    changed = {price: size for price, size in new.items() if old.get(price) != size}
    changed.update({price: Decimal(0) for price in old if price not in new})
    return changed


class EdgexSim:
    """The EdgeX front end of one :class:`SimExchange`."""

    def __init__(self, exchange: SimExchange, ping_every: float = PING_EVERY) -> None:
        self.ex = exchange
        self.ping_every = ping_every
        self.contracts = {BTCUSD_ID: BTCUSD}
        self.market_ids = {m.symbol: cid for cid, m in self.contracts.items()}
        self.metadata = metadata_json()
        meta = p.parse_metadata(self.metadata)
        self.hashers = {c.contract_id: signing.EdgexOrderHasher(
            chain_id=meta.chain_id, verifying_contract=meta.verifying_contract, contract_id=c.contract_id,
            collateral_coin_id=c.coin_id, synthetic_resolution=c.synthetic_resolution,
            collateral_resolution=c.collateral_resolution, fee_rate=c.limit_fee_rate) for c in meta.contracts.values()}
        self.views: dict[tuple[str, int], _DepthView] = {}
        self.pending: dict[str, _Pending] = {}
        self.pongs = 0  # answered pings, for the tests
        self._unanswered: dict[SimConnection, int] = {}
        self._recent_pings: deque[str] = deque(maxlen=UNANSWERED_PINGS)
        self._pinger: asyncio.Task | None = None
        self.add_account(SIM_CREDENTIALS, default=True)
        exchange.listeners.append(self)

    def add_account(self, creds: EdgexCredentials, default: bool = False) -> None:
        """Register an account with its API key and its L2 signer's address (never its signer key)."""
        self.ex.add_account(creds.account_id, meta={
            "api_key": creds.api_key.reveal(), "api_secret": creds.api_secret.reveal(),
            "api_passphrase": creds.api_passphrase.reveal(),
            "signer": signing.edgex_address(creds.trading_private_key)}, default=default)

    def _now_ms(self) -> int:
        return int(self.ex.clock() * 1000)

    def _answer(self, data: Any = None, code: str = p.SUCCESS, msg: str | None = None, status: int = 200
                ) -> web.Response:
        body = p.envelope(code, data, msg, secrets.token_hex(16), self._now_ms())
        return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")

    def _refused(self, refusal: _Refusal) -> web.Response:
        return self._answer(code=refusal.code, msg=refusal.msg, status=refusal.status)

    # --- auth -------------------------------------------------------------------------------------------

    def authenticate(self, request: web.Request, content: str, account_id: Any) -> str:
        """The account whose API key signed this request, which must also be the ``accountId`` it names; or a
        refusal (HTTP 401, or 403 for another account)."""
        h = request.headers
        key, passphrase, stamp, signature = (h.get(p.H_KEY), h.get(p.H_PASSPHRASE), h.get(p.H_TIMESTAMP),
                                             h.get(p.H_SIGNATURE))
        if not (key and passphrase and stamp and signature):
            raise _Refusal("INVALID_API_KEY", "missing X-edgeX-Api-Key, -Passphrase, -Timestamp or -Signature", 401)
        account = next((a for a in self.ex.accounts.values() if a.meta.get("api_key") == key), None)
        if account is None:
            raise _Refusal("INVALID_API_KEY", "api key not found", 401)
        if not secrets.compare_digest(passphrase, account.meta["api_passphrase"]):
            raise _Refusal("INVALID_PASSPHRASE", "passphrase does not match the api key", 401)
        if not stamp.isdigit() or abs(int(stamp) - self._now_ms()) > HMAC_WINDOW_MS:
            raise _Refusal("INVALID_TIMESTAMP", "timestamp is more than 60 seconds from the server's time", 401)
        if not signing.edgex_verify_request_signature(Secret(account.meta["api_secret"]), stamp, request.method,
                                                      request.path, content, signature):
            raise _Refusal("INVALID_SIGNATURE", "request signature does not match", 401)
        if str(account_id) != account.id:
            raise _Refusal("ACCOUNT_ID_NOT_MATCH", "accountId is not the api key's account", 403)
        return account.id

    def _private_get(self, request: web.Request) -> tuple[str, dict[str, str]]:
        query = dict(request.query)
        return self.authenticate(request, p.query_content(query), query.get("accountId")), query

    async def _private_post(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            raise _Refusal("INVALID_PARAMETER", "body is not JSON", 400) from None
        if not isinstance(body, dict):
            raise _Refusal("INVALID_PARAMETER", "body is not a JSON object", 400)
        return self.authenticate(request, p.content_of(body), body.get("accountId")), body

    # --- public REST ------------------------------------------------------------------------------------

    async def server_time(self, request: web.Request) -> web.Response:
        return self._answer({"timeMillis": str(self._now_ms())})

    async def get_metadata(self, request: web.Request) -> web.Response:
        return self._answer(self.metadata)

    async def get_depth(self, request: web.Request) -> web.Response:
        contract_id = request.query.get("contractId", "")
        market = self.contracts.get(contract_id)
        level = request.query.get("level", "15")
        if market is None or not level.isdigit() or int(level) not in DEPTHS:
            return self._answer(code="INVALID_PARAMETER", msg=f"contractId {contract_id} / level {level}",
                                status=400)
        snap = self.ex.books[market.symbol].snapshot(int(level))
        return self._answer([{
            "startVersion": str(snap.seq), "endVersion": str(snap.seq), "level": int(level),
            "contractId": contract_id, "contractName": market.symbol, "depthType": "SNAPSHOT",
            "asks": _levels(dict(snap.asks)), "bids": _levels(dict(snap.bids))}])

    # --- orders -----------------------------------------------------------------------------------------

    async def create_order(self, request: web.Request) -> web.StreamResponse:
        received = time.monotonic_ns()
        try:
            account, body = await self._private_post(request)
            spec = self._order_spec(account, body, received)
        except _Refusal as refusal:
            return self._refused(refusal)
        refusal = self.ex.faults.refusal()
        if isinstance(refusal, RateLimit):
            return web.Response(status=429, text="Too Many Requests", headers=refusal.headers)
        if isinstance(refusal, OrderError):
            return self._answer(code=refusal.code, msg=refusal.msg, status=refusal.http_status)
        try:
            order = self.ex.place(account, spec)
        except SimReject as reject:
            return self._answer(code=_REJECT_CODE[reject.reason], msg=reject.message)
        await self.ex.respond_delay(request)  # latency_ms; lose_response raises ResponseLost: nothing is written
        return self._answer({"orderId": order.order_id})

    def _order_spec(self, account: str, body: dict[str, Any], received: int) -> OrderSpec:
        """Parse and check a createOrder body, including its L2 signature. Raises :class:`_Refusal`."""
        try:
            contract_id = str(body["contractId"])
            side = {"BUY": Side.BUY, "SELL": Side.SELL}[body["side"]]
            kind, tif_name = body["type"], body["timeInForce"]
            size, price = Decimal(body["size"]), Decimal(body["price"])
            client_id = str(body["clientOrderId"])
            reduce_only = body.get("reduceOnly", False)
        except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
            raise _Refusal("INVALID_PARAMETER", f"createOrder: bad or missing field ({exc!r})") from None
        market = self.contracts.get(contract_id)
        if market is None:
            raise _Refusal("INVALID_CONTRACT_ID", f"invalid contractId:{contract_id}")
        if not (size.is_finite() and price.is_finite()):
            raise _Refusal("INVALID_PARAMETER", "size and price must be finite decimals")
        if kind not in ("LIMIT", "MARKET") or tif_name not in _TIF or not isinstance(reduce_only, bool):
            raise _Refusal("INVALID_PARAMETER", f"unsupported type/timeInForce {kind}/{tif_name}")
        if kind == "MARKET" and tif_name != "IMMEDIATE_OR_CANCEL":
            raise _Refusal("INVALID_PARAMETER", "a MARKET order must be IMMEDIATE_OR_CANCEL")
        if not client_id:
            raise _Refusal("INVALID_PARAMETER", "clientOrderId is required")
        spec = OrderSpec(client_id=client_id, market=market.symbol, side=side, size=size,
                         price=None if kind == "MARKET" else price, tif=_TIF[tif_name], reduce_only=reduce_only,
                         received_mono_ns=received)
        self._check_l2(account, contract_id, spec, body)
        return spec

    def _check_l2(self, account: str, contract_id: str, spec: OrderSpec, body: dict[str, Any]) -> None:
        """The L2 terms must agree with the order, and the signature must recover to the account's signer."""
        try:
            size, value, limit_fee = str(body["l2Size"]), str(body["l2Value"]), str(body["l2LimitFee"])
            nonce, expire_ms, l2_expire_ms = int(body["l2Nonce"]), int(body["expireTime"]), int(body["l2ExpireTime"])
            signature = str(body["l2Signature"])
            if Decimal(size) != spec.size:
                raise _Refusal("INVALID_L2_PARAMETER", "l2Size is not the order's size")
            if spec.price is not None and Decimal(value) < spec.price * spec.size:
                raise _Refusal("INVALID_L2_PARAMETER", "l2Value is below price * size")
            if Decimal(limit_fee) < 0:
                raise _Refusal("INVALID_L2_PARAMETER", "l2LimitFee is negative")
        except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
            raise _Refusal("INVALID_L2_PARAMETER", f"createOrder: bad or missing l2 field ({exc!r})") from None
        if nonce != signing.edgex_nonce(spec.client_id):
            raise _Refusal("INVALID_L2_PARAMETER", "l2Nonce is not derived from clientOrderId")
        if l2_expire_ms < expire_ms + p.L2_EXPIRY_MARGIN_MS or expire_ms <= self._now_ms():
            raise _Refusal("INVALID_L2_PARAMETER", "l2ExpireTime must be >= expireTime + 8 days, in the future")
        signer = self.ex.account(account).meta["signer"]
        try:
            digest = self.hashers[contract_id].order_digest(
                account_id=int(account), signer=signer, side=spec.side, size=size, value=value, limit_fee=limit_fee,
                nonce=nonce, expire_time_ms=expire_ms)
            recovered = signing.edgex_recover(digest, signature)
        except ValueError as exc:
            raise _Refusal("INVALID_L2_SIGNATURE", f"l2Signature: {exc}") from None
        if recovered is None or recovered.lower() != signer.lower():
            raise _Refusal("INVALID_L2_SIGNATURE", "l2Signature was not made by the account's signer")

    async def order_by_client_id(self, request: web.Request) -> web.Response:
        return await self._orders_by_client_id(request, working=True)

    async def history_order_by_client_id(self, request: web.Request) -> web.Response:
        return await self._orders_by_client_id(request, working=False)

    async def _orders_by_client_id(self, request: web.Request, working: bool) -> web.Response:
        try:
            account, query = self._private_get(request)
        except _Refusal as refusal:
            return self._refused(refusal)
        acct = self.ex.account(account)
        orders = [acct.order_by_client_id(cid) for cid in query.get("clientOrderIdList", "").split(",") if cid]
        return self._answer([self.order_json(o) for o in orders if o is not None and o.open == working])

    async def cancel_by_client_id(self, request: web.Request) -> web.Response:
        try:
            account, body = await self._private_post(request)
            ids = body.get("clientOrderIdList")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise _Refusal("INVALID_PARAMETER", "clientOrderIdList must be a list of strings", 400)
        except _Refusal as refusal:
            return self._refused(refusal)
        results = {}
        for cid in ids:
            try:
                self.ex.cancel(account, client_id=cid)
                results[cid] = "SUCCESS"
            except SimReject as reject:
                order = self.ex.account(account).order_by_client_id(cid)
                filled = order is not None and order.filled == order.size
                results[cid] = ("FAILED_ORDER_NOT_FOUND" if reject.reason is Reject.UNKNOWN_ORDER
                                else "FAILED_ORDER_FILLED" if filled else "SUCCESS_ORDER_CANCELED")
        return self._answer({"cancelResultMap": results})

    # --- account ----------------------------------------------------------------------------------------

    async def positions(self, request: web.Request) -> web.Response:
        try:
            account, query = self._private_get(request)
        except _Refusal as refusal:
            return self._refused(refusal)
        wanted = [cid for cid in query.get("contractIdList", "").split(",") if cid] or list(self.contracts)
        acct = self.ex.account(account)
        return self._answer([self.position_json(account, acct.positions[self.contracts[cid].symbol])
                             for cid in wanted if cid in self.contracts
                             and self.contracts[cid].symbol in acct.positions])

    async def fills_page(self, request: web.Request) -> web.Response:
        try:
            account, query = self._private_get(request)
            size = int(query.get("size") or 100)
            offset = int(query.get("offsetData") or 0)
            start = int(query.get("filterStartCreatedTimeInclusive") or 0)
            end = int(query.get("filterEndCreatedTimeExclusive") or 0)
            if not 0 < size <= 100 or offset < 0:
                raise ValueError("size must be in 1..100")
        except _Refusal as refusal:
            return self._refused(refusal)
        except ValueError as exc:
            return self._answer(code="INVALID_PARAMETER", msg=str(exc), status=400)
        contracts = {c for c in query.get("filterContractIdList", "").split(",") if c}
        order_ids = {o for o in query.get("filterOrderIdList", "").split(",") if o}
        fills = [f for f in reversed(self.ex.account(account).fills)  # the venue pages newest first
                 if (not contracts or self.market_ids[f.market] in contracts)
                 and (not order_ids or f.order_id in order_ids)
                 and f.time_ms >= start and (not end or f.time_ms < end)]
        page = fills[offset:offset + size]
        more = offset + size < len(fills)
        return self._answer({"dataList": [self.fill_json(f) for f in page],
                             "nextPageOffsetData": str(offset + size) if more else ""})

    # --- EdgeX shapes -----------------------------------------------------------------------------------

    def order_json(self, o: SimOrder, streamed: bool = False) -> dict[str, Any]:
        market = self.ex.markets[o.market]
        if o.open:
            status = "PENDING" if streamed and o.version == 1 else "OPEN"
        else:
            status = "FILLED" if o.filled == o.size else "CANCELED"
        filled, value, fee = p.text(o.filled), p.text(o.notional), p.text(o.fee)
        return {
            "id": o.order_id, "userId": USER_ID, "accountId": o.account, "coinId": USD_COIN_ID,
            "contractId": self.market_ids[o.market], "side": p.side_text(o.side),
            "price": "0" if o.price is None else p.text(o.price), "size": p.text(o.size),
            "clientOrderId": o.client_id, "type": "MARKET" if o.price is None else "LIMIT",
            "timeInForce": _TIF_NAME[o.tif], "reduceOnly": o.reduce_only, "triggerPrice": "0",
            "triggerPriceType": "UNKNOWN_PRICE_TYPE", "expireTime": str(o.created_ms + p.ORDER_EXPIRY_MS),
            "status": status, "maxLeverage": "10", "takerFeeRate": p.text(market.taker_fee),
            "makerFeeRate": p.text(market.maker_fee),
            "cancelReason": _CANCEL_REASON.get(o.close_reason, "UNKNOWN_ORDER_CANCEL_REASON")
            if status == "CANCELED" else "UNKNOWN_ORDER_CANCEL_REASON",
            "cumFillSize": filled, "cumFillValue": value, "cumFillFee": fee,
            "cumMatchSize": filled, "cumMatchValue": value, "cumMatchFee": fee,
            "cumFailSize": "0", "cumFailValue": "0", "cumFailFee": "0",
            "createdTime": str(o.created_ms), "updatedTime": str(o.updated_ms),
        }

    def fill_json(self, f: SimFill) -> dict[str, Any]:
        stamp = str(f.time_ms)
        return {
            "id": f.fill_id, "userId": USER_ID, "accountId": f.account, "coinId": USD_COIN_ID,
            "contractId": self.market_ids[f.market], "orderId": f.order_id,
            "orderSide": p.side_text(f.side), "fillSize": p.text(f.size),
            "fillValue": p.text(f.size * f.price), "fillFee": p.text(f.fee), "fillPrice": p.text(f.price),
            "liquidateFee": "0", "realizePnl": "0", "direction": "MAKER" if f.maker else "TAKER",
            "isPositionTpsl": False, "isLiquidate": False, "isDeleverage": False, "isWithoutMatch": False,
            "matchTime": stamp, "censorStatus": "CENSOR_SUCCESS", "createdTime": stamp, "updatedTime": stamp,
        }

    def position_json(self, account: str, pos: Position) -> dict[str, Any]:
        return {
            "userId": USER_ID, "accountId": account, "coinId": USD_COIN_ID, "contractId": self.market_ids[pos.market],
            "openSize": p.text(pos.size), "openValue": p.text(pos.size * pos.entry_price), "openFee": "0",
            "fundingFee": "0", "createdTime": str(pos.updated_ms), "updatedTime": str(pos.updated_ms),
        }

    def _collateral_json(self, account: str) -> dict[str, Any]:
        fees = sum((f.fee for f in self.ex.account(account).fills), Decimal(0))
        return {"userId": USER_ID, "accountId": account, "coinId": USD_COIN_ID,
                "amount": p.text(Decimal(100_000) - fees), "cumFillFeeAmount": p.text(-fees),
                "updatedTime": str(self._now_ms())}

    # --- exchange events -> websocket frames ------------------------------------------------------------

    def on_book(self, delta: BookDelta) -> None:
        contract_id = self.market_ids[delta.market]
        book = self.ex.books[delta.market]
        for (cid, depth), view in self.views.items():
            if cid != contract_id:
                continue
            view.skipped += delta.seq - delta.prev_seq - 1
            snap = book.snapshot(depth)
            bids, asks = dict(snap.bids), dict(snap.asks)
            changed_bids, changed_asks = _diff(view.bids, bids), _diff(view.asks, asks)
            if not changed_bids and not changed_asks:
                continue  # nothing in this window moved; the next frame's range covers these versions
            start, view.end = view.end + 1 + view.skipped, delta.seq
            view.bids, view.asks, view.skipped = bids, asks, 0
            frame = self._depth_frame(contract_id, delta.market, depth, "Changed", start, view.end,
                                      changed_bids, changed_asks)
            channel = f"depth.{contract_id}.{depth}"
            for conn in self.ex.connections:
                if channel in conn.subscriptions:
                    conn.send(frame)

    def _view(self, contract_id: str, depth: int) -> _DepthView:
        view = self.views.get((contract_id, depth))
        if view is None:
            snap = self.ex.books[self.contracts[contract_id].symbol].snapshot(depth)
            view = self.views[(contract_id, depth)] = _DepthView(dict(snap.bids), dict(snap.asks), snap.seq)
        return view

    def _depth_frame(self, contract_id: str, market: str, depth: int, kind: str, start: int, end: int,
                     bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal]) -> bytes:
        channel = f"depth.{contract_id}.{depth}"
        return orjson.dumps({"type": "quote-event", "channel": channel, "content": {
            "channel": channel, "dataType": kind, "data": [{
                "startVersion": str(start), "endVersion": str(end), "level": depth, "contractId": contract_id,
                "contractName": market, "asks": _levels(asks), "bids": _levels(bids),
                "depthType": "SNAPSHOT" if kind == "Snapshot" else "CHANGED"}]}})

    def on_fill(self, fill: SimFill) -> None:
        self._pending(fill.account).fills.append(fill)

    def on_position(self, account: str, position: Position) -> None:
        self._pending(account).positions[position.market] = position

    def on_order(self, order: SimOrder) -> None:
        pending = self.pending.pop(order.account, _Pending())
        data = {"order": [self.order_json(order, streamed=True)],
                "orderFillTransaction": [self.fill_json(f) for f in pending.fills],
                "position": [self.position_json(order.account, pos) for pos in pending.positions.values()]}
        self._trade_event(order.account, "ORDER_UPDATE", data)
        if not order.open and order.filled == order.size:
            # The venue reports every filled order twice, the second time with the collateral it changed.
            self._trade_event(order.account, "ORDER_UPDATE", {"order": [self.order_json(order, streamed=True)],
                                                              "collateral": [self._collateral_json(order.account)]})

    def _pending(self, account: str) -> _Pending:
        pending = self.pending.setdefault(account, _Pending())
        if not pending.scheduled:
            # A position set outside an order (the /_sim/positions hook) goes out on its own, once the current
            # exchange call is over; an order's changes go out with the order (on_order) before that.
            pending.scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_account, account)
        return pending

    def _flush_account(self, account: str) -> None:
        pending = self.pending.pop(account, None)
        if pending is None or not (pending.positions or pending.fills):
            return
        self._trade_event(account, "ACCOUNT_UPDATE", {
            "orderFillTransaction": [self.fill_json(f) for f in pending.fills],
            "position": [self.position_json(account, pos) for pos in pending.positions.values()]})

    def _trade_event(self, account: str, event: str, data: dict[str, Any]) -> None:
        frame = self._trade_frame(account, event, data)
        for conn in self.ex.connections:
            if conn.account == account:
                conn.send(frame)

    def _trade_frame(self, account: str, event: str, data: dict[str, Any]) -> bytes:
        sections = ("account", "collateral", "collateralTransaction", "position", "positionTransaction", "deposit",
                    "withdraw", "transferIn", "transferOut", "order", "orderFillTransaction")
        return orjson.dumps({"type": "trade-event", "content": {
            "event": event, "version": self._now_ms(), "data": {s: data.get(s, []) for s in sections},
            "time": self._now_ms(), "accountId": 0}})

    # --- websockets -------------------------------------------------------------------------------------

    async def public_ws(self, request: web.Request) -> web.StreamResponse:
        return await self.ex.serve_websocket(request, self._on_public_text)

    async def private_ws(self, request: web.Request) -> web.StreamResponse:
        """The handshake is authenticated as a signed GET of its query (accountId, timestamp); the venue then
        speaks first: ``connected``, then a Snapshot of the account."""
        try:
            account, _ = self._private_get(request)
        except _Refusal as refusal:
            return self._refused(refusal)
        return await self.ex.serve_websocket(request, self._on_private_text,
                                             on_open=lambda conn: self._greet_private(conn, account))

    def _greet_private(self, conn: SimConnection, account: str) -> None:
        conn.account = account
        conn.send(orjson.dumps({"sid": secrets.token_hex(16), "type": "connected", "time": str(self._now_ms())}))
        acct = self.ex.account(account)
        conn.send(self._trade_frame(account, "Snapshot", {
            "account": [{"id": account, "userId": USER_ID, "status": "NORMAL", "isLiquidating": False}],
            "collateral": [self._collateral_json(account)],
            "position": [self.position_json(account, pos) for pos in acct.positions.values()],
            "order": [self.order_json(o) for o in acct.orders.values() if o.open]}))

    async def _on_private_text(self, conn: SimConnection, text: str) -> None:
        self._on_common_text(conn, text)  # the private stream takes no subscriptions

    async def _on_public_text(self, conn: SimConnection, text: str) -> None:
        msg = self._on_common_text(conn, text)
        if msg is None:
            return
        kind, channel = msg.get("type"), msg.get("channel")
        if kind not in ("subscribe", "unsubscribe"):
            return
        parts = str(channel).split(".")
        if len(parts) != 3 or parts[0] != "depth" or parts[1] not in self.contracts or parts[2] not in ("15", "200"):
            conn.send(self._ws_error(text, "INVALID_CONTRACT_ID", f"invalid channel:{channel}"))
            return
        if kind == "unsubscribe":
            conn.subscriptions.pop(channel, None)
            conn.send(orjson.dumps({"type": "unsubscribed", "channel": channel}))
            return
        contract_id, depth = parts[1], int(parts[2])
        view = self._view(contract_id, depth)
        conn.subscriptions[channel] = depth
        conn.send(orjson.dumps({"type": "subscribed", "channel": channel}))
        conn.send(self._depth_frame(contract_id, self.contracts[contract_id].symbol, depth, "Snapshot", view.end,
                                    view.end, view.bids, view.asks))

    def _on_common_text(self, conn: SimConnection, text: str) -> dict[str, Any] | None:
        """Pings and pongs, on both websockets; other messages are returned for the caller."""
        try:
            msg = orjson.loads(text)
            kind = msg.get("type")
        except (orjson.JSONDecodeError, AttributeError):
            conn.send(self._ws_error(text, "UNRECOGNIZED_MESSAGE", "message is not a JSON object"))
            return None
        if kind == "ping":
            conn.send(orjson.dumps({"type": "pong", "time": msg.get("time")}))
        elif kind == "pong":
            if msg.get("time") in self._recent_pings:  # a pong must echo a ping's time
                self._unanswered[conn] = 0
                self.pongs += 1
        elif kind in ("subscribe", "unsubscribe"):
            return msg
        else:
            conn.send(self._ws_error(text, "INVALID_MESSAGE_TYPE", f"unknown message type {kind!r}"))
        return None

    @staticmethod
    def _ws_error(request_text: str, code: str, msg: str) -> bytes:
        return orjson.dumps({"type": "error", "channel": None, "request": request_text,
                             "content": {"code": code, "msg": msg, "details": None}})

    async def ping_forever(self) -> None:
        """A JSON ping to every client every ``ping_every`` seconds; a client that leaves too many unanswered is
        disconnected."""
        while True:
            await asyncio.sleep(self.ping_every)
            stamp = str(self._now_ms())
            self._recent_pings.append(stamp)
            frame = orjson.dumps({"type": "ping", "time": stamp})
            for conn in list(self.ex.connections):
                unanswered = self._unanswered.get(conn, 0) + 1
                if unanswered > UNANSWERED_PINGS:
                    self._unanswered.pop(conn, None)
                    conn.drop()
                    continue
                self._unanswered[conn] = unanswered
                conn.send(frame)
            for conn in [c for c in self._unanswered if c not in self.ex.connections]:
                del self._unanswered[conn]

    # --- the app ----------------------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get(p.SERVER_TIME, self.server_time)
        r.add_get(p.METADATA, self.get_metadata)
        r.add_get(p.DEPTH, self.get_depth)
        r.add_post(p.CREATE_ORDER, self.create_order)
        r.add_get(p.ORDER_BY_CLIENT_ID, self.order_by_client_id)
        r.add_get(p.HISTORY_ORDER_BY_CLIENT_ID, self.history_order_by_client_id)
        r.add_post(p.CANCEL_BY_CLIENT_ID, self.cancel_by_client_id)
        r.add_get(p.POSITIONS, self.positions)
        r.add_get(p.FILLS_PAGE, self.fills_page)
        r.add_get(p.PUBLIC_WS, self.public_ws)
        r.add_get(p.PRIVATE_WS, self.private_ws)
        app.on_startup.append(self._start_pinger)
        app.on_cleanup.append(self._stop_pinger)

    async def _start_pinger(self, app: web.Application) -> None:
        self._pinger = asyncio.create_task(self.ping_forever())

    async def _stop_pinger(self, app: web.Application) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinger


SIM_KEY: web.AppKey[EdgexSim] = web.AppKey("edgex_sim", EdgexSim)


def build_app(seed: int = 1, state_path: Path | None = None, delta_hz: float = 20.0, *,
              ping_every: float = PING_EVERY, clock: Callable[[], float] = time.time) -> web.Application:
    """The simulated venue as an aiohttp app: REST, both websockets and the ``/_sim/`` hooks on one port."""
    exchange = SimExchange(venue="edgex", seed=seed, markets=[BTCUSD], state_path=state_path, delta_hz=delta_hz,
                           clock=clock)
    sim = EdgexSim(exchange, ping_every=ping_every)
    app = web.Application()
    app[SIM_KEY] = sim
    sim.routes(app)
    exchange.attach(app)
    return app
