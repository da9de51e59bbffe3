"""The durable record of trades, orders, fills and transitions, in SQLite through sqlite-utils.

Write ahead: each transition, with every row change that goes with it (the order answers it rests on, the new
order it permits), is one ``BEGIN IMMEDIATE ... COMMIT``, so one fsync in WAL mode with ``synchronous=FULL``,
and it is committed before the action it permits. An order row, with its deterministic client order id,
exists before the order is sent.

The open state (expected positions, each pair's status and holdings, each execution's realised PnL) is kept
current in those same transactions (``openstate``), so the engine's per-trade queries read what is open and
never all history.

One writer per ledger (:class:`Ledger`, an OS lock that dies with its process). Readers
(:class:`LedgerReader`) open the file read-only and work while an engine writes. The ledger knows no venue.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from sqlite_utils import Database

from pyarb.ledger import legacy, openstate, pnl
from pyarb.ledger.lock import LockHeld, WriterLock
from pyarb.ledger.openstate import OPEN_STATUSES, add, marks, order_of, text_of, trade_of
from pyarb.ledger.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    UNPAIRED_CARRYING,
    UNPAIRED_CARRYING_WHERE,
)
from pyarb.model import Side, fmt
from pyarb.trade import (
    ORDER_ROLE,
    STATES,
    TERMINAL,
    ZERO,
    Answer,
    IllegalTransition,
    Kind,
    Leg,
    Order,
    OrderStatus,
    Policy,
    Quantities,
    Role,
    Trade,
    as_answer,
    client_order_id,
    next_state,
    quantities,
    unwind_side,
)

log = logging.getLogger("pyarb.trade")

SQLITE_HEADER = b"SQLite format 3\x00"
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
# SQLite's own checkpoint would run inside whichever commit crosses its threshold, adding fsyncs to a commit
# that an action may be waiting for. The writer checkpoints instead right after a trade ends, every so many
# commits; SQLite's threshold is raised to a safety net for a ledger whose trades never end.
CHECKPOINT_AFTER_COMMITS = 256
WAL_AUTOCHECKPOINT_PAGES = 20000
IN_FLIGHT = tuple(s for s in STATES if s not in TERMINAL)


# --- errors --------------------------------------------------------------------------------------------


class LedgerError(Exception):
    """A ledger that cannot be opened or used as asked. Nothing was changed."""


class LedgerLocked(LedgerError):
    def __init__(self, held: LockHeld) -> None:
        self.pid = held.pid
        super().__init__(str(held))


class LedgerCorrupt(LedgerError):
    pass


class LedgerNewerSchema(LedgerError):
    pass


class LedgerUnwritable(LedgerError):
    pass


# --- rows as values ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewOrder:
    """The order a ``hedge`` or ``unwind`` transition records. Venue, market, side and reduce-only follow
    from the trade: a hedge goes on leg B; an unwind trades against the open exposure, reduce-only."""

    size: Decimal
    limit_price: Decimal


@dataclass(frozen=True, slots=True)
class Transition:
    trade_id: int
    seq: int
    from_state: str | None
    to_state: str
    trigger: str
    reason: str
    quantities: dict[str, Any]
    time: str


@dataclass(frozen=True, slots=True)
class FillRow:
    id: int
    order_id: int | None  # None: a fill whose client order id the ledger does not know (external)
    venue: str
    market: str
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    fill_id: str | None
    client_id: str | None
    venue_order_id: str | None
    time_ms: int | None


@dataclass(frozen=True, slots=True)
class Adjustment:
    id: int
    venue: str
    market: str
    quantity: Decimal
    reason: str
    trade_id: int | None
    time: str


@dataclass(frozen=True, slots=True)
class Contribution:
    """One part of an expected position: an order's fills, a legacy leg, an adjustment, or the residual a
    finished trade left where the rest of its fills offset each other."""

    venue: str
    market: str
    quantity: Decimal
    source: str  # "order" | "legacy" | "adjustment" | "residual"
    trade_id: int | None
    pair_id: int | None
    client_id: str | None
    state: str | None  # the trade's state
    note: str


@dataclass(frozen=True, slots=True)
class Pair:
    id: int
    status: str  # opening, open, closing, closed, void (its open trade hedged nothing)
    opened_at: str | None
    trade_ids: tuple[int, ...]
    positions: dict[str, dict[str, Decimal]]  # what the pair holds per venue and market, residuals apart
    residuals: dict[str, dict[str, Decimal]]  # left by its trades in state `residual`
    realised: Decimal
    fees: Decimal
    legacy_id: str | None
    legacy_status: str | None


class VenueFill(Protocol):
    """One execution as a venue reports it (``pyarb.venues.base.Fill`` has this shape)."""

    client_id: str | None
    venue_order_id: str | None
    market: str
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    time_ms: int
    fill_id: str


@dataclass(frozen=True, slots=True)
class LegacyImport:
    imported: list[str]
    already_present: list[str]
    uninterpretable: list[legacy.Uninterpretable]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _fill(row: Mapping[str, Any]) -> FillRow:
    return FillRow(row["id"], row["order_id"], row["venue"], row["market"], Side(row["side"]),
                   Decimal(row["size"]), Decimal(row["price"]), Decimal(row["fee"]), row["fill_id"],
                   row["client_id"], row["venue_order_id"], row["time_ms"])


# --- logging what really happened ------------------------------------------------------------------------

_LEG_NAME = {Role.LEG_A: "leg A", Role.HEDGE: "hedge", Role.UNWIND: "unwind", Role.LEGACY: "legacy leg"}
_LEG_TAG = {Role.LEG_A: "a", Role.HEDGE: "b", Role.UNWIND: "unwind", Role.LEGACY: "legacy"}
_QUIET = {"pending", "leg_a_filled", "hedging", "complete"}  # states that are no news of a failure


def describe_order(o: Order) -> str:
    price = f" @ {o.avg_price}" if o.avg_price is not None else ""
    detail = f" ({o.detail})" if o.detail else ""
    return (f"{_LEG_NAME[o.role]} {o.client_id} {o.venue} {o.side.value} filled {o.filled} of {o.size}{price} "
            f"[{o.status.value}{detail}]")


def describe_legs(t: Trade) -> str:
    parts = [describe_order(o) for o in t.orders]
    if t.kind != Kind.FLATTEN and not any(o.role == Role.HEDGE for o in t.orders):
        parts.append("hedge not sent")
    return "; ".join(parts)


def _leg_tag(trigger: str, t: Trade) -> str:
    if trigger in ("fill_leg_a", "miss_leg_a"):
        return "a"
    if trigger in ("hedge", "complete"):
        return "b"
    if trigger in ("unwind", "flatten"):
        return "unwind"
    q = t.quantities  # orphan, leave_residual: the leg that carries the exposure
    return "b" if t.leg_b is not None and q.exposure_venue == t.leg_b.venue and q.filled_b > q.filled_a else "a"


class _TransitionLine:
    """The log line of one transition, built when a handler formats the record: by ``pyarb.logs``' listener
    thread, off the trading path. The trade is an immutable value, so the line tells what was committed."""

    __slots__ = ("before", "reason", "trade", "trigger")

    def __init__(self, trade: Trade, before: str | None, trigger: str, reason: str) -> None:
        self.trade, self.before, self.trigger, self.reason = trade, before, trigger, reason

    def __str__(self) -> str:
        t = self.trade
        q = t.quantities
        if t.state == "complete":
            headline = f"trade {t.id} {t.kind.value} COMPLETE: both legs filled {fmt(q.filled_a)}"
        elif t.state == "unfilled":
            headline = f"trade {t.id} {t.kind.value} ended UNFILLED (not a success): leg A never filled, no exposure"
        elif t.state == "flattened":
            headline = (f"trade {t.id} {t.kind.value} ended FLATTENED (not a success): orphan {fmt(q.unhedged)} "
                        f"unwound on {q.exposure_venue}, hedged {fmt(q.hedged)} of {fmt(q.intended)}")
        elif t.state == "residual":
            headline = (f"trade {t.id} {t.kind.value} ended RESIDUAL (not a success): {fmt(q.residual)} left on "
                        f"{q.exposure_venue} {q.exposure_market}, below the minimum order")
        else:
            headline = f"trade {t.id} {t.kind.value} {self.before or 'new'} -> {t.state}"
        return f"{headline} via {self.trigger}: {self.reason} | {describe_legs(t)} | {q.describe()}"


def _log_transition(t: Trade, before: str | None, trigger: str, reason: str) -> None:
    level = logging.INFO if t.state in _QUIET else logging.WARNING
    if log.isEnabledFor(level):
        log.log(level, _TransitionLine(t, before, trigger, reason),
                extra={"trade_id": t.id, "leg": _leg_tag(trigger, t), "state": t.state, "trigger": trigger})


# --- opening -------------------------------------------------------------------------------------------


def _check_existing_file(path: Path) -> None:
    """Refuse anything that is not a SQLite file before SQLite can touch it."""
    if not path.is_file():
        raise LedgerError(f"{path} is not a regular file")
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise LedgerError(f"cannot read ledger {path}: {e.strerror}") from None
    if not header:
        raise LedgerCorrupt(f"{path} is an empty file, not a pyarb ledger; refusing to use it (nothing changed)")
    if header != SQLITE_HEADER:
        raise LedgerCorrupt(f"{path} is not a SQLite database (corrupt or foreign file); nothing changed")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    uri = f"file:{quote(str(path))}?mode={'ro' if readonly else 'rw'}"
    # isolation_level=None: this module issues BEGIN IMMEDIATE / COMMIT itself, one pair per transition.
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _verify(conn: sqlite3.Connection, path: Path, integrity: bool = True) -> dict[str, str]:
    """The ledger's meta, after an integrity check (a writer's; readers skip its full scan and meet any
    damage as an error when they read it); raises unless this is a pyarb ledger this code can read."""
    try:
        check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] if integrity else ["ok"]
        if check != ["ok"]:
            raise LedgerCorrupt(f"ledger {path} is corrupt: {'; '.join(check[:3])}; nothing changed")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise LedgerError(f"{path} is a SQLite database but not a pyarb ledger (no meta table)")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as e:
        raise LedgerCorrupt(f"ledger {path} is corrupt or unreadable: {e}; nothing changed") from None
    if not meta.get("ledger_id") or not str(meta.get("schema_version", "")).isdigit():
        raise LedgerError(f"{path} is a SQLite database but not a pyarb ledger (no ledger id or schema version)")
    version = int(meta["schema_version"])
    if version > SCHEMA_VERSION:
        raise LedgerNewerSchema(
            f"ledger {path} has schema version {version}, newer than this pyarb's {SCHEMA_VERSION}: "
            "upgrade pyarb; the ledger was not changed")
    return meta


def _migrate(db: Database, start: int) -> None:
    for migrate in MIGRATIONS[start:]:
        migrate(db)
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def _create(path: Path) -> None:
    """Build a new ledger beside ``path`` and link it into place, so ``path`` either does not exist or is a
    complete ledger: a crash mid-way never leaves a half-made one to be mistaken for a real one."""
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            db = Database(conn, execute_plugins=False)
            conn.execute("BEGIN IMMEDIATE")
            _migrate(db, 0)
            db.execute("INSERT INTO meta (key, value) VALUES ('ledger_id', ?), ('created_at', ?)",
                       [secrets.token_hex(6), _now()])
            conn.execute("COMMIT")
        finally:
            conn.close()
        os.link(tmp, path)  # fails if path appeared meanwhile: never overwrite
    finally:
        tmp.unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------------------


class LedgerReader:
    """Queries. Opened read-only by :meth:`open_readonly` (CLI commands, while an engine writes)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: Mapping[str, str]) -> None:
        self.path = path
        self.db = Database(conn, execute_plugins=False)
        self.conn = conn
        self.ledger_id: str = meta["ledger_id"]
        self.schema_version = SCHEMA_VERSION

    @classmethod
    def open_readonly(cls, path: str | os.PathLike[str]) -> LedgerReader:
        """Open an existing ledger without the writer lock. An older schema is first migrated forward under
        the lock if no engine holds it (an engine holding it has migrated it already)."""
        path = Path(path).absolute()
        if not path.exists():
            raise LedgerError(f"no ledger at {path}")
        _check_existing_file(path)
        conn = _connect(path, readonly=True)
        try:
            meta = _verify(conn, path, integrity=False)
            if int(meta["schema_version"]) < SCHEMA_VERSION:
                conn.close()
                Ledger.open(path).close()
                conn = _connect(path, readonly=True)
                meta = _verify(conn, path, integrity=False)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, meta)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> LedgerReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return openstate.rows(self.conn, sql, params)

    # trades

    def _orders_of(self, trade_ids: Sequence[int]) -> dict[int, list[Order]]:
        out: dict[int, list[Order]] = {t: [] for t in trade_ids}
        if trade_ids:
            for r in self._rows(f"SELECT * FROM orders WHERE trade_id IN ({marks(trade_ids)}) ORDER BY id",
                                list(trade_ids)):
                out[r["trade_id"]].append(order_of(r))
        return out

    def _trades(self, where: str = "", params: Sequence[Any] = (), suffix: str = "") -> list[Trade]:
        rows = self._rows(f"SELECT * FROM trades {where} {suffix}", params)
        orders = self._orders_of([r["id"] for r in rows])
        return [trade_of(r, orders[r["id"]]) for r in rows]

    def trade(self, trade_id: int) -> Trade:
        found = self._trades("WHERE id = ?", [trade_id])
        if not found:
            raise LedgerError(f"no trade {trade_id} in {self.path}")
        return found[0]

    def trades(self, state: str | None = None, limit: int | None = None) -> list[Trade]:
        """Newest first."""
        where, params = ("WHERE state = ?", [state]) if state else ("", [])
        suffix = "ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return self._trades(where, params, suffix)

    def in_flight(self) -> list[Trade]:
        """Every trade not in a terminal state, with its orders, oldest first: what the engine resumes."""
        return self._trades(f"WHERE state IN ({marks(IN_FLIGHT)})", IN_FLIGHT, "ORDER BY id")

    def order(self, client_id: str) -> Order:
        rows = self._rows("SELECT * FROM orders WHERE client_id = ?", [client_id])
        if not rows:
            raise LedgerError(f"no order with client id {client_id!r}")
        return order_of(rows[0])

    def knows_client_id(self, client_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM orders WHERE client_id = ?", [client_id]))

    def transitions(self, trade_id: int) -> list[Transition]:
        return [Transition(r["trade_id"], r["seq"], r["from_state"], r["to_state"], r["trigger"], r["reason"],
                           json.loads(r["quantities"]), r["time"])
                for r in self._rows("SELECT * FROM transitions WHERE trade_id = ? ORDER BY seq", [trade_id])]

    def order_events(self, order_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM order_events WHERE order_id = ? ORDER BY id", [order_id])

    def fills(self, trade_id: int | None = None, external: bool = False) -> list[FillRow]:
        """A trade's fills, or the fills whose client order id the ledger does not know (``external``), or all."""
        if trade_id is not None:
            rows = self._rows("SELECT f.* FROM fills f JOIN orders o ON o.id = f.order_id "
                              "WHERE o.trade_id = ? ORDER BY f.id", [trade_id])
        elif external:
            rows = self._rows("SELECT * FROM fills WHERE order_id IS NULL ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM fills ORDER BY id")
        return [_fill(r) for r in rows]

    # positions

    def expected_positions(self) -> dict[str, dict[str, Decimal]]:
        """{venue: {market: signed quantity}} (long positive): fills, residuals and adjustments included. Kept
        current by every write; a venue and market once held stays listed, at zero when flat."""
        book: dict[str, dict[str, Decimal]] = {}
        for r in self._rows("SELECT venue, market, quantity FROM positions ORDER BY venue, market"):
            add(book, r["venue"], r["market"], Decimal(r["quantity"]))
        return book

    def _open_pair_ids(self) -> list[int]:
        return [r["id"] for r in self._rows(f"SELECT id FROM pairs WHERE status IN ({marks(OPEN_STATUSES)}) "
                                            "ORDER BY id", OPEN_STATUSES)]

    def position_contributions(self) -> list[Contribution]:
        """What makes up each expected position, from the open state; the lines sum to
        :meth:`expected_positions`. Listed: the filled orders of open pairs (their legacy legs included) and
        of flatten trades in flight, the adjustments (but those of finished flatten trades), the residual of
        each residual trade in a closed or void pair, and what each finished flatten trade still carries.
        Left out because it nets to zero: a closed or void pair's orders offset each other but for its
        residual trades, and a finished flatten trade's unwinds offset its adjustment but for what it
        carries (its residual, or what a later answer about its fills changed)."""
        open_pairs = self._open_pair_ids()
        flattening = [r["id"] for r in self._rows(
            f"SELECT id FROM trades WHERE state IN ({marks(IN_FLIGHT)}) AND kind = 'flatten'", IN_FLIGHT)]
        out = []
        rows = self._rows(
            "SELECT o.*, t.state AS trade_state, p.legacy_status FROM orders o "
            "LEFT JOIN trades t ON t.id = o.trade_id LEFT JOIN pairs p ON p.id = o.pair_id "
            f"WHERE o.pair_id IN ({marks(open_pairs)}) OR o.trade_id IN ({marks(flattening)}) ORDER BY o.id",
            [*open_pairs, *flattening])
        for r in rows:
            o = order_of(r)
            if o.filled == 0 or not openstate.counts(o, r["legacy_status"]):
                continue
            source = "legacy" if o.role == Role.LEGACY else "order"
            out.append(Contribution(o.venue, o.market, o.signed_filled, source, o.trade_id, r["pair_id"],
                                    o.client_id, r["trade_state"], describe_order(o)))
        # a trade's row holds its quantities as committed with its last change; INDEXED BY: only the few
        # carrying flatten trades are in that index, where the planner would walk every flattened trade
        for r in self._rows(
                f"SELECT id, kind, pair_id, state, quantities FROM trades WHERE state = 'residual' "
                f"AND pair_id IS NOT NULL AND pair_id NOT IN ({marks(open_pairs)}) UNION ALL SELECT id, kind, pair_id, state, quantities "
                f"FROM trades INDEXED BY {UNPAIRED_CARRYING} WHERE {UNPAIRED_CARRYING_WHERE} ORDER BY id",
                open_pairs):
            q = json.loads(r["quantities"])
            if Decimal(q["open_exposure"]) == 0:  # a late answer closed what was left
                continue
            rest = (f"the other fills of pair {r['pair_id']} offset each other" if r["pair_id"] else
                    "what its unwinds left of its adjustment")
            out.append(Contribution(q["exposure_venue"], q["exposure_market"], Decimal(q["open_exposure"]),
                                    "residual", r["id"], r["pair_id"], None, r["state"],
                                    f"{r['state']} {r['kind']} trade {r['id']}: {rest}"))
        for a in self.adjustments(flattening):
            out.append(Contribution(a.venue, a.market, a.quantity, "adjustment", a.trade_id, None, None, None,
                                    a.reason))
        return out

    def residuals(self) -> list[Trade]:
        """Trades whose unhedged remainder was below a venue's minimum: exposure kept, not dropped."""
        return self.trades(state="residual")

    def adjustments(self, of_trades: Sequence[int] | None = None) -> list[Adjustment]:
        """Every adjustment; or, given ``of_trades``, those of these trades and those of no trade."""
        where, params = ("", []) if of_trades is None else (
            f"WHERE trade_id IS NULL OR trade_id IN ({marks(of_trades)})", list(of_trades))
        return [Adjustment(r["id"], r["venue"], r["market"], Decimal(r["quantity"]), r["reason"], r["trade_id"],
                           r["time"]) for r in self._rows(f"SELECT * FROM adjustments {where} ORDER BY id", params)]

    def verify_open_state(self) -> list[str]:
        """Check the open state kept by every write (positions, pairs, realised PnL) against the same derived
        from all history: the differences, empty when they agree. Reads all history: not for the trading path."""
        return openstate.differences(self.conn)

    # pairs and PnL

    def _pairs(self, rows: list[dict[str, Any]]) -> list[Pair]:
        ids = [p["id"] for p in rows]
        trade_ids: dict[int, list[int]] = {i: [] for i in ids}
        if ids:
            for r in self._rows(f"SELECT id, pair_id FROM trades WHERE pair_id IN ({marks(ids)}) ORDER BY id", ids):
                trade_ids[r["pair_id"]].append(r["id"])
        out = []
        for row in rows:
            s = openstate.stored_pair(row)
            out.append(Pair(row["id"], s.status, row["opened_at"], tuple(trade_ids[row["id"]]), s.positions,
                            s.residuals, s.realised, s.fees, row["legacy_id"], row["legacy_status"]))
        return out

    def pairs(self, pair_id: int | None = None) -> list[Pair]:
        where, params = ("WHERE id = ?", [pair_id]) if pair_id is not None else ("", [])
        return self._pairs(self._rows(f"SELECT * FROM pairs {where} ORDER BY id", params))

    def pair(self, pair_id: int) -> Pair:
        found = self.pairs(pair_id)
        if not found:
            raise LedgerError(f"no pair {pair_id} in {self.path}")
        return found[0]

    def open_pairs(self) -> list[Pair]:
        """Pairs that hold, or are opening or closing, positions."""
        return self._pairs(self._rows(f"SELECT * FROM pairs WHERE status IN ({marks(OPEN_STATUSES)}) ORDER BY id",
                                      OPEN_STATUSES))

    def pnl_by_day(self, day: str | None = None) -> dict[str, pnl.PnL]:
        """Realised PnL and fees per UTC day (YYYY-MM-DD), or of ``day`` alone.

        Each filled order is an execution at its time (when its fill was last answered). Realised PnL is
        counted within each pair, by its legs' average cost, on the day of the execution that realised it; a
        flatten trade adopted its position at no known price, so only its fees count; a closed legacy pair's
        legs count for nothing. Each execution's realised PnL is stored on its order's row whenever its pair's
        trades change (``orders.realised``), so a day costs that day's orders (an index on their time), never
        all history."""
        # ISO times of a day sort between "YYYY-MM-DD" and "YYYY-MM-DD~"
        where, params = ("WHERE updated_at >= ? AND updated_at < ?", [day, day + "~"]) if day else ("WHERE 1", [])
        realised: dict[str, Decimal] = {}
        fees: dict[str, Decimal] = {}
        for time_, r, fee in self.conn.execute(f"SELECT updated_at, realised, fee FROM orders {where} "
                                               "AND realised IS NOT NULL ORDER BY updated_at, id", params):
            d = time_[:10]
            realised[d] = realised.get(d, ZERO) + Decimal(r)
            fees[d] = fees.get(d, ZERO) + Decimal(fee)
        return {d: pnl.PnL(realised[d], fees[d]) for d in realised}

    def daily_pnl(self, day: str | None = None) -> pnl.PnL:
        """Realised PnL and fees of today (UTC), or of ``day``: what the daily loss limit checks (see
        :meth:`pnl_by_day` for what counts on which day)."""
        day = day or _now()[:10]
        return self.pnl_by_day(day).get(day, pnl.PnL())

    # engine control

    def control(self, key: str, default: Any = None) -> Any:
        rows = self._rows("SELECT value FROM control WHERE key = ?", [key])
        return json.loads(rows[0]["value"]) if rows else default

    def controls(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self._rows("SELECT key, value FROM control")}

    # copies

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """An online, consistent copy (SQLite backup API) while an engine writes. Never overwrites ``dest``."""
        dest = Path(dest).absolute()
        if dest.exists():
            raise LedgerError(f"{dest} exists; refusing to overwrite it")
        tmp = dest.with_name(f".{dest.name}.new-{os.getpid()}")
        try:
            target = sqlite3.connect(tmp)
            try:
                self.conn.backup(target)
                if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise LedgerCorrupt(f"the backup at {tmp} failed its integrity check")
            finally:
                target.close()
            os.link(tmp, dest)
        except (OSError, sqlite3.OperationalError) as e:
            raise LedgerUnwritable(f"cannot write backup {dest}: {getattr(e, 'strerror', None) or e}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return dest

    def export_tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's rows, as stored (decimals as exact strings)."""
        names = ["meta", "pairs", "trades", "orders", "order_events", "fills", "transitions", "adjustments",
                 "control", "positions"]
        return {n: self._rows(f"SELECT * FROM {n} ORDER BY rowid") for n in names}


# --- writing -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    """One trigger applied: the trade after it, its quantities, and the state it left."""

    trade: Trade
    q: Quantities
    before: str | None
    trigger: str


@dataclass(slots=True)
class _OrderRows:
    """The order rows one commit writes, gathered until the trade's pair is derived so that each table gets one
    statement: each answer's event and each new order's first event, in that order; each answered order whose
    row changes, as it now is; and the expected positions their fills move."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    answered: dict[int, Order] = field(default_factory=dict)
    moves: dict[tuple[str, str], Decimal] = field(default_factory=dict)


_ANSWERED = ("UPDATE orders SET status = ?, filled = ?, avg_price = ?, fee = ?, venue_order_id = ?, detail = ?, "
             "updated_at = ?")


def _evolve(t: Trade, *, state: str | None = None, orders: tuple[Order, ...] | None = None,
            updated_at: str | None = None) -> Trade:
    """``dataclasses.replace`` for what a write changes of a trade, without its per-field introspection: this
    runs several times in every commit on the trading path."""
    return Trade(t.id, t.kind, t.pair_id, t.policy, t.state if state is None else state, t.leg_a, t.leg_b,
                 t.intended, t.adopted, t.orders if orders is None else orders, t.created_at,
                 t.updated_at if updated_at is None else updated_at)


@functools.lru_cache(maxsize=64)
def _dumps(q: Quantities) -> str:
    """Equal quantities dump equally (``fmt`` normalises): the steps of one commit, and the trade row beside
    its journal, share one dump."""
    return json.dumps(q.as_json())


class Ledger(LedgerReader):
    """The one writer of a ledger. Every method that changes anything commits before it returns.

    It remembers, as last committed, each trade in flight with the sequence number of its last transition,
    and the rows of the pairs those trades belong to, so that the trading path's commits write without
    reading back what this writer itself wrote. Nothing else writes those rows (one writer per ledger); what
    it remembers changes only once a commit has succeeded, and a write that fails forgets it all."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: Mapping[str, str], lock: WriterLock) -> None:
        super().__init__(path, conn, meta)
        self._lock = lock
        self._commits_since_checkpoint = 0
        self._in_flight: dict[int, tuple[Trade, int]] = {}  # trade id -> (trade, its last transition's seq)
        self._pair_memo: dict[int, openstate.PairRows] = {}  # the pairs of the trades in flight
        # Called with each durable commit's duration in seconds (e.g. a Prometheus histogram's ``observe``).
        self.commit_observer: Callable[[float], None] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], synchronous: str = "FULL") -> Ledger:
        """Open the ledger at ``path`` for writing, creating it only if absent and migrating an older schema.

        Refuses, changing nothing: a newer schema, a corrupt or foreign file, a path that cannot be written,
        and a second writer (:class:`LedgerLocked` names the first one's PID)."""
        if synchronous.upper() not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {SYNCHRONOUS}")
        path = Path(path).absolute()
        if not path.parent.is_dir():
            raise LedgerUnwritable(f"cannot create ledger {path}: {path.parent} is not a directory")
        lock = WriterLock(path)
        try:
            lock.acquire()
        except LockHeld as held:
            raise LedgerLocked(held) from None
        except OSError as e:
            raise LedgerUnwritable(f"cannot write in {path.parent}: {e.strerror}") from None
        conn = None
        try:
            if not path.exists():
                try:
                    _create(path)
                except (OSError, sqlite3.OperationalError) as e:
                    why = getattr(e, "strerror", None) or e
                    raise LedgerUnwritable(f"cannot create ledger {path}: {why}") from None
            _check_existing_file(path)
            if not os.access(path, os.R_OK | os.W_OK):
                raise LedgerUnwritable(f"ledger {path} is not writable")
            try:
                conn = _connect(path, readonly=False)
            except sqlite3.OperationalError as e:
                raise LedgerUnwritable(f"cannot open ledger {path} for writing: {e}") from None
            meta = _verify(conn, path)
            conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            openstate.install(conn)
            ledger = cls(path, conn, meta, lock)
            ledger._upgrade(int(meta["schema_version"]))
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise LedgerUnwritable(f"ledger {path}: cannot use WAL mode")
            return ledger
        except BaseException:
            if conn is not None:
                conn.close()
            lock.release()
            raise

    def _upgrade(self, version: int) -> None:
        if version >= SCHEMA_VERSION:
            return
        try:
            with self._write():
                _migrate(self.db, version)
        except sqlite3.DatabaseError as e:
            raise LedgerUnwritable(f"cannot migrate ledger {self.path} from schema {version}: {e}; "
                                   "it was rolled back") from None
        log.info("ledger %s migrated from schema %d to %d", self.path, version, SCHEMA_VERSION)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._lock.release()

    @contextmanager
    def _write(self) -> Iterator[str]:
        """One durable transaction; yields its timestamp. If it fails, what the writer remembers is forgotten
        (it is read again from the ledger when next needed)."""
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield _now()
        except BaseException:
            self._forget()
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self._forget()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._commits_since_checkpoint += 1
        if self.commit_observer is not None:
            self.commit_observer(time.perf_counter() - started)

    def checkpoint(self) -> None:
        """Copy the WAL into the database file (PASSIVE: never waits for readers)."""
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._commits_since_checkpoint = 0

    def _after_trade_ended(self) -> None:
        if self._commits_since_checkpoint >= CHECKPOINT_AFTER_COMMITS:
            self.checkpoint()

    # what the writer remembers of its own commits

    def _forget(self) -> None:
        self._in_flight.clear()
        self._pair_memo.clear()

    def _remember(self, trade: Trade, seq: int, pair: openstate.PairRows | None) -> None:
        """Called once ``trade`` (with ``seq``, and its pair's rows) is committed."""
        if trade.terminal:
            self._in_flight.pop(trade.id, None)
        else:
            self._in_flight[trade.id] = (trade, seq)
        if pair is not None:
            if any(not t.terminal for t in pair.trades):
                self._pair_memo[pair.id] = pair
            else:
                self._pair_memo.pop(pair.id, None)

    def _committed(self, trade_id: int) -> tuple[Trade, int]:
        """A trade as committed, with the seq of its last transition: remembered, or read."""
        found = self._in_flight.get(trade_id)
        if found is not None:
            return found
        rows = self._rows("SELECT * FROM trades WHERE id = ?", [trade_id])
        if not rows:
            raise LedgerError(f"no trade {trade_id}")
        (seq,) = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM transitions WHERE trade_id = ?",
                                   [trade_id]).fetchone()
        return trade_of(rows[0], self._orders_of([trade_id])[trade_id]), seq

    def _pair_rows(self, pair_id: int) -> openstate.PairRows | None:
        return self._pair_memo.get(pair_id) or openstate.load_pair(self.conn, pair_id)

    # rows inside a transaction

    def _insert_order(self, trade: Trade, role: Role, leg: Leg, size: Decimal, limit_price: Decimal,
                      reduce_only: bool, now: str, rows: _OrderRows) -> Order:
        if size <= 0:
            raise ValueError(f"order size must be positive, not {size}")
        attempt = 1 + sum(1 for o in trade.orders if o.role == role)
        cid = client_order_id(self.ledger_id, trade.id, role, attempt)
        oid = self.conn.execute(
            "INSERT INTO orders (trade_id, pair_id, role, attempt, venue, market, side, size, limit_price, "
            "reduce_only, client_id, status, filled, fee, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded', '0', '0', ?, ?)",
            [trade.id, trade.pair_id, role.value, attempt, leg.venue, leg.market, leg.side.value, str(size),
             str(limit_price), int(reduce_only), cid, now, now]).lastrowid
        assert oid is not None
        rows.events.append((oid, now, OrderStatus.RECORDED.value, "0", None, None, None, None))
        return Order(oid, trade.id, role, attempt, leg.venue, leg.market, leg.side, size, limit_price,
                     reduce_only, cid, OrderStatus.RECORDED, ZERO, None, ZERO, None, None, now, now)

    def _answer(self, order: Order, answer: Answer, now: str, rows: _OrderRows) -> Order:
        """An answer about an order, and what it changes of the order and of the expected position, gathered
        into ``rows``; returns the order once answered."""
        a = as_answer(answer)
        after = order.answered(a, at=now)
        moved = after.signed_filled - order.signed_filled
        if moved and self._counts(order):
            key = (order.venue, order.market)
            rows.moves[key] = rows.moves.get(key, ZERO) + moved
        rows.events.append((order.id, now, a.status.value, text_of(a.filled), text_of(a.avg_price), text_of(a.fee),
                            a.venue_order_id, a.detail))
        if after != order:
            rows.answered[after.id] = after
        return after

    def _write_orders(self, rows: _OrderRows, realised: openstate.Realised) -> None:
        """Write what ``rows`` gathered, one statement per table, with the orders' realised PnL where it changed
        (``realised``): an answered order's in its own row's update."""
        for (venue, market), delta in rows.moves.items():
            openstate.add_position(self.conn, venue, market, delta)
        if rows.events:
            self.conn.executemany(
                "INSERT INTO order_events (order_id, time, status, filled, avg_price, fee, venue_order_id, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.events)
        realised = dict(realised)
        answered, answered_realised = [], []
        for o in rows.answered.values():
            values = (o.status.value, str(o.filled), text_of(o.avg_price), str(o.fee), o.venue_order_id, o.detail,
                      o.updated_at)
            if o.id in realised:
                answered_realised.append((*values, text_of(realised.pop(o.id)), o.id))
            else:
                answered.append((*values, o.id))
        if answered:
            self.conn.executemany(_ANSWERED + " WHERE id = ?", answered)
        if answered_realised:
            self.conn.executemany(_ANSWERED + ", realised = ? WHERE id = ?", answered_realised)
        openstate.store_realised(self.conn, realised)  # the other orders whose realised PnL changed

    def _counts(self, order: Order) -> bool:
        """Whether an order's fills count in the expected positions (only a legacy leg's pair can say no)."""
        if order.role != Role.LEGACY:
            return True
        (row,) = self._rows("SELECT p.legacy_status FROM orders o JOIN pairs p ON p.id = o.pair_id WHERE o.id = ?",
                            [order.id])
        return openstate.counts(order, row["legacy_status"])

    def _journal(self, seq: int, steps: Sequence[_Step], reason: str, now: str) -> str:
        """Append the steps' transitions after the trade's transition ``seq``; returns the last one's quantities
        as JSON."""
        journal = []
        dumped = ""
        for n, step in enumerate(steps, seq + 1):
            t = step.trade
            dumped = _dumps(step.q)
            journal.append((t.id, n, step.before, t.state, step.trigger, reason, dumped, now))
        self.conn.executemany(
            "INSERT INTO transitions (trade_id, seq, from_state, to_state, trigger, reason, quantities, time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", journal)
        return dumped

    def _save_state(self, trade: Trade, before: Trade | None, dumped: str, now: str, rows: _OrderRows,
                    pair: openstate.PairRows | None = None) -> openstate.PairRows | None:
        """Store the trade (as of this commit: its ``updated_at`` is ``now``; ``before`` is its row as it was,
        None if new) with ``dumped``, its quantities, and its order rows; derive its pair (whose rows the caller
        may hold: ``pair``), or outside any pair its realised PnL, again. Every change to a trade's orders or
        state ends here, inside its transaction. Returns its pair's rows."""
        if before is not None:  # (a new trade's row was inserted as it is)
            if trade.state != before.state:
                self.conn.execute("UPDATE trades SET state = ?, quantities = ?, updated_at = ? WHERE id = ?",
                                  [trade.state, dumped, now, trade.id])
            else:  # the same state: its index is left alone
                self.conn.execute("UPDATE trades SET quantities = ?, updated_at = ? WHERE id = ?",
                                  [dumped, now, trade.id])
        if trade.pair_id is None:
            realised = openstate.derive_unpaired(self.conn, trade)
        else:
            pair = pair or self._pair_rows(trade.pair_id)
            if pair is None:
                raise LedgerError(f"no pair {trade.pair_id}")
            pair, realised = openstate.derive_pair(self.conn, pair, trade)
        self._write_orders(rows, realised)
        return pair

    # the engine's API

    def create_trade(
        self,
        kind: Kind | str,
        leg_a: Leg,
        leg_b: Leg,
        size: Decimal,
        limit_a: Decimal,
        limit_b: Decimal | None = None,
        policy: Policy | str = Policy.SEQUENTIAL,
        pair_id: int | None = None,
        reason: str = "opportunity",
    ) -> Trade:
        """Record a new trade in ``pending`` with its leg A order (and, concurrent, its leg B order as hedge
        attempt 1), committed. An ``open`` trade opens a new pair; a ``close`` trade names the pair it closes
        and its orders are reduce-only. Send the orders only after this returns."""
        kind, policy = Kind(kind), Policy(policy)
        if kind == Kind.FLATTEN:
            raise ValueError("a flatten trade is created with create_flatten()")
        if (kind == Kind.CLOSE) != (pair_id is not None):
            raise ValueError("a close trade names its pair; an open trade opens a new one")
        if policy == Policy.CONCURRENT and limit_b is None:
            raise ValueError("the concurrent policy sends leg B at once: it needs limit_b")
        if size <= 0:
            raise ValueError(f"size must be positive, not {size}")
        with self._write() as now:
            if kind == Kind.OPEN:
                pair_id = self.conn.execute("INSERT INTO pairs (opened_at) VALUES (?)", [now]).lastrowid
                assert pair_id is not None
                pair: openstate.PairRows | None = openstate.PairRows.new(pair_id)
            else:
                assert pair_id is not None
                pair = self._pair_rows(pair_id)
                if pair is None:
                    raise LedgerError(f"no pair {pair_id} to close")
            # inserted as it stays: a new trade's orders have filled nothing, so its quantities are known now
            q = quantities(kind, size, leg_a, leg_b, (), ZERO, "pending")
            tid = self.conn.execute(
                "INSERT INTO trades (kind, pair_id, policy, state, a_venue, a_market, a_side, b_venue, b_market, "
                "b_side, intended, adopted, quantities, created_at, updated_at) "
                "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, '0', ?, ?, ?)",
                [kind.value, pair_id, policy.value, leg_a.venue, leg_a.market, leg_a.side.value, leg_b.venue,
                 leg_b.market, leg_b.side.value, str(size), _dumps(q), now, now]).lastrowid
            assert tid is not None
            trade = Trade(tid, kind, pair_id, policy, "pending", leg_a, leg_b, size, ZERO, (), now, now)
            reduce_only = kind == Kind.CLOSE
            rows = _OrderRows()
            orders: tuple[Order, ...] = (self._insert_order(trade, Role.LEG_A, leg_a, size, limit_a, reduce_only,
                                                            now, rows),)
            if policy == Policy.CONCURRENT:
                assert limit_b is not None
                orders += (self._insert_order(_evolve(trade, orders=orders), Role.HEDGE, leg_b, size, limit_b,
                                              reduce_only, now, rows),)
            trade = _evolve(trade, orders=orders)
            dumped = self._journal(0, [_Step(trade, q, None, "create")], reason, now)
            pair = self._save_state(trade, None, dumped, now, rows, pair)
        self._remember(trade, 1, pair)
        _log_transition(trade, None, "create", reason)
        return trade

    def create_flatten(self, venue: str, market: str, quantity: Decimal, reason: str) -> Trade:
        """A reconciliation trade for an unexplained residual: ``quantity`` is the venue's position beyond
        what the ledger explains (signed). It is adopted as an adjustment, so the ledger matches the venue,
        and the trade starts ``orphaned`` with it as open exposure, to be unwound reduce-only."""
        if quantity == 0:
            raise ValueError("nothing to flatten")
        side = Side.BUY if quantity > 0 else Side.SELL
        with self._write() as now:
            tid = self.db.execute(
                "INSERT INTO trades (kind, pair_id, policy, state, a_venue, a_market, a_side, intended, adopted, "
                "quantities, created_at, updated_at) VALUES ('flatten', NULL, 'sequential', 'pending', ?, ?, ?, "
                "?, ?, '{}', ?, ?)",
                [venue, market, side.value, str(abs(quantity)), str(quantity), now, now]).lastrowid
            self.db.execute("INSERT INTO adjustments (venue, market, quantity, reason, trade_id, time) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [venue, market, str(quantity), f"flatten trade {tid}: {reason}", tid, now])
            openstate.add_position(self.conn, venue, market, quantity)
            created = Trade(tid, Kind.FLATTEN, None, Policy.SEQUENTIAL, "pending", Leg(venue, market, side), None,
                            abs(quantity), quantity, (), now, now)
            trade = _evolve(created, state=next_state(created.state, "orphan", created.check()))
            dumped = self._journal(0, [_Step(created, created.quantities, None, "create"),
                                       _Step(trade, trade.quantities, created.state, "orphan")], reason, now)
            self._save_state(trade, created, dumped, now, _OrderRows())
        self._remember(trade, 2, None)
        _log_transition(trade, None, "orphan", reason)
        return trade

    def transition(
        self,
        trade_id: int,
        trigger: str | Sequence[str],
        reason: str,
        *,
        order_updates: Iterable[Answer] = (),
        new_order: NewOrder | None = None,
    ) -> Trade:
        """Apply the order answers, then each trigger in turn, in ONE durable commit; ``new_order`` belongs to
        the last trigger, which must be ``hedge`` or ``unwind``. No trigger at all just records the answers.
        Returns the trade as committed (its newest order is the one to send). Raises
        :class:`IllegalTransition`, changing nothing, for an edge that is not in the table or whose guard does
        not hold."""
        triggers = (trigger,) if isinstance(trigger, str) else tuple(trigger)
        order_updates = tuple(order_updates)
        if not triggers and (new_order is not None or not order_updates):
            raise ValueError("a transition needs a trigger, or at least order answers to record")
        if new_order is not None and triggers[-1] not in ORDER_ROLE:
            raise IllegalTransition(f"{triggers[-1]!r} records no order")
        steps = []
        rows = _OrderRows()
        with self._write() as now:
            committed, seq = self._committed(trade_id)
            trade = self._apply(committed, order_updates, now, rows)
            for n, trig in enumerate(triggers):
                ordered = new_order if n == len(triggers) - 1 else None
                before = trade.state
                check = trade.check(ordered.size if ordered else None)
                dest = next_state(before, trig, check)
                q = check.q  # a new order has filled nothing: the quantities move only into `residual`
                if ordered is not None:
                    role = ORDER_ROLE[trig]
                    if role == Role.HEDGE:
                        leg, reduce_only = trade.leg_b, trade.kind == Kind.CLOSE
                    else:
                        leg, reduce_only = Leg(q.exposure_venue, q.exposure_market, unwind_side(q)), True
                    if leg is None:
                        raise IllegalTransition(f"trade {trade_id} has no leg B to hedge on")
                    order = self._insert_order(trade, role, leg, ordered.size, ordered.limit_price, reduce_only, now,
                                               rows)
                    trade = _evolve(trade, state=dest, orders=(*trade.orders, order))
                else:
                    trade = _evolve(trade, state=dest)
                steps.append(_Step(trade, trade.quantities if dest == "residual" else q, before, trig))
            dumped = self._journal(seq, steps, reason, now) if steps else _dumps(trade.quantities)
            pair = self._save_state(trade, committed, dumped, now, rows)
        self._remember(trade, seq + len(steps), pair)
        for step in steps:
            _log_transition(step.trade, step.before, step.trigger, reason)
        if trade.terminal:
            self._after_trade_ended()
        return trade

    def _apply(self, trade: Trade, answers: Iterable[Answer], now: str, rows: _OrderRows) -> Trade:
        """The trade once ``answers`` about its orders are known, as of this commit; their rows go to ``rows``."""
        orders = {o.client_id: o for o in trade.orders}
        for answer in answers:
            a = as_answer(answer)
            if a.client_id not in orders:
                raise LedgerError(f"trade {trade.id} has no order {a.client_id!r}")
            orders[a.client_id] = self._answer(orders[a.client_id], a, now, rows)
        return _evolve(trade, orders=tuple(orders.values()), updated_at=now)

    def record_order_answer(self, answer: Answer) -> Order:
        """Durably record what became of an order: a send outcome (``OrderAnswer`` with status accepted,
        rejected, rate_limited or unknown) or a venue's answer (``OrderOpen``, ``OrderFinal``,
        ``OrderNotFound``). Each answer is also kept in the order's event history."""
        a = as_answer(answer)
        rows = _OrderRows()
        with self._write() as now:
            found = self._rows("SELECT trade_id, pair_id FROM orders WHERE client_id = ?", [a.client_id])
            if not found:
                raise LedgerError(f"no order with client id {a.client_id!r}")
            trade_id, pair_id = found[0]["trade_id"], found[0]["pair_id"]
            if trade_id is not None:  # keep the trade's quantities, and its pair, current
                committed, seq = self._committed(trade_id)
                trade = self._apply(committed, [a], now, rows)
                pair = self._save_state(trade, committed, _dumps(trade.quantities), now, rows)
                order = trade.order(a.client_id)
            else:  # a legacy leg
                order = self._answer(self.order(a.client_id), a, now, rows)
                self._write_orders(rows, {})
                if pair_id is not None:
                    openstate.refresh_pair(self.conn, pair_id)
        if trade_id is not None:
            self._remember(trade, seq, pair)
        else:  # its pair was derived from what is stored: what the writer remembered of it is stale
            self._pair_memo.pop(pair_id, None)
        log.log(logging.WARNING if a.status in (OrderStatus.UNKNOWN, OrderStatus.REJECTED, OrderStatus.RATE_LIMITED)
                else logging.INFO,
                "trade %s %s", order.trade_id, describe_order(order),
                extra={"trade_id": order.trade_id, "leg": _LEG_TAG[order.role], "status": order.status.value})
        return order

    def record_fill(
        self,
        venue: str,
        market: str,
        side: Side,
        size: Decimal,
        price: Decimal,
        fee: Decimal,
        time_ms: int,
        fill_id: str | None = None,
        client_id: str | None = None,
        venue_order_id: str | None = None,
        liquidity: str | None = None,
        fee_token: str | None = None,
    ) -> bool:
        """Keep one execution as the venue reported it, linked to its order by client id; a fill with an
        unknown client id is kept as external (reconciliation lists those). A fill seen before (same venue
        and fill id) adds nothing: returns False. Expected positions come from the orders' answers; fills are
        their detail."""
        with self._write() as now:
            return self._insert_fill(venue, market, side, size, price, fee, time_ms, fill_id, client_id,
                                     venue_order_id, liquidity, fee_token, now)

    def record_fills(self, venue: str, fills: Iterable[VenueFill]) -> int:
        """Keep several of a venue's fills (e.g. a trade's, once it has ended) in ONE commit, as
        :meth:`record_fill` keeps each; returns how many were new."""
        with self._write() as now:
            return sum(self._insert_fill(venue, f.market, f.side, f.size, f.price, f.fee, f.time_ms,
                                         f.fill_id or None, f.client_id, f.venue_order_id, None, None, now)
                       for f in fills)

    def _insert_fill(self, venue: str, market: str, side: Side, size: Decimal, price: Decimal, fee: Decimal,
                     time_ms: int, fill_id: str | None, client_id: str | None, venue_order_id: str | None,
                     liquidity: str | None, fee_token: str | None, now: str) -> bool:
        order_id = None
        if client_id:
            rows = self._rows("SELECT id FROM orders WHERE client_id = ?", [client_id])
            order_id = rows[0]["id"] if rows else None
        cur = self.db.execute(
            "INSERT OR IGNORE INTO fills (order_id, venue, market, side, size, price, fee, fee_token, liquidity, "
            "fill_id, client_id, venue_order_id, time_ms, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, venue, market, Side(side).value, str(size), str(price), str(fee), fee_token, liquidity,
             fill_id, client_id, venue_order_id, time_ms, now])
        return cur.rowcount == 1

    def add_adjustment(self, venue: str, market: str, quantity: Decimal, reason: str) -> Adjustment:
        """An external adjustment (``reconcile --adopt``): counts in expected positions from now on."""
        if not reason.strip():
            raise ValueError("an adjustment needs a reason, for the audit trail")
        with self._write() as now:
            aid = self.db.execute("INSERT INTO adjustments (venue, market, quantity, reason, time) "
                                  "VALUES (?, ?, ?, ?, ?)", [venue, market, str(quantity), reason, now]).lastrowid
            openstate.add_position(self.conn, venue, market, quantity)
        log.warning("adjustment %s: %s %s %s (%s)", aid, venue, market, quantity, reason)
        return Adjustment(aid, venue, market, quantity, reason, None, now)

    def set_control(self, key: str, value: Any) -> None:
        with self._write() as now:
            _upsert_control(self.db, key, value, now)

    def import_legacy(self, text: str) -> LegacyImport:
        """Import the old bot's positions.json: each interpretable record becomes a pair with the legs it
        tells of, keeping the record verbatim; records already imported add nothing. One commit.
        Raises :class:`legacy.LegacyFormatError` if the text is not that document at all."""
        parsed = legacy.parse(text)
        imported, present = [], []
        with self._write() as now:
            for rec in parsed.records:
                if self._rows("SELECT 1 FROM pairs WHERE legacy_id = ?", [rec.id]):
                    present.append(rec.id)
                    continue
                opened = (datetime.fromtimestamp(rec.open_time_ms / 1000, UTC).isoformat(timespec="microseconds")
                          if rec.open_time_ms is not None else None)
                pid = self.db.execute("INSERT INTO pairs (opened_at, legacy_id, legacy_status, legacy_raw) "
                                      "VALUES (?, ?, ?, ?)", [opened, rec.id, rec.status, rec.raw]).lastrowid
                for leg in rec.legs:
                    oid = self.db.execute(
                        "INSERT INTO orders (pair_id, role, attempt, venue, market, side, size, limit_price, "
                        "reduce_only, client_id, status, filled, avg_price, fee, venue_order_id, detail, "
                        "created_at, updated_at) VALUES (?, 'legacy', 1, ?, ?, ?, ?, NULL, 0, ?, 'final', ?, ?, ?, "
                        "?, ?, ?, ?)",
                        [pid, leg.venue, leg.market, leg.side.value, str(leg.size), f"legacy:{rec.id}:{leg.venue}",
                         str(leg.size), text_of(leg.price), str(leg.fee), ",".join(leg.order_ids) or None,
                         f"imported from positions.json ({'fills' if leg.fills else 'amount'}), "
                         f"record status {rec.status}", opened or now, opened or now]).lastrowid
                    for f in leg.fills:
                        self.db.execute(
                            "INSERT OR IGNORE INTO fills (order_id, venue, market, side, size, price, fee, fee_token, "
                            "liquidity, fill_id, venue_order_id, time_ms, recorded_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [oid, leg.venue, leg.market, f.side.value, str(f.size), str(f.price), str(f.fee),
                             f.fee_token, f.liquidity, f.fill_id, f.order_id, f.time_ms, now])
                    if rec.status != "closed":  # a closed record's legs were closed by the old bot
                        openstate.add_position(self.conn, leg.venue, leg.market, leg.side.sign * leg.size)
                openstate.refresh_pair(self.conn, pid)
                imported.append(rec.id)
        for u in parsed.uninterpretable:
            log.warning("legacy record %s (#%d) not imported: %s", u.id or "without id", u.index, u.reason)
        return LegacyImport(imported, present, parsed.uninterpretable)


def _upsert_control(db: Database, key: str, value: Any, now: str) -> None:
    db.execute("INSERT INTO control (key, value, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
               [key, json.dumps(value, default=str), now])


def write_control(path: str | os.PathLike[str], key: str, value: Any) -> None:
    """Set one engine-control value (``pyarb halt`` / ``resume``) while an engine holds the writer lock: it
    touches only the control table, in its own short transaction, which SQLite serialises with the engine's."""
    path = Path(path).absolute()
    if not path.exists():
        raise LedgerError(f"no ledger at {path}")
    _check_existing_file(path)
    conn = _connect(path, readonly=False)
    try:
        conn.execute("PRAGMA synchronous = FULL")
        _verify(conn, path, integrity=False)
        db = Database(conn, execute_plugins=False)
        if "control" not in db.table_names():
            raise LedgerError(f"ledger {path} predates engine control; open it once for writing to migrate it")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _upsert_control(db, key, value, _now())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
