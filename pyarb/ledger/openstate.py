"""The ledger's open state, kept current so that what the engine asks after every trade costs what is open,
not what happened:

- ``positions``: the expected signed position per venue and market (exact decimal TEXT);
- each pair's status, holdings, residuals, realised PnL and fees, cached on its ``pairs`` row;
- ``orders.realised``: the PnL each execution (a filled order) realised, beside its fee, at its time
  (``orders.updated_at``, indexed), summed by UTC day for the daily loss limit.

All of it derives from the history tables (orders, trades, pairs, adjustments) and is written in the same
transaction as the rows it derives from. :func:`recompute` derives it again from all history, :func:`differences`
says where the stored state departs from that, and :func:`rebuild` rewrites it (the migration that introduced it).

Everything here is exact ``Decimal`` arithmetic; nothing imports a venue.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyarb.ledger import pnl
from pyarb.model import Side
from pyarb.trade import (
    ZERO,
    Kind,
    Leg,
    Order,
    OrderStatus,
    Policy,
    Role,
    Trade,
)

OPEN_STATUSES = ("opening", "open", "closing")  # a pair that holds, or is opening or closing, positions
Book = dict[str, dict[str, Decimal]]  # venue -> market -> signed quantity


# --- rows ----------------------------------------------------------------------------------------------


def rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of these values."""
    return ",".join("?" * len(values))


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def order_of(row: Mapping[str, Any]) -> Order:
    return Order(
        id=row["id"], trade_id=row["trade_id"], role=Role(row["role"]), attempt=row["attempt"],
        venue=row["venue"], market=row["market"], side=Side(row["side"]), size=Decimal(row["size"]),
        limit_price=_dec(row["limit_price"]), reduce_only=bool(row["reduce_only"]), client_id=row["client_id"],
        status=OrderStatus(row["status"]), filled=Decimal(row["filled"]), avg_price=_dec(row["avg_price"]),
        fee=Decimal(row["fee"]), venue_order_id=row["venue_order_id"], detail=row["detail"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


def trade_of(row: Mapping[str, Any], orders: Iterable[Order]) -> Trade:
    leg_b = Leg(row["b_venue"], row["b_market"], Side(row["b_side"])) if row["b_venue"] else None
    return Trade(
        id=row["id"], kind=Kind(row["kind"]), pair_id=row["pair_id"], policy=Policy(row["policy"]),
        state=row["state"], leg_a=Leg(row["a_venue"], row["a_market"], Side(row["a_side"])), leg_b=leg_b,
        intended=Decimal(row["intended"]), adopted=Decimal(row["adopted"]), orders=tuple(orders),
        created_at=row["created_at"], updated_at=row["updated_at"],
    )


def add(book: Book, venue: str, market: str, q: Decimal) -> None:
    markets = book.setdefault(venue, {})
    markets[market] = markets.get(market, ZERO) + q


def counts(order: Order, legacy_status: str | None) -> bool:
    """Whether an order's fills count in the expected positions: a closed legacy pair's legs were closed by
    the old bot at prices it never recorded, so they count for nothing."""
    return order.role != Role.LEGACY or legacy_status != "closed"


# --- what a pair's trades make of it (pure) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExecutionRow:
    """An execution (a filled order with a known price) as PnL counts it: the PnL it realised and its fee, at
    its time (the order's ``updated_at``: when its fill was last answered). Kept on the order's row."""

    order_id: int
    pair_id: int | None
    time: str
    realised: Decimal
    fee: Decimal


@dataclass(frozen=True, slots=True)
class PairState:
    status: str  # opening, open, closing, closed, void (its open trade hedged nothing)
    positions: Book  # what the pair holds per venue and market, residuals apart (no zero entries)
    residuals: Book  # left by its trades in state `residual`
    realised: Decimal
    fees: Decimal


def executions(pair_id: int | None, orders: Iterable[Order]) -> list[ExecutionRow]:
    """The executions among ``orders`` in time order, each with the PnL it realised: by average cost within its
    pair (``pnl.realise``). Outside any pair (a flatten trade, which adopted its position at no known price)
    only the fee counts. An order filled without a known price is no execution: it realises nothing and
    costs no known fee."""
    priced = sorted(((o, o.avg_price) for o in orders if o.filled and o.avg_price is not None),
                    key=lambda op: (op[0].updated_at, op[0].id))
    realised = pnl.realise(pnl.Execution(o.venue, o.market, o.signed_filled, price, o.fee, o.updated_at[:10])
                           for o, price in priced)
    return [ExecutionRow(o.id, pair_id, o.updated_at, r if pair_id is not None else ZERO, o.fee)
            for (o, _), (_, r) in zip(priced, realised, strict=True)]


def pair_state(pair_id: int, legacy_id: str | None, legacy_status: str | None, trades: Sequence[Trade],
               legacy_legs: Sequence[Order]) -> tuple[PairState, list[ExecutionRow]]:
    """A pair's status, holdings and PnL, and its executions, from its own trades and legacy legs."""
    orders = [o for t in trades for o in t.orders]
    if legacy_status != "closed":
        orders += legacy_legs
    positions: Book = {}
    residuals: Book = {}
    for o in orders:
        add(positions, o.venue, o.market, o.signed_filled)
    for t in trades:
        if t.state == "residual":
            q = t.quantities
            assert q.exposure_venue is not None and q.exposure_market is not None
            add(residuals, q.exposure_venue, q.exposure_market, q.residual)
            add(positions, q.exposure_venue, q.exposure_market, -q.residual)
    held = any(q != 0 for markets in positions.values() for q in markets.values())
    opener = next((t for t in trades if t.kind == Kind.OPEN), None)
    if any(not t.terminal for t in trades):
        status = "opening" if all(t.kind == Kind.OPEN for t in trades if not t.terminal) else "closing"
    elif legacy_id and legacy_status and not trades:
        status = legacy_status
    elif opener is not None and opener.quantities.hedged == 0 and not held:
        status = "void"
    else:
        status = "open" if held else "closed"
    execs = executions(pair_id, orders)
    result = pnl.PnL()
    for e in execs:
        result += pnl.PnL(e.realised, e.fee)
    if legacy_status == "closed":  # closed by the old bot at prices it never recorded: fees only
        result += pnl.PnL(ZERO, sum((o.fee for o in legacy_legs), ZERO))
    held_only = {v: {m: q for m, q in ms.items() if q} for v, ms in positions.items() if any(ms.values())}
    return PairState(status, held_only, residuals, result.realised, result.fees), execs


# --- keeping it current, inside the writer's transaction ---------------------------------------------------


def _book_json(book: Book) -> str:
    return json.dumps({v: {m: str(q) for m, q in ms.items()} for v, ms in book.items()})


def book_of(text: str | None) -> Book:
    return {v: {m: Decimal(q) for m, q in ms.items()} for v, ms in json.loads(text or "{}").items()}


def stored_pair(row: Mapping[str, Any]) -> PairState:
    return PairState(row["status"], book_of(row["positions"]), book_of(row["residuals"]),
                     Decimal(row["realised"] or "0"), Decimal(row["fees"] or "0"))


def _trades_where(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Trade]:
    """The trades ``where`` selects, with their orders, oldest first."""
    trade_rows = rows(conn, f"SELECT * FROM trades WHERE {where} ORDER BY id", params)
    if not trade_rows:
        return []
    orders: dict[int, list[Order]] = {r["id"]: [] for r in trade_rows}
    for r in rows(conn, f"SELECT * FROM orders WHERE trade_id IN (SELECT id FROM trades WHERE {where}) "
                        "ORDER BY id", params):
        orders[r["trade_id"]].append(order_of(r))
    return [trade_of(r, orders[r["id"]]) for r in trade_rows]


def refresh_pair(conn: sqlite3.Connection, pair_id: int, written: Trade | None = None) -> None:
    """Derive one pair again from its trades and legacy legs; store its row's cache and its orders' realised
    PnL. ``written`` is one of its trades exactly as just written, so that it is not read back."""
    (row,) = rows(conn, "SELECT legacy_id, legacy_status FROM pairs WHERE id = ?", [pair_id])
    trades = _trades_where(conn, "pair_id = ? AND id IS NOT ?", [pair_id, written.id if written else None])
    if written is not None:
        trades = sorted([*trades, written], key=lambda t: t.id)
    legacy = [order_of(r) for r in rows(conn, "SELECT * FROM orders WHERE pair_id = ? AND role = 'legacy' "
                                              "ORDER BY id", [pair_id])] if row["legacy_id"] else []
    state, execs = pair_state(pair_id, row["legacy_id"], row["legacy_status"], trades, legacy)
    _store_pair(conn, pair_id, state)
    _store_realised(conn, execs, conn.execute("SELECT id, realised FROM orders WHERE pair_id = ?", [pair_id]))


def refresh_unpaired(conn: sqlite3.Connection, trade: Trade) -> None:
    """A trade outside any pair (a flatten trade), as just written: store its orders' realised PnL."""
    _store_realised(conn, executions(None, trade.orders),
                    conn.execute("SELECT id, realised FROM orders WHERE trade_id = ?", [trade.id]))


def add_position(conn: sqlite3.Connection, venue: str, market: str, delta: Decimal) -> None:
    found = conn.execute("SELECT quantity FROM positions WHERE venue = ? AND market = ?", [venue, market]).fetchone()
    quantity = (Decimal(found[0]) if found else ZERO) + delta
    conn.execute("INSERT INTO positions (venue, market, quantity) VALUES (?, ?, ?) "
                 "ON CONFLICT(venue, market) DO UPDATE SET quantity = excluded.quantity", [venue, market, str(quantity)])


def _store_pair(conn: sqlite3.Connection, pair_id: int, s: PairState) -> None:
    conn.execute("UPDATE pairs SET status = ?, positions = ?, residuals = ?, realised = ?, fees = ? WHERE id = ?",
                 [s.status, _book_json(s.positions), _book_json(s.residuals), str(s.realised), str(s.fees), pair_id])


def _store_realised(conn: sqlite3.Connection, execs: Iterable[ExecutionRow],
                    current: Iterable[tuple[int, str | None]]) -> None:
    """Write each order's realised PnL where it changed: a figure for an execution, NULL for any other order
    (one whose fill a later 'not found' answered away becomes NULL again)."""
    want = {e.order_id: e.realised for e in execs}
    for order_id, have in current:
        realised = want.get(order_id)
        if (None if have is None else Decimal(have)) != realised:
            conn.execute("UPDATE orders SET realised = ? WHERE id = ?",
                         [None if realised is None else str(realised), order_id])


# --- from all history: the check and the backfill ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenState:
    positions: Book
    pairs: dict[int, PairState]
    executions: dict[int, ExecutionRow]  # by order id


def recompute(conn: sqlite3.Connection) -> OpenState:
    """The open state derived from all history, as the ledger computed it before it was kept: O(history)."""
    pair_rows = {r["id"]: r for r in rows(conn, "SELECT id, legacy_id, legacy_status FROM pairs")}
    positions: Book = {}
    legacy: dict[int, list[Order]] = {}
    for r in rows(conn, "SELECT * FROM orders ORDER BY id"):
        o = order_of(r)
        status = pair_rows[r["pair_id"]]["legacy_status"] if r["pair_id"] is not None else None
        if o.filled != 0 and counts(o, status):
            add(positions, o.venue, o.market, o.signed_filled)
        if o.role == Role.LEGACY:
            legacy.setdefault(r["pair_id"], []).append(o)
    for r in rows(conn, "SELECT venue, market, quantity FROM adjustments ORDER BY id"):
        add(positions, r["venue"], r["market"], Decimal(r["quantity"]))
    trades: dict[int | None, list[Trade]] = {}
    for t in _trades_where(conn, "1", []):
        trades.setdefault(t.pair_id, []).append(t)
    pairs = {}
    execs: dict[int, ExecutionRow] = {}
    for pid, p in pair_rows.items():
        pairs[pid], found = pair_state(pid, p["legacy_id"], p["legacy_status"], trades.get(pid, []),
                                       legacy.get(pid, []))
        execs.update((e.order_id, e) for e in found)
    for t in trades.get(None, []):  # flatten trades
        execs.update((e.order_id, e) for e in executions(None, t.orders))
    return OpenState(positions, pairs, execs)


def stored(conn: sqlite3.Connection) -> OpenState:
    """The open state as stored (reads every pair and execution: for checks, not for the engine's path)."""
    positions: Book = {}
    for r in rows(conn, "SELECT venue, market, quantity FROM positions"):
        add(positions, r["venue"], r["market"], Decimal(r["quantity"]))
    pairs = {r["id"]: stored_pair(r) for r in rows(conn, "SELECT * FROM pairs")}
    execs = {r["id"]: ExecutionRow(r["id"], r["pair_id"], r["updated_at"], Decimal(r["realised"]), Decimal(r["fee"]))
             for r in rows(conn, "SELECT id, pair_id, updated_at, realised, fee FROM orders "
                                 "WHERE realised IS NOT NULL")}
    return OpenState(positions, pairs, execs)


def _nonzero(book: Book) -> dict[tuple[str, str], Decimal]:
    return {(v, m): q for v, ms in book.items() for m, q in ms.items() if q}


def differences(conn: sqlite3.Connection) -> list[str]:
    """Where the stored open state departs from the one derived from all history; empty when they agree.
    A venue and market at zero counts as absent (a zero row stays once a position has been held)."""
    have, want = stored(conn), recompute(conn)
    out = []
    got, expected = _nonzero(have.positions), _nonzero(want.positions)
    for key in sorted(set(got) | set(expected)):
        if got.get(key, ZERO) != expected.get(key, ZERO):
            out.append(f"position {key[0]} {key[1]}: stored {got.get(key, ZERO)}, history {expected.get(key, ZERO)}")
    for pid in sorted(set(have.pairs) | set(want.pairs)):
        if have.pairs.get(pid) != want.pairs.get(pid):
            out.append(f"pair {pid}: stored {have.pairs.get(pid)}, history {want.pairs.get(pid)}")
    for oid in sorted(set(have.executions) | set(want.executions)):
        if have.executions.get(oid) != want.executions.get(oid):
            out.append(f"execution of order {oid}: stored {have.executions.get(oid)}, "
                       f"history {want.executions.get(oid)}")
    return out


def rebuild(conn: sqlite3.Connection) -> None:
    """Rewrite the whole open state from history (inside the caller's transaction)."""
    state = recompute(conn)
    conn.execute("DELETE FROM positions")
    for venue, markets in state.positions.items():
        for market, q in markets.items():
            conn.execute("INSERT INTO positions (venue, market, quantity) VALUES (?, ?, ?)", [venue, market, str(q)])
    for pid, s in state.pairs.items():
        _store_pair(conn, pid, s)
    conn.execute("UPDATE orders SET realised = NULL WHERE realised IS NOT NULL")
    _store_realised(conn, state.executions.values(), ((oid, None) for oid in state.executions))
