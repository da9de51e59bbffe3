"""The venue-neutral simulated exchange that every simulator front end (``pyarb.sim.paradex``, ``pyarb.sim.edgex``)
is built on. A front end only parses and formats its venue's wire protocol; everything else lives here.

API in brief::

    ex = SimExchange(venue="paradex", seed=1, markets=[MarketConfig(...)], state_path=None, delta_hz=20)
    ex.add_account("0xabc", meta={...})       # built-in or onboarded accounts; meta is the front end's own (keys)
    ex.listeners.append(front_end)             # gets on_book / on_order / on_fill / on_position (ExchangeListener)
    ex.attach(app)                             # adds the /_sim/ routes; runs the market loop while the app runs,
                                               #   closes the state file at cleanup (ex.close() without an app)

    refusal = ex.faults.refusal()              # per order request, after auth and signature checks:
                                               #   RateLimit -> answer 429; OrderError -> the venue's error envelope
    order = ex.place(account_id, OrderSpec(...))   # may raise SimReject(reason, message); matches at once
    await ex.respond_delay(request)            # latency_ms, then lose_response: aborts the connection, raises
                                               #   ResponseLost (let it propagate; aiohttp writes nothing)
    ex.cancel(account_id, client_id=...)       # or order_id=...; SimReject(UNKNOWN_ORDER | ORDER_CLOSED)
    ex.account(id).order_by_client_id(cid)     # orders, fills, positions of an account
    ex.set_position(account_id, market, size)  # outright, as POST /_sim/positions does
    ex.pin_mid(market, Decimal(...) | None)    # as POST /_sim/price does
    ex.books[market].snapshot(depth)           # the published book at its sequence number
    ex.tick()                                  # one market step now (tests that want no background clock:
                                               #   a tiny delta_hz, then tick() by hand)

    async def on_text(conn: SimConnection, text: str) -> None: ...
    return await ex.serve_websocket(request, on_text, on_open=greet)   # one ordered outbound queue per client;
                                                                       # ws_drop aborts them all
    app[EXCHANGE]                              # the exchange an app serves

The market. Each market's mid is the seed's shared fair price (same in every simulator started with that seed, see
``pyarb.sim.price``) plus this venue's own noise and dislocations, unless ``POST /_sim/price`` pins it. ``delta_hz``
times a second the book is re-quoted around the mid, resting orders that the book crossed fill as makers, and the
change is published as one :class:`~pyarb.sim.book.BookDelta` with the next sequence number (a ``seq_gap`` fault skips
one).

Matching. ``place`` validates (market, step, tick, size limits, minimum notional, duplicate client id: a client id is
never reused by an account), then takes liquidity from the live book up to the limit price (market orders: up to 5%
from the mid). Reduce-only orders fill only what reduces the position; ``fill_ratio`` caps each order's fill (rounded
down to the step). IOC and market orders close with their remainder cancelled; GTC rests; POST_ONLY closes if it
would cross. Every fill pays the taker (or maker) fee on its notional.

Persistence. With ``state_path``, accounts, orders, fills and positions go to an append-only JSON-lines journal,
written and flushed before the caller answers, so they survive a restart (even a SIGKILL) of the simulator; the file
is compacted at start. The book and the faults are not kept.

Test hooks (the same on every venue): ``POST/DELETE/GET /_sim/faults`` (see ``pyarb.sim.faults``),
``POST /_sim/price {"mid": "122384.5" | null, "market"?}``, ``POST /_sim/positions {"<market>": "<signed>"}``,
``GET /_sim/state`` (the default account: positions, orders, fills). ``?account=`` picks another account.
Its order ``status`` is venue-neutral: ``open``, ``filled`` (all of it) or ``canceled`` (closed with less, maybe
nothing); each order also carries ``close_reason``, ``order_id``, ``market`` and ``received_mono_ns``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import random
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Awaitable, Callable, Protocol

import orjson
from aiohttp import WSMsgType, web
from pydantic import ValidationError

from pyarb.model import Side, fmt
from pyarb.sim.book import BookDelta, BookShape, SimBook
from pyarb.sim.faults import Faults, FaultsRequest
from pyarb.sim.price import FairPrice, VenuePrice, venue_stream

log = logging.getLogger(__name__)

EXCHANGE: web.AppKey[SimExchange] = web.AppKey("exchange")  # app[EXCHANGE]: the exchange a front end serves

MARKET_ORDER_BAND = Decimal("0.05")  # a market order takes liquidity up to 5% away from the mid
FEE_QUANTUM = Decimal("0.000001")


# --- vocabulary ----------------------------------------------------------------------------------------------


class TimeInForce(str, enum.Enum):
    IOC = "ioc"
    GTC = "gtc"
    POST_ONLY = "post_only"


class CloseReason(str, enum.Enum):
    """Why an order closed; each front end names these in its venue's words."""

    FILLED = "filled"
    UNFILLED_REMAINDER = "unfilled_remainder"  # an IOC or market order's remainder, cancelled (also under fill_ratio)
    REDUCE_ONLY = "reduce_only"  # capped because it would have increased the position
    POST_ONLY_WOULD_CROSS = "post_only_would_cross"
    USER_CANCELED = "user_canceled"


