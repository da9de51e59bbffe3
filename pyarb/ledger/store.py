"""The durable record of trades, orders, fills and transitions, in SQLite through sqlite-utils.

Write ahead: each transition, with every row change that goes with it (the order answers it rests on, the new
order it permits), is one ``BEGIN IMMEDIATE ... COMMIT``, so one fsync in WAL mode with ``synchronous=FULL``,
and it is committed before the action it permits. An order row, with its deterministic client order id,
exists before the order is sent.

One writer per ledger (:class:`Ledger`, an OS lock that dies with its process). Readers
(:class:`LedgerReader`) open the file read-only and work while an engine writes. The ledger knows no venue.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from pyarb.ledger import legacy, pnl
from pyarb.ledger.lock import LockHeld, WriterLock
from pyarb.ledger.schema import MIGRATIONS, SCHEMA_VERSION
from pyarb.model import Side
from pyarb.trade import (
    ORDER_ROLE,
    TERMINAL,
    ZERO,
    Answer,
    IllegalTransition,
    Kind,
    Leg,
    Order,
    OrderStatus,
    Policy,
    Role,
    Trade,
    as_answer,
    client_order_id,
    fmt,
    next_state,
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
    """One part of an expected position: an order's fills, an adjustment, or a legacy leg."""

    venue: str
    market: str
    quantity: Decimal
    source: str  # "order" | "legacy" | "adjustment"
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


@dataclass(frozen=True, slots=True)
class LegacyImport:
    imported: list[str]
    already_present: list[str]
    uninterpretable: list[legacy.Uninterpretable]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _add(book: dict[str, dict[str, Decimal]], venue: str, market: str, q: Decimal) -> None:
    markets = book.setdefault(venue, {})
    markets[market] = markets.get(market, ZERO) + q


