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
    if not priced:
        return []
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
        if o.filled:
            add(positions, o.venue, o.market, o.signed_filled)
    for t in trades:
        q = t.quantities if t.state == "residual" else None
        if q is not None and q.residual:  # a late answer can leave a residual trade with nothing open
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
    realised = sum((e.realised for e in execs), ZERO)
    fees = sum((e.fee for e in execs), ZERO)
    if legacy_status == "closed":  # closed by the old bot at prices it never recorded: fees only
        fees += sum((o.fee for o in legacy_legs), ZERO)
    held_only = {v: {m: q for m, q in ms.items() if q} for v, ms in positions.items() if any(ms.values())}
    return PairState(status, held_only, residuals, realised, fees), execs


# --- keeping it current, inside the writer's transaction ---------------------------------------------------


def _book_json(book: Book) -> str:
    if not book:
        return "{}"
    return json.dumps({v: {m: str(q) for m, q in ms.items()} for v, ms in book.items()})


def book_of(text: str | None) -> Book:
    return {v: {m: Decimal(q) for m, q in ms.items()} for v, ms in json.loads(text or "{}").items()}


def stored_pair(row: Mapping[str, Any]) -> PairState:
    return PairState(row["status"], book_of(row["positions"]), book_of(row["residuals"]),
                     Decimal(row["realised"] or "0"), Decimal(row["fees"] or "0"))


PAIR_COLUMNS = ("status", "positions", "residuals", "realised", "fees")
Columns = tuple[str | None, ...]  # a pair row's PAIR_COLUMNS, as stored


def _columns(s: PairState) -> Columns:
    return s.status, _book_json(s.positions), _book_json(s.residuals), str(s.realised), str(s.fees)


@dataclass(frozen=True, slots=True)
class PairRows:
    """A pair's rows as committed: what deriving its state again needs, and what is stored of it. The writer
    keeps these for the pairs its trades in flight belong to, so that a transition derives its pair without
    reading it back."""

    id: int
    legacy_id: str | None
    legacy_status: str | None
    trades: tuple[Trade, ...]  # oldest first
    legacy_legs: tuple[Order, ...]
    columns: Columns
    realised: Mapping[int, Decimal | None]  # each of its orders' stored realised PnL
    derived: bool  # whether what is stored was derived from these very trades (by :func:`derive_pair`)

    @classmethod
    def new(cls, pair_id: int) -> PairRows:
        """A pair row just inserted, with no trade yet."""
        return cls(pair_id, None, None, (), (), (None,) * len(PAIR_COLUMNS), {}, False)


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


def load_pair(conn: sqlite3.Connection, pair_id: int) -> PairRows | None:
    """A pair's rows as stored, or None if there is no such pair."""
    found = rows(conn, f"SELECT legacy_id, legacy_status, {', '.join(PAIR_COLUMNS)} FROM pairs WHERE id = ?",
                 [pair_id])
    if not found:
        return None
    row = found[0]
    legacy = tuple(order_of(r) for r in rows(conn, "SELECT * FROM orders WHERE pair_id = ? AND role = 'legacy' "
                                                   "ORDER BY id", [pair_id])) if row["legacy_id"] else ()
    realised = {oid: _dec(r) for oid, r in conn.execute("SELECT id, realised FROM orders WHERE pair_id = ?",
                                                         [pair_id])}
    return PairRows(pair_id, row["legacy_id"], row["legacy_status"],
                    tuple(_trades_where(conn, "pair_id = ?", [pair_id])), legacy,
                    tuple(row[c] for c in PAIR_COLUMNS), realised, False)


def _facts(t: Trade) -> tuple[Any, ...]:
    """What of a trade :func:`pair_state` reads: a change to anything else (an order sent, an unfilled order's
    answer, a move between states that are both in flight) cannot change its pair."""
    return (t.kind, t.terminal, t.state == "residual",
            tuple((o.id, o.venue, o.market, o.side, o.filled, o.avg_price, o.fee, o.updated_at)
                  for o in t.orders if o.filled))


Realised = dict[int, Decimal | None]  # order id -> its realised PnL: a figure for an execution, else None