class Reject(str, enum.Enum):
    """Why a request was refused; each front end maps these to its venue's error codes."""

    UNKNOWN_MARKET = "unknown_market"
    BAD_SIZE = "bad_size"  # not positive, not a multiple of the step, or outside the size limits
    BAD_PRICE = "bad_price"  # not positive or not a multiple of the tick
    MIN_NOTIONAL = "min_notional"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"
    UNKNOWN_ORDER = "unknown_order"
    ORDER_CLOSED = "order_closed"


class SimReject(Exception):
    def __init__(self, reason: Reject, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ResponseLost(web.HTTPServiceUnavailable):
    """Raised by :meth:`SimExchange.respond_delay` after it aborted the connection. Let it propagate: aiohttp's
    attempt to answer it goes nowhere, so the client sees only the dropped connection."""


@dataclass(frozen=True, slots=True)
class MarketConfig:
    symbol: str  # the venue's own name for it
    tick: Decimal
    step: Decimal
    min_size: Decimal
    max_size: Decimal
    min_notional: Decimal
    taker_fee: Decimal  # a fraction of notional
    maker_fee: Decimal
    asset: str = "BTC"  # what the shared fair price is of: the same asset has the same walk on every venue
    base_price: float = 122_000.0
    book: BookShape = BookShape()


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """An order as a front end parsed it from the wire."""

    client_id: str
    market: str
    side: Side
    size: Decimal
    price: Decimal | None  # None for a market order
    tif: TimeInForce = TimeInForce.IOC
    reduce_only: bool = False
    received_mono_ns: int = 0  # time.monotonic_ns() when the request arrived


@dataclass(slots=True)
class SimOrder:
    order_id: str
    account: str
    client_id: str
    market: str
    side: Side
    size: Decimal
    price: Decimal | None
    tif: TimeInForce
    reduce_only: bool
    created_ms: int
    received_mono_ns: int
    filled: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    open: bool = True
    close_reason: CloseReason | None = None
    updated_ms: int = 0
    version: int = 0  # increases with every change, for the venues' per-update sequence numbers

    @property
    def remaining(self) -> Decimal:
        return self.size - self.filled if self.open else Decimal(0)

    @property
    def avg_price(self) -> Decimal | None:
        return None if not self.filled else self.notional / self.filled

    @property
    def status(self) -> str:
        """The venue-neutral status shown by ``/_sim/state``: open, filled or canceled."""
        if self.open:
            return "open"
        return "filled" if self.filled == self.size else "canceled"

    def to_json(self) -> dict[str, Any]:
        avg = self.avg_price
        return {
            "order_id": self.order_id, "account": self.account, "client_id": self.client_id, "market": self.market,
            "side": self.side.value, "size": fmt(self.size),
            "price": None if self.price is None else fmt(self.price),
            "tif": self.tif.value, "reduce_only": self.reduce_only, "filled": fmt(self.filled),
            "avg_price": None if avg is None else fmt(_round_price(avg)), "notional": fmt(self.notional),
            "fee": fmt(self.fee), "status": self.status,
            "close_reason": None if self.close_reason is None else self.close_reason.value,
            "created_ms": self.created_ms, "updated_ms": self.updated_ms, "received_mono_ns": self.received_mono_ns,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SimOrder:
        return cls(
            order_id=d["order_id"], account=d["account"], client_id=d["client_id"], market=d["market"],
            side=Side(d["side"]), size=Decimal(d["size"]), price=None if d["price"] is None else Decimal(d["price"]),
            tif=TimeInForce(d["tif"]), reduce_only=d["reduce_only"], created_ms=d["created_ms"],
            received_mono_ns=d["received_mono_ns"], filled=Decimal(d["filled"]), notional=Decimal(d["notional"]),
            fee=Decimal(d["fee"]), open=d["status"] == "open",
            close_reason=None if d["close_reason"] is None else CloseReason(d["close_reason"]),
            updated_ms=d["updated_ms"], version=d["version"],
        )


@dataclass(frozen=True, slots=True)
class SimFill:
    fill_id: str
    order_id: str
    client_id: str
    account: str
    market: str
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    maker: bool
    time_ms: int
    remaining: Decimal  # of the order after this fill

    def to_json(self) -> dict[str, Any]:
        return {
            "fill_id": self.fill_id, "order_id": self.order_id, "client_id": self.client_id, "account": self.account,
            "market": self.market, "side": self.side.value, "size": fmt(self.size), "price": fmt(self.price),
            "fee": fmt(self.fee), "liquidity": "maker" if self.maker else "taker", "time_ms": self.time_ms,
            "remaining": fmt(self.remaining),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SimFill:
        return cls(
            fill_id=d["fill_id"], order_id=d["order_id"], client_id=d["client_id"], account=d["account"],
            market=d["market"], side=Side(d["side"]), size=Decimal(d["size"]), price=Decimal(d["price"]),
            fee=Decimal(d["fee"]), maker=d["liquidity"] == "maker", time_ms=d["time_ms"],
            remaining=Decimal(d["remaining"]),
        )


@dataclass(slots=True)
class Position:
    market: str
    size: Decimal = Decimal(0)  # signed, long positive
    entry_price: Decimal = Decimal(0)  # average entry of the open size
    realized_pnl: Decimal = Decimal(0)
    updated_ms: int = 0
    version: int = 0

    def apply(self, side: Side, size: Decimal, price: Decimal) -> None:
        signed = size * side.sign
        if self.size == 0 or (self.size > 0) == (signed > 0):
            total = self.size + signed
            self.entry_price = (self.entry_price * abs(self.size) + price * size) / abs(total)
            self.size = total
            return
        closing = min(size, abs(self.size))
        self.realized_pnl += (price - self.entry_price) * closing * (1 if self.size > 0 else -1)
        self.size += signed
        if self.size == 0:
            self.entry_price = Decimal(0)
        elif (self.size > 0) == (signed > 0):  # flipped: the rest opened at this price
            self.entry_price = price

    def to_json(self, account: str) -> dict[str, Any]:
        return {
            "account": account, "market": self.market, "size": fmt(self.size),
            "entry_price": fmt(_round_price(self.entry_price)), "realized_pnl": fmt(self.realized_pnl),
            "updated_ms": self.updated_ms, "version": self.version,
        }


@dataclass(slots=True)
class Account:
    id: str
    meta: dict[str, Any] = field(default_factory=dict)  # the front end's own: keys, names
    orders: dict[str, SimOrder] = field(default_factory=dict)  # by order id, in creation order
    by_client_id: dict[str, str] = field(default_factory=dict)  # client id -> order id
    fills: list[SimFill] = field(default_factory=list)
    positions: dict[str, Position] = field(default_factory=dict)

    def order_by_client_id(self, client_id: str) -> SimOrder | None:
        order_id = self.by_client_id.get(client_id)
        return None if order_id is None else self.orders[order_id]

    def position(self, market: str) -> Position:
        return self.positions.setdefault(market, Position(market))

    def state_json(self) -> dict[str, Any]:
        """The ``GET /_sim/state`` answer."""
        return {
            "account": self.id,
            "positions": {m: fmt(p.size) for m, p in self.positions.items()},
            "orders": [o.to_json() for o in self.orders.values()],
            "fills": [f.to_json() for f in self.fills],
        }


class ExchangeListener(Protocol):
    """What a front end hears from the exchange, to format and push to its websocket clients."""

    def on_book(self, delta: BookDelta) -> None: ...

    def on_order(self, order: SimOrder) -> None: ...

    def on_fill(self, fill: SimFill) -> None: ...

    def on_position(self, account: str, position: Position) -> None: ...


def _round_price(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.00000001")) if value else Decimal(0)


def _decimal(value: Any, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{what}: {value!r} is not a decimal") from exc
    if not result.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite decimal")
    return result


# --- the journal ---------------------------------------------------------------------------------------------


class Journal:
    """Append-only JSON lines. Each line is one record; a torn last line (a crash mid-write) is ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        lines = self.path.read_bytes().splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                if number == len(lines):
                    log.warning("state file %s: ignoring a torn last line", self.path)
                    continue
                raise ValueError(f"state file {self.path}: line {number} is not JSON") from None
        return records

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the file with ``records`` atomically, then keep it open for appending."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            for record in records:
                f.write(orjson.dumps(record) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._file = open(self.path, "ab")

    def append(self, record: dict[str, Any]) -> None:
        # flushed to the OS, so it survives the simulator being killed; not fsynced (a simulator, not a bank)
        self._file.write(orjson.dumps(record) + b"\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# --- websocket clients ---------------------------------------------------------------------------------------


class SimConnection:
    """One websocket client: an ordered outbound queue drained by one writer, so a snapshot queued at subscribe
    time always goes out before the deltas that follow it. ``subscriptions`` and ``account`` are the front end's."""

    MAX_BACKLOG = 2000  # like Paradex: a client that lets this many messages pile up is disconnected

    def __init__(self, ws: web.WebSocketResponse, transport: asyncio.Transport | None) -> None:
        self.ws = ws
        self._transport = transport
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.subscriptions: dict[str, Any] = {}
        self.account: str | None = None

    def send(self, frame: bytes) -> None:
        """Queue one text frame (UTF-8 JSON bytes)."""
        if self._queue.qsize() >= self.MAX_BACKLOG:
            log.warning("websocket client fell %d messages behind; dropping it", self.MAX_BACKLOG)
            self.drop()
            return
        self._queue.put_nowait(frame)

    def drop(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        if self._transport is not None:
            self._transport.abort()

    async def write_forever(self) -> None:
        while True:
            frame = await self._queue.get()
            await self.ws.send_frame(frame, WSMsgType.TEXT)


# --- the exchange --------------------------------------------------------------------------------------------


class SimExchange:
    def __init__(
        self,
        *,
        venue: str,
        seed: int,
        markets: list[MarketConfig],
        state_path: Path | None = None,
        delta_hz: float = 20.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if delta_hz <= 0:
            raise ValueError(f"delta_hz must be positive, not {delta_hz}")
        self.venue = venue
        self.seed = seed
        self.markets = {m.symbol: m for m in markets}
        self.delta_hz = delta_hz
        self.clock = clock
        self.faults = Faults()
        self.listeners: list[ExchangeListener] = []
        self.accounts: dict[str, Account] = {}
        self.default_account: str | None = None
        self.connections: set[SimConnection] = set()
        rng = random.Random(venue_stream(seed, venue))
        self.books = {m.symbol: SimBook(m.symbol, m.tick, m.step, random.Random(rng.random()), m.book) for m in markets}
        self._prices = {
            m.symbol: VenuePrice(
                fair=FairPrice(venue_stream(seed, m.asset), base=m.base_price),
                stream=venue_stream(seed, f"{venue}:{m.asset}"),
            )
            for m in markets
        }
        self._pinned: dict[str, Decimal] = {}
        self._resting: dict[str, SimOrder] = {}  # open orders by order id, so a tick never scans the history
        self._last_id = 0
        self._market_task: asyncio.Task[None] | None = None
        self._journal = Journal(state_path) if state_path is not None else None
        if self._journal is not None:
            self._replay(self._journal.load())
            self._journal.rewrite(self._records())
        now = self.clock()
        for symbol, book in self.books.items():
            book.move_to(self.mid_at(symbol, now))
            book.publish(self._ms(now))

    # --- accounts ----------------------------------------------------------------------------------------

    def add_account(self, account_id: str, meta: dict[str, Any] | None = None, *, default: bool = False) -> Account:
        """Create the account, or update its ``meta``; journaled. The first account added is the default one,
        the one the ``/_sim/`` hooks act on."""
        account = self.accounts.get(account_id)
        if account is None:
            account = self.accounts[account_id] = Account(account_id)
        if meta is not None and meta != account.meta:
            account.meta = dict(meta)
            self._journal_append({"k": "account", "id": account_id, "meta": account.meta})
        if default or self.default_account is None:
            self.default_account = account_id
        return account

    def account(self, account_id: str) -> Account:
        return self.accounts[account_id]

    # --- prices ------------------------------------------------------------------------------------------

    def mid_at(self, market: str, t: float) -> float:
        pinned = self._pinned.get(market)
        return float(pinned) if pinned is not None else self._prices[market].at(t)

    def pin_mid(self, market: str, mid: Decimal | None) -> None:
        """Hold the mid at ``mid`` (None resumes the walk), and re-quote and publish at once."""
        if mid is None:
            self._pinned.pop(market, None)
        else:
            self._pinned[market] = mid
        self._step_market(market, self.clock())

    # --- orders ------------------------------------------------------------------------------------------

    def place(self, account_id: str, spec: OrderSpec) -> SimOrder:
        """Validate and match one order at once. Raises :class:`SimReject` without changing anything."""
        account = self.accounts[account_id]
        market = self.markets.get(spec.market)
        if market is None:
            raise SimReject(Reject.UNKNOWN_MARKET, f"unknown market {spec.market}")
        self._validate(account, market, spec)
        now = self.clock()
        order = SimOrder(
            order_id=self._next_id(), account=account_id, client_id=spec.client_id, market=spec.market,
            side=spec.side, size=spec.size, price=spec.price, tif=spec.tif, reduce_only=spec.reduce_only,
            created_ms=self._ms(now), updated_ms=self._ms(now), received_mono_ns=spec.received_mono_ns,
        )
        account.orders[order.order_id] = order
        self._resting[order.order_id] = order
        if spec.client_id:
            account.by_client_id[spec.client_id] = order.order_id
        self._record_order(order)  # journaled as received before anything of it executes
        book = self.books[spec.market]
        cap, capped_by = self._fill_cap(account, order)
        if spec.tif is TimeInForce.POST_ONLY and spec.price is not None and book.crosses(spec.side, spec.price):
            self._close(order, CloseReason.POST_ONLY_WOULD_CROSS)
        else:
            limit = spec.price
            if limit is None:
                mid = book.mid() or Decimal(str(self.mid_at(spec.market, now)))
                band = mid * (1 + MARKET_ORDER_BAND * spec.side.sign)
                limit = (band / market.tick).to_integral_value(ROUND_DOWN) * market.tick
            for price, size in book.take(spec.side, limit, cap - order.filled):
                self._fill(account, order, price, size, maker=False, now=now)
            if order.filled == order.size:
                self._close(order, CloseReason.FILLED)
            elif order.filled == cap and capped_by is not None:
                self._close(order, capped_by)
            elif spec.tif is not TimeInForce.GTC or spec.price is None:
                self._close(order, CloseReason.UNFILLED_REMAINDER)
        self._record_order(order)
        return order

    def cancel(self, account_id: str, *, client_id: str | None = None, order_id: str | None = None) -> SimOrder:
        account = self.accounts[account_id]
        if order_id is None and client_id is not None:
            order_id = account.by_client_id.get(client_id)
        order = account.orders.get(order_id) if order_id is not None else None
        if order is None:
            raise SimReject(Reject.UNKNOWN_ORDER, f"no order {client_id or order_id}")
        if not order.open:
            raise SimReject(Reject.ORDER_CLOSED, f"order {order.order_id} is already closed")
        self._close(order, CloseReason.USER_CANCELED)
        self._record_order(order)
        return order

    def set_position(self, account_id: str, market: str, size: Decimal) -> Position:
        """Give the account this position outright (a test hook), entered at the current mid."""
        if market not in self.markets:
            raise SimReject(Reject.UNKNOWN_MARKET, f"unknown market {market}")
        position = self.accounts[account_id].position(market)
        position.size = size
        position.entry_price = Decimal(0) if size == 0 else (self.books[market].mid() or Decimal(0))
        self._record_position(account_id, position)
        return position

    async def respond_delay(self, request: web.Request) -> None:
        """Apply the response faults to an executed order: wait ``latency_ms``, then, under ``lose_response``,
        abort the connection and raise :class:`ResponseLost` so that no response is written."""
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if self.faults.take_lost_response():
            if request.transport is not None:
                request.transport.abort()
            raise ResponseLost()

    # --- websockets --------------------------------------------------------------------------------------

    async def serve_websocket(
        self,
        request: web.Request,
        on_text: Callable[[SimConnection, str], Awaitable[None]],
        *,
        on_open: Callable[[SimConnection], None] | None = None,
        heartbeat: float | None = 55.0,
    ) -> web.WebSocketResponse:
        """Run one websocket client: ``on_open`` may queue a greeting, each text message goes to ``on_text``,
        outbound frames go through :meth:`SimConnection.send`. Returns when the client goes."""
        ws = web.WebSocketResponse(heartbeat=heartbeat, compress=False)
        await ws.prepare(request)
        conn = SimConnection(ws, request.transport)
        if on_open is not None:
            on_open(conn)
        self.connections.add(conn)
        writer = asyncio.create_task(conn.write_forever())
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await on_text(conn, message.data)
        except ConnectionResetError:
            pass
        finally:
            self.connections.discard(conn)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                await writer
        return ws

    def drop_websockets(self) -> None:
        for conn in list(self.connections):
            conn.drop()

    # --- the market loop ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Move every market one step: re-quote, fill crossed resting orders, publish the delta."""
        now = self.clock()
        for market in self.markets:
            self._step_market(market, now)

    async def run_market(self) -> None:
        period = 1.0 / self.delta_hz
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += period
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            try:
                self.tick()
            except Exception:  # a bug in one tick must not stop the market
                log.exception("market tick failed")

    # --- aiohttp -----------------------------------------------------------------------------------------

    def attach(self, app: web.Application) -> None:
        """Add the ``/_sim/`` routes, and run the market loop while the app runs."""
        app[EXCHANGE] = self
        app.router.add_post("/_sim/faults", self._post_faults)
        app.router.add_delete("/_sim/faults", self._delete_faults)
        app.router.add_get("/_sim/faults", self._get_faults)
        app.router.add_post("/_sim/price", self._post_price)
        app.router.add_post("/_sim/positions", self._post_positions)
        app.router.add_get("/_sim/state", self._get_state)
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._shutdown)
        app.on_cleanup.append(self._cleanup)

    async def _start(self, app: web.Application) -> None:
        self._market_task = asyncio.create_task(self.run_market())

    async def _shutdown(self, app: web.Application) -> None:
        for conn in list(self.connections):
            await conn.ws.close()

    async def _cleanup(self, app: web.Application) -> None:
        if self._market_task is not None:
            self._market_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._market_task
        self.close()

    def close(self) -> None:
        """Close the state file (the app does this at cleanup)."""
        if self._journal is not None:
            self._journal.close()

    async def _post_faults(self, request: web.Request) -> web.Response:
        try:
            faults = FaultsRequest.model_validate_json(await request.read())
        except ValidationError as exc:
            return _bad_request(f"bad faults: {exc.errors(include_url=False)}")
        if self.faults.apply(faults):
            self.drop_websockets()
        log.info("faults now %s", self.faults.to_json())
        return web.json_response(self.faults.to_json())

    async def _delete_faults(self, request: web.Request) -> web.Response:
        self.faults.clear()
        return web.json_response(self.faults.to_json())

    async def _get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.to_json())

    async def _post_price(self, request: web.Request) -> web.Response:
        try:
            body = orjson.loads(await request.read())
            if not isinstance(body, dict) or "mid" not in body or set(body) - {"mid", "market"}:
                raise ValueError('expected {"mid": "<decimal>" | null, "market"?: "<market>"}')
            market = body.get("market") or next(iter(self.markets))
            if market not in self.markets:
                raise ValueError(f"unknown market {market}")
            mid = None if body["mid"] is None else _decimal(body["mid"], "mid")
            if mid is not None and mid <= 0:
                raise ValueError("mid must be positive")
        except (orjson.JSONDecodeError, ValueError) as exc:
            return _bad_request(str(exc))
        self.pin_mid(market, mid)
        return web.json_response({"market": market, "mid": None if mid is None else str(mid)})

    async def _post_positions(self, request: web.Request) -> web.Response:
        try:
            account = self._hook_account(request)
            body = orjson.loads(await request.read())
            if not isinstance(body, dict):
                raise ValueError('expected {"<market>": "<signed decimal>"}')
            sizes = {market: _decimal(size, market) for market, size in body.items()}
            unknown = set(sizes) - set(self.markets)
            if unknown:
                raise ValueError(f"unknown market(s): {sorted(unknown)}")
        except (orjson.JSONDecodeError, ValueError, KeyError) as exc:
            return _bad_request(str(exc))
        for market, size in sizes.items():
            self.set_position(account.id, market, size)
        return web.json_response({m: fmt(p.size) for m, p in account.positions.items()})

    async def _get_state(self, request: web.Request) -> web.Response:
        try:
            account = self._hook_account(request)
        except KeyError as exc:
            return _bad_request(str(exc))
        return web.Response(body=orjson.dumps(account.state_json()), content_type="application/json")

    def _hook_account(self, request: web.Request) -> Account:
        account_id = request.query.get("account") or self.default_account
        if account_id not in self.accounts:
            raise KeyError(f"no account {account_id}")
        return self.accounts[account_id]

    # --- internals ---------------------------------------------------------------------------------------

    def _validate(self, account: Account, market: MarketConfig, spec: OrderSpec) -> None:
        if spec.size <= 0 or spec.size % market.step != 0:
            raise SimReject(Reject.BAD_SIZE, f"size {spec.size} is not a positive multiple of {market.step}")
        if spec.size < market.min_size or spec.size > market.max_size:
            raise SimReject(Reject.BAD_SIZE, f"size {spec.size} is outside [{market.min_size}, {market.max_size}]")
        if spec.price is not None and (spec.price <= 0 or spec.price % market.tick != 0):
            raise SimReject(Reject.BAD_PRICE, f"price {spec.price} is not a positive multiple of {market.tick}")
        if spec.client_id and spec.client_id in account.by_client_id:
            raise SimReject(Reject.DUPLICATE_CLIENT_ID, f"client id {spec.client_id} was already used")
        mark = self.books[spec.market].mid() or Decimal(str(market.base_price))
        closes_position = spec.reduce_only and spec.size == abs(account.position(spec.market).size)
        if spec.size * mark < market.min_notional and not closes_position:
            raise SimReject(Reject.MIN_NOTIONAL, f"notional {spec.size * mark:.2f} is below {market.min_notional}")

    def _reducible(self, account: Account, order: SimOrder) -> Decimal:
        held = account.position(order.market).size
        return abs(held) if held * order.side.sign < 0 else Decimal(0)

    def _fill_cap(self, account: Account, order: SimOrder) -> tuple[Decimal, CloseReason | None]:
        """How much of ``order`` may fill in all, and the reason to close it when that is less than its size."""
        cap, reason = order.size, None
        if order.reduce_only:
            reducible = self._reducible(account, order) + order.filled
            if reducible < cap:
                cap, reason = reducible, CloseReason.REDUCE_ONLY
        ratio = self.faults.fill_ratio
        if ratio is not None:
            step = self.markets[order.market].step
            capped = (order.size * ratio / step).to_integral_value(ROUND_DOWN) * step
            if capped < cap:
                cap, reason = capped, CloseReason.UNFILLED_REMAINDER
        return cap, reason

    def _fill(self, account: Account, order: SimOrder, price: Decimal, size: Decimal, *, maker: bool,
              now: float) -> None:
        market = self.markets[order.market]
        fee = (price * size * (market.maker_fee if maker else market.taker_fee)).quantize(FEE_QUANTUM)
        order.filled += size
        order.notional += price * size
        order.fee += fee
        order.updated_ms = self._ms(now)
        fill = SimFill(
            fill_id=self._next_id(), order_id=order.order_id, client_id=order.client_id, account=account.id,
            market=order.market, side=order.side, size=size, price=price, fee=fee, maker=maker,
            time_ms=self._ms(now), remaining=order.size - order.filled,
        )
        account.fills.append(fill)
        self._journal_append({"k": "fill", **fill.to_json()})
        for listener in self.listeners:
            listener.on_fill(fill)
        position = account.position(order.market)
        position.apply(order.side, size, price)
        self._record_position(account.id, position)

    def _close(self, order: SimOrder, reason: CloseReason) -> None:
        self._resting.pop(order.order_id, None)
        order.open = False
        order.close_reason = reason
        order.updated_ms = self._ms(self.clock())

    def _record_order(self, order: SimOrder) -> None:
        order.version += 1
        self._journal_append({"k": "order", **order.to_json()})
        for listener in self.listeners:
            listener.on_order(order)

    def _record_position(self, account_id: str, position: Position) -> None:
        position.version += 1
        position.updated_ms = self._ms(self.clock())
        self._journal_append({"k": "position", **position.to_json(account_id)})
        for listener in self.listeners:
            listener.on_position(account_id, position)

    def _step_market(self, market: str, now: float) -> None:
        book = self.books[market]
        book.move_to(self.mid_at(market, now))
        self._fill_resting(market, now)
        gap = self.faults.seq_gap
        delta = book.publish(self._ms(now), skip_seq=gap)
        if delta is None:
            return
        if gap:
            self.faults.take_seq_gap()
        for listener in self.listeners:
            listener.on_book(delta)

    def _fill_resting(self, market: str, now: float) -> None:
        book = self.books[market]
        for order in [o for o in self._resting.values() if o.market == market]:
            if order.price is None or not book.crosses(order.side, order.price):
                continue
            account = self.accounts[order.account]
            size = self._fill_cap(account, order)[0] - order.filled
            if size > 0:
                self._fill(account, order, order.price, size, maker=True, now=now)
            self._close(order, CloseReason.FILLED if order.filled == order.size else CloseReason.UNFILLED_REMAINDER)
            self._record_order(order)

    def _next_id(self) -> str:
        # increasing and unique across restarts: microseconds since the epoch, bumped past the last id used
        self._last_id = max(self._last_id + 1, time.time_ns() // 1000)
        return str(self._last_id)

    @staticmethod
    def _ms(t: float) -> int:
        return int(t * 1000)

    def _journal_append(self, record: dict[str, Any]) -> None:
        if self._journal is not None:
            self._journal.append(record)

    def _replay(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            kind = record.pop("k", None)
            if kind == "account":
                self.add_account(record["id"]).meta = record["meta"]
            elif kind == "order":
                order = SimOrder.from_json(record)
                account = self.add_account(order.account)
                account.orders[order.order_id] = order
                if order.open:
                    self._resting[order.order_id] = order
                else:
                    self._resting.pop(order.order_id, None)
                if order.client_id:
                    account.by_client_id[order.client_id] = order.order_id
                self._last_id = max(self._last_id, int(order.order_id))
            elif kind == "fill":
                fill = SimFill.from_json(record)
                self.add_account(fill.account).fills.append(fill)
                self._last_id = max(self._last_id, int(fill.fill_id))
            elif kind == "position":
                position = self.add_account(record["account"]).position(record["market"])
                position.size = Decimal(record["size"])
                position.entry_price = Decimal(record["entry_price"])
                position.realized_pnl = Decimal(record["realized_pnl"])
                position.updated_ms = record["updated_ms"]
                position.version = record["version"]
            else:
                raise ValueError(f"state file: unknown record kind {kind!r}")
        self.default_account = None  # the front end names its default account again

    def _records(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for account in self.accounts.values():
            records.append({"k": "account", "id": account.id, "meta": account.meta})
            records.extend({"k": "order", **o.to_json()} for o in account.orders.values())
            records.extend({"k": "fill", **f.to_json()} for f in account.fills)
            records.extend({"k": "position", **p.to_json(account.id)} for p in account.positions.values())
        return records


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