def _order(row: Mapping[str, Any]) -> Order:
    return Order(
        id=row["id"], trade_id=row["trade_id"], role=Role(row["role"]), attempt=row["attempt"],
        venue=row["venue"], market=row["market"], side=Side(row["side"]), size=Decimal(row["size"]),
        limit_price=_dec(row["limit_price"]), reduce_only=bool(row["reduce_only"]), client_id=row["client_id"],
        status=OrderStatus(row["status"]), filled=Decimal(row["filled"]), avg_price=_dec(row["avg_price"]),
        fee=Decimal(row["fee"]), venue_order_id=row["venue_order_id"], detail=row["detail"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


def _trade(row: Mapping[str, Any], orders: Iterable[Order]) -> Trade:
    leg_b = Leg(row["b_venue"], row["b_market"], Side(row["b_side"])) if row["b_venue"] else None
    return Trade(
        id=row["id"], kind=Kind(row["kind"]), pair_id=row["pair_id"], policy=Policy(row["policy"]),
        state=row["state"], leg_a=Leg(row["a_venue"], row["a_market"], Side(row["a_side"])), leg_b=leg_b,
        intended=Decimal(row["intended"]), adopted=Decimal(row["adopted"]), orders=tuple(orders),
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


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


def _log_transition(t: Trade, before: str | None, trigger: str, reason: str) -> None:
    state = t.state
    level = logging.INFO if state in _QUIET else logging.WARNING
    if not log.isEnabledFor(level):
        return
    q = t.quantities
    if state == "complete":
        headline = f"trade {t.id} {t.kind.value} COMPLETE: both legs filled {fmt(q.filled_a)}"
    elif state == "unfilled":
        headline = f"trade {t.id} {t.kind.value} ended UNFILLED (not a success): leg A never filled, no exposure"
    elif state == "flattened":
        headline = (f"trade {t.id} {t.kind.value} ended FLATTENED (not a success): orphan {fmt(q.unhedged)} "
                    f"unwound on {q.exposure_venue}, hedged {fmt(q.hedged)} of {fmt(q.intended)}")
    elif state == "residual":
        headline = (f"trade {t.id} {t.kind.value} ended RESIDUAL (not a success): {fmt(q.residual)} left on "
                    f"{q.exposure_venue} {q.exposure_market}, below the minimum order")
    else:
        headline = f"trade {t.id} {t.kind.value} {before or 'new'} -> {state}"
    log.log(level, "%s via %s: %s | %s | %s", headline, trigger, reason, describe_legs(t), q.describe(),
            extra={"trade_id": t.id, "leg": _leg_tag(trigger, t), "state": state, "trigger": trigger})


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

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    # trades

    def _orders_of(self, trade_ids: Sequence[int]) -> dict[int, list[Order]]:
        out: dict[int, list[Order]] = {t: [] for t in trade_ids}
        if trade_ids:
            marks = ",".join("?" * len(trade_ids))
            for r in self._rows(f"SELECT * FROM orders WHERE trade_id IN ({marks}) ORDER BY id", list(trade_ids)):
                out[r["trade_id"]].append(_order(r))
        return out

    def _trades(self, where: str = "", params: Sequence[Any] = (), suffix: str = "") -> list[Trade]:
        rows = self._rows(f"SELECT * FROM trades {where} {suffix}", params)
        orders = self._orders_of([r["id"] for r in rows])
        return [_trade(r, orders[r["id"]]) for r in rows]

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
        marks = ",".join("?" * len(TERMINAL))
        return self._trades(f"WHERE state NOT IN ({marks})", sorted(TERMINAL), "ORDER BY id")

    def order(self, client_id: str) -> Order:
        rows = self._rows("SELECT * FROM orders WHERE client_id = ?", [client_id])
        if not rows:
            raise LedgerError(f"no order with client id {client_id!r}")
        return _order(rows[0])

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

    def position_contributions(self) -> list[Contribution]:
        """What makes up each expected position: every order that filled (a closed legacy pair's legs are
        closed, so they count for nothing), and every adjustment."""
        out = []
        rows = self._rows(
            "SELECT o.*, t.state AS trade_state, p.legacy_status FROM orders o "
            "LEFT JOIN trades t ON t.id = o.trade_id LEFT JOIN pairs p ON p.id = o.pair_id "
            "WHERE o.filled != '0' ORDER BY o.id")
        for r in rows:
            o = _order(r)
            if o.filled == 0 or (o.role == Role.LEGACY and r["legacy_status"] == "closed"):
                continue
            source = "legacy" if o.role == Role.LEGACY else "order"
            out.append(Contribution(o.venue, o.market, o.signed_filled, source, o.trade_id, r["pair_id"],
                                    o.client_id, r["trade_state"], describe_order(o)))
        for a in self.adjustments():
            out.append(Contribution(a.venue, a.market, a.quantity, "adjustment", a.trade_id, None, None, None,
                                    a.reason))
        return out

    def expected_positions(self) -> dict[str, dict[str, Decimal]]:
        """{venue: {market: signed quantity}} (long positive): fills, residuals and adjustments included."""
        book: dict[str, dict[str, Decimal]] = {}
        for c in self.position_contributions():
            _add(book, c.venue, c.market, c.quantity)
        return book

    def residuals(self) -> list[Trade]:
        """Trades whose unhedged remainder was below a venue's minimum: exposure kept, not dropped."""
        return self.trades(state="residual")

    def adjustments(self) -> list[Adjustment]:
        return [Adjustment(r["id"], r["venue"], r["market"], Decimal(r["quantity"]), r["reason"], r["trade_id"],
                           r["time"]) for r in self._rows("SELECT * FROM adjustments ORDER BY id")]

    # pairs and PnL

    def _executions(self, orders: Iterable[Order]) -> list[pnl.Execution]:
        return [pnl.Execution(o.venue, o.market, o.signed_filled, o.avg_price, o.fee, o.updated_at[:10])
                for o in sorted(orders, key=lambda o: (o.updated_at, o.id))
                if o.filled and o.avg_price is not None]

    def pairs(self, pair_id: int | None = None) -> list[Pair]:
        where, params = ("WHERE id = ?", [pair_id]) if pair_id is not None else ("", [])
        pair_rows = self._rows(f"SELECT * FROM pairs {where} ORDER BY id", params)
        if not pair_rows:
            return []
        ids = [p["id"] for p in pair_rows]
        marks = ",".join("?" * len(ids))
        trades: dict[int, list[Trade]] = {i: [] for i in ids}
        for t in self._trades(f"WHERE pair_id IN ({marks})", ids, "ORDER BY id"):
            trades[t.pair_id].append(t)
        legacy_legs: dict[int, list[Order]] = {i: [] for i in ids}
        for r in self._rows(f"SELECT * FROM orders WHERE role = 'legacy' AND pair_id IN ({marks})", ids):
            legacy_legs[r["pair_id"]].append(_order(r))
        return [self._pair(p, trades[p["id"]], legacy_legs[p["id"]]) for p in pair_rows]

    def _pair(self, row: Mapping[str, Any], trades: list[Trade], legacy_legs: list[Order]) -> Pair:
        orders = [o for t in trades for o in t.orders]
        if row["legacy_status"] != "closed":
            orders += legacy_legs
        positions: dict[str, dict[str, Decimal]] = {}
        residuals: dict[str, dict[str, Decimal]] = {}
        for o in orders:
            _add(positions, o.venue, o.market, o.signed_filled)
        for t in trades:
            if t.state == "residual":
                q = t.quantities
                _add(residuals, q.exposure_venue, q.exposure_market, q.residual)
                _add(positions, q.exposure_venue, q.exposure_market, -q.residual)
        held = any(q != 0 for markets in positions.values() for q in markets.values())
        opener = next((t for t in trades if t.kind == Kind.OPEN), None)
        if any(not t.terminal for t in trades):
            status = "opening" if all(t.kind == Kind.OPEN for t in trades if not t.terminal) else "closing"
        elif row["legacy_id"] and not trades:
            status = row["legacy_status"]
        elif opener is not None and opener.quantities.hedged == 0 and not held:
            status = "void"
        else:
            status = "open" if held else "closed"
        result = pnl.total(self._executions(orders))
        if row["legacy_status"] == "closed":  # closed by the old bot at prices it never recorded: fees only
            result += pnl.PnL(ZERO, sum((o.fee for o in legacy_legs), ZERO))
        return Pair(row["id"], status, row["opened_at"], tuple(t.id for t in trades),
                    {v: {m: q for m, q in ms.items() if q} for v, ms in positions.items() if any(ms.values())},
                    residuals, result.realised, result.fees, row["legacy_id"], row["legacy_status"])

    def pair(self, pair_id: int) -> Pair:
        found = self.pairs(pair_id)
        if not found:
            raise LedgerError(f"no pair {pair_id} in {self.path}")
        return found[0]

    def open_pairs(self) -> list[Pair]:
        """Pairs that hold, or are opening or closing, positions."""
        return [p for p in self.pairs() if p.status in ("opening", "open", "closing")]

    def pnl_by_pair(self) -> dict[int, pnl.PnL]:
        return {p.id: pnl.PnL(p.realised, p.fees) for p in self.pairs()}

    def pnl_by_day(self, day: str | None = None) -> dict[str, pnl.PnL]:
        """Realised PnL and fees per UTC day (YYYY-MM-DD). Realised PnL is counted within each pair, by its legs'
        average cost, on the day of the execution that realised it; a flatten trade adopted its position at no
        known price, so only its fees count. With ``day``, only what that day needs is read."""
        sql = ("SELECT o.*, COALESCE(t.pair_id, o.pair_id) AS pnl_pair FROM orders o "
               "LEFT JOIN trades t ON t.id = o.trade_id LEFT JOIN pairs p ON p.id = COALESCE(t.pair_id, o.pair_id) "
               "WHERE o.filled != '0' AND NOT (o.role = 'legacy' AND p.legacy_status IS 'closed')")
        params: list[Any] = []
        if day:
            # the pairs with an execution that day (all of their history sets the average cost), and that day's
            # executions outside any pair
            sql += (" AND (COALESCE(t.pair_id, o.pair_id) IN (SELECT COALESCE(t2.pair_id, o2.pair_id) FROM orders o2 "
                    "LEFT JOIN trades t2 ON t2.id = o2.trade_id WHERE o2.updated_at >= ? AND o2.updated_at < ?) "
                    "OR (COALESCE(t.pair_id, o.pair_id) IS NULL AND o.updated_at >= ? AND o.updated_at < ?))")
            params = [day, day + "~"] * 2  # ISO times of that day sort between "YYYY-MM-DD" and "YYYY-MM-DD~"
        groups: dict[int | None, list[Order]] = {}
        for r in self._rows(sql, params):
            groups.setdefault(r["pnl_pair"], []).append(_order(r))
        days: dict[str, pnl.PnL] = {}
        for pair_id, orders in groups.items():
            for e, realised in pnl.realise(self._executions(orders)):
                days[e.day] = days.get(e.day, pnl.PnL()) + pnl.PnL(realised if pair_id is not None else ZERO, e.fee)
        return days

    def daily_pnl(self, day: str | None = None) -> pnl.PnL:
        """Realised PnL and fees of today (UTC), or of ``day``: what the daily loss limit checks."""
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
                 "control"]
        return {n: self._rows(f"SELECT * FROM {n} ORDER BY rowid") for n in names}


# --- writing -------------------------------------------------------------------------------------------


class Ledger(LedgerReader):
    """The one writer of a ledger. Every method that changes anything commits before it returns."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: Mapping[str, str], lock: WriterLock) -> None:
        super().__init__(path, conn, meta)
        self._lock = lock
        self._commits_since_checkpoint = 0
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
        """One durable transaction; yields its timestamp."""
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield _now()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
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

    # rows inside a transaction

    def _load(self, trade_id: int) -> Trade:
        rows = self._rows("SELECT * FROM trades WHERE id = ?", [trade_id])
        if not rows:
            raise LedgerError(f"no trade {trade_id}")
        return _trade(rows[0], self._orders_of([trade_id])[trade_id])

    def _insert_order(self, trade: Trade, role: Role, leg: Leg, size: Decimal, limit_price: Decimal,
                      reduce_only: bool, now: str) -> Order:
        if size <= 0:
            raise ValueError(f"order size must be positive, not {size}")
        attempt = 1 + sum(1 for o in trade.orders if o.role == role)
        cid = client_order_id(self.ledger_id, trade.id, role, attempt)
        cur = self.db.execute(
            "INSERT INTO orders (trade_id, pair_id, role, attempt, venue, market, side, size, limit_price, "
            "reduce_only, client_id, status, filled, fee, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded', '0', '0', ?, ?)",
            [trade.id, trade.pair_id, role.value, attempt, leg.venue, leg.market, leg.side.value, str(size),
             str(limit_price), int(reduce_only), cid, now, now])
        self.db.execute("INSERT INTO order_events (order_id, time, status, filled) VALUES (?, ?, 'recorded', '0')",
                        [cur.lastrowid, now])
        return Order(cur.lastrowid, trade.id, role, attempt, leg.venue, leg.market, leg.side, size, limit_price,
                     reduce_only, cid, OrderStatus.RECORDED, ZERO, None, ZERO, None, None, now, now)

    def _store_answer(self, order: Order, answer: Answer, now: str) -> Order:
        a = as_answer(answer)
        after = order.answered(a)
        self.db.execute(
            "INSERT INTO order_events (order_id, time, status, filled, avg_price, fee, venue_order_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [order.id, now, a.status.value, _str(a.filled), _str(a.avg_price), _str(a.fee), a.venue_order_id,
             a.detail])
        if after != order:
            self.db.execute(
                "UPDATE orders SET status = ?, filled = ?, avg_price = ?, fee = ?, venue_order_id = ?, detail = ?, "
                "updated_at = ? WHERE id = ?",
                [after.status.value, str(after.filled), _str(after.avg_price), str(after.fee), after.venue_order_id,
                 after.detail, now, order.id])
            after = replace(after, updated_at=now)
        return after

    def _journal(self, trade: Trade, before: str | None, trigger: str, reason: str, now: str) -> str:
        """Append the transition to ``trade.state``; returns its quantities as JSON."""
        quantities = json.dumps(trade.quantities.as_json())
        self.db.execute(
            "INSERT INTO transitions (trade_id, seq, from_state, to_state, trigger, reason, quantities, time) "
            "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM transitions WHERE trade_id = ?",
            [trade.id, before, trade.state, trigger, reason, quantities, now, trade.id])
        return quantities

    def _save_state(self, trade: Trade, quantities: str, now: str) -> Trade:
        self.db.execute("UPDATE trades SET state = ?, quantities = ?, updated_at = ? WHERE id = ?",
                        [trade.state, quantities, now, trade.id])
        return replace(trade, updated_at=now)

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
                pair_id = self.db.execute("INSERT INTO pairs (opened_at) VALUES (?)", [now]).lastrowid
            elif not self._rows("SELECT 1 FROM pairs WHERE id = ?", [pair_id]):
                raise LedgerError(f"no pair {pair_id} to close")
            tid = self.db.execute(
                "INSERT INTO trades (kind, pair_id, policy, state, a_venue, a_market, a_side, b_venue, b_market, "
                "b_side, intended, adopted, quantities, created_at, updated_at) "
                "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, '0', '{}', ?, ?)",
                [kind.value, pair_id, policy.value, leg_a.venue, leg_a.market, leg_a.side.value, leg_b.venue,
                 leg_b.market, leg_b.side.value, str(size), now, now]).lastrowid
            trade = Trade(tid, kind, pair_id, policy, "pending", leg_a, leg_b, size, ZERO, (), now, now)
            reduce_only = kind == Kind.CLOSE
            orders = [self._insert_order(trade, Role.LEG_A, leg_a, size, limit_a, reduce_only, now)]
            if policy == Policy.CONCURRENT:
                trade = replace(trade, orders=tuple(orders))
                orders.append(self._insert_order(trade, Role.HEDGE, leg_b, size, limit_b, reduce_only, now))
            trade = replace(trade, orders=tuple(orders))
            trade = self._save_state(trade, self._journal(trade, None, "create", reason, now), now)
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
            trade = Trade(tid, Kind.FLATTEN, None, Policy.SEQUENTIAL, "pending", Leg(venue, market, side), None,
                          abs(quantity), quantity, (), now, now)
            self._journal(trade, None, "create", reason, now)
            before = trade.state
            trade = replace(trade, state=next_state(before, "orphan", trade.check()))
            trade = self._save_state(trade, self._journal(trade, before, "orphan", reason, now), now)
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
        with self._write() as now:
            trade = self._apply(self._load(trade_id), order_updates, now)
            quantities = json.dumps(trade.quantities.as_json())
            for n, trig in enumerate(triggers):
                ordered = new_order if n == len(triggers) - 1 else None
                before = trade.state
                dest = next_state(before, trig, trade.check(ordered.size if ordered else None))
                if ordered is not None:
                    q = trade.quantities
                    role = ORDER_ROLE[trig]
                    if role == Role.HEDGE:
                        leg, reduce_only = trade.leg_b, trade.kind == Kind.CLOSE
                    else:
                        leg, reduce_only = Leg(q.exposure_venue, q.exposure_market, unwind_side(q)), True
                    if leg is None:
                        raise IllegalTransition(f"trade {trade_id} has no leg B to hedge on")
                    order = self._insert_order(trade, role, leg, ordered.size, ordered.limit_price, reduce_only, now)
                    trade = replace(trade, orders=(*trade.orders, order))
                trade = replace(trade, state=dest)
                quantities = self._journal(trade, before, trig, reason, now)
                steps.append((trade, before, trig))
            trade = self._save_state(trade, quantities, now)
        for t, before, trig in steps:
            _log_transition(t, before, trig, reason)
        if trade.terminal:
            self._after_trade_ended()
        return trade

    def _apply(self, trade: Trade, answers: Iterable[Answer], now: str) -> Trade:
        orders = {o.client_id: o for o in trade.orders}
        for answer in answers:
            a = as_answer(answer)
            if a.client_id not in orders:
                raise LedgerError(f"trade {trade.id} has no order {a.client_id!r}")
            orders[a.client_id] = self._store_answer(orders[a.client_id], a, now)
        return replace(trade, orders=tuple(orders.values()))

    def record_order_answer(self, answer: Answer) -> Order:
        """Durably record what became of an order: a send outcome (``OrderAnswer`` with status accepted,
        rejected, rate_limited or unknown) or a venue's answer (``OrderOpen``, ``OrderFinal``,
        ``OrderNotFound``). Each answer is also kept in the order's event history."""
        a = as_answer(answer)
        with self._write() as now:
            rows = self._rows("SELECT * FROM orders WHERE client_id = ?", [a.client_id])
            if not rows:
                raise LedgerError(f"no order with client id {a.client_id!r}")
            order = self._store_answer(_order(rows[0]), a, now)
            if order.trade_id is not None:  # keep the trade's quantities current
                trade = self._load(order.trade_id)
                self._save_state(trade, json.dumps(trade.quantities.as_json()), now)
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
                         str(leg.size), _str(leg.price), str(leg.fee), ",".join(leg.order_ids) or None,
                         f"imported from positions.json ({'fills' if leg.fills else 'amount'}), "
                         f"record status {rec.status}", opened or now, opened or now]).lastrowid
                    for f in leg.fills:
                        self.db.execute(
                            "INSERT OR IGNORE INTO fills (order_id, venue, market, side, size, price, fee, fee_token, "
                            "liquidity, fill_id, venue_order_id, time_ms, recorded_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [oid, leg.venue, leg.market, f.side.value, str(f.size), str(f.price), str(f.fee),
                             f.fee_token, f.liquidity, f.fill_id, f.order_id, f.time_ms, now])
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