def derive_pair(conn: sqlite3.Connection, pair: PairRows, written: Trade | None = None) -> tuple[PairRows, Realised]:
    """Derive a pair again from its trades and legacy legs, ``written`` (one of its trades exactly as just
    written, new or changed) among them, and store what changed of its row's cache; nothing to derive if
    ``written`` changed none of its :func:`_facts`. Returns its rows as they now are and its orders' realised
    PnL where it changed, for the caller to write with the order rows it writes (:func:`store_realised`)."""
    trades = pair.trades
    if written is not None:
        was = next((t for t in trades if t.id == written.id), None)
        trades = tuple(sorted([*(t for t in trades if t.id != written.id), written], key=lambda t: t.id))
        if pair.derived and was is not None and _facts(was) == _facts(written):
            return PairRows(pair.id, pair.legacy_id, pair.legacy_status, trades, pair.legacy_legs, pair.columns,
                            pair.realised, True), {}
    state, execs = pair_state(pair.id, pair.legacy_id, pair.legacy_status, trades, pair.legacy_legs)
    columns = _columns(state)
    changed = [(c, new) for c, new, old in zip(PAIR_COLUMNS, columns, pair.columns, strict=True) if new != old]
    if changed:  # only what changed: an unchanged status leaves its index alone
        conn.execute(f"UPDATE pairs SET {', '.join(f'{c} = ?' for c, _ in changed)} WHERE id = ?",
                     [*(v for _, v in changed), pair.id])
    have = {o.id: pair.realised.get(o.id) for o in (*(o for t in trades for o in t.orders), *pair.legacy_legs)}
    moved = _realised_changes(execs, have)
    return PairRows(pair.id, pair.legacy_id, pair.legacy_status, trades, pair.legacy_legs, columns,
                    {**have, **moved}, True), moved


def refresh_pair(conn: sqlite3.Connection, pair_id: int) -> None:
    """Derive one pair again from its stored trades and legacy legs, and store it."""
    pair = load_pair(conn, pair_id)
    assert pair is not None
    store_realised(conn, derive_pair(conn, pair)[1])


def derive_unpaired(conn: sqlite3.Connection, trade: Trade) -> Realised:
    """A trade outside any pair (a flatten trade), as just written: its orders' realised PnL where it changed,
    for the caller to write (:func:`store_realised`)."""
    return _realised_changes(executions(None, trade.orders),
                             {oid: _dec(r) for oid, r in conn.execute("SELECT id, realised FROM orders "
                                                                      "WHERE trade_id = ?", [trade.id])})


def _decimal_add(a: str, b: str) -> str:
    return str(Decimal(a) + Decimal(b))


def install(conn: sqlite3.Connection) -> None:
    """What the writer's statements here need of its connection: exact decimal addition in SQL."""
    conn.create_function("decimal_add", 2, _decimal_add, deterministic=True)


def add_position(conn: sqlite3.Connection, venue: str, market: str, delta: Decimal) -> None:
    """Move an expected position by ``delta``, in one statement (the connection is :func:`install`-ed)."""
    conn.execute("INSERT INTO positions (venue, market, quantity) VALUES (?, ?, ?) ON CONFLICT(venue, market) "
                 "DO UPDATE SET quantity = decimal_add(quantity, excluded.quantity)",
                 [venue, market, str(ZERO + delta)])


def text_of(value: Decimal | None) -> str | None:
    """A decimal as the ledger stores it (exact TEXT); None as NULL."""
    return None if value is None else str(value)


def _realised_changes(execs: Iterable[ExecutionRow], have: Mapping[int, Decimal | None]) -> Realised:
    """Each order's realised PnL where it departs from ``have``: a figure for an execution, None for any other
    order (one whose fill a later 'not found' answered away has none again)."""
    want = {e.order_id: e.realised for e in execs}
    return {oid: want.get(oid) for oid, stored in have.items() if stored != want.get(oid)}


def store_realised(conn: sqlite3.Connection, realised: Mapping[int, Decimal | None]) -> None:
    if realised:
        conn.executemany("UPDATE orders SET realised = ? WHERE id = ?",
                         [(text_of(r), oid) for oid, r in realised.items()])


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
        conn.execute(f"UPDATE pairs SET {' = ?, '.join(PAIR_COLUMNS)} = ? WHERE id = ?", [*_columns(s), pid])
    conn.execute("UPDATE orders SET realised = NULL WHERE realised IS NOT NULL")
    store_realised(conn, _realised_changes(state.executions.values(), dict.fromkeys(state.executions)))
