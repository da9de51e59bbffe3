"""The open state the ledger keeps current (expected positions, pairs, realised PnL): equal to the same
derived from all history after any mix of trades, migrated forward from a ledger the previous version wrote,
and read by the engine's queries through indexes only."""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_scenarios import PRICE_A, SIZE, A, B, final, last, to_state

from pyarb.ledger import (
    SCHEMA_VERSION,
    Ledger,
    LedgerReader,
    LedgerUnwritable,
    NewOrder,
    openstate,
    pnl,
    store,
)
from pyarb.model import OrderFinal, OrderNotFound, OrderOpen, Side
from pyarb.resume import Action, next_step
from pyarb.trade import Leg, OrderAnswer, OrderStatus, Trade

DATA = Path(__file__).parent / "data"
Q = D("0.0001")
MIN_SIZES = {"edgex": D("0.001"), "paradex": D("0.0005")}  # remainders below these are left as residual
MARKET = {"edgex": "BTCUSD", "paradex": "BTC-USD-PERP"}


# --- references computed straight from the history tables, independent of pyarb.ledger.openstate ----------


def positions_from_history(conn: sqlite3.Connection) -> dict[tuple[str, str], D]:
    """Every filled order (but a closed legacy pair's legs) and every adjustment, zero entries dropped."""
    book: dict[tuple[str, str], D] = {}
    for venue, market, side, filled, role, legacy_status in conn.execute(
            "SELECT o.venue, o.market, o.side, o.filled, o.role, p.legacy_status FROM orders o "
            "LEFT JOIN pairs p ON p.id = o.pair_id"):
        if not (role == "legacy" and legacy_status == "closed"):
            book[(venue, market)] = book.get((venue, market), D(0)) + Side(side).sign * D(filled)
    for venue, market, q in conn.execute("SELECT venue, market, quantity FROM adjustments"):
        book[(venue, market)] = book.get((venue, market), D(0)) + D(q)
    return {k: q for k, q in book.items() if q}


def pnl_by_day_from_history(conn: sqlite3.Connection) -> dict[str, pnl.PnL]:
    """The filled, priced orders grouped by pair, realised by average cost in time order within each pair
    (fees only outside any pair), counted on the day of each order's last answer."""
    groups: dict[int | None, list[tuple[str, int, pnl.Execution]]] = {}
    for oid, pair_id, venue, market, side, filled, price, fee, updated in conn.execute(
            "SELECT o.id, COALESCE(t.pair_id, o.pair_id), o.venue, o.market, o.side, o.filled, o.avg_price, o.fee, "
            "o.updated_at FROM orders o LEFT JOIN trades t ON t.id = o.trade_id "
            "LEFT JOIN pairs p ON p.id = COALESCE(t.pair_id, o.pair_id) "
            "WHERE NOT (o.role = 'legacy' AND p.legacy_status IS 'closed')"):
        if D(filled) and price is not None:
            e = pnl.Execution(venue, market, Side(side).sign * D(filled), D(price), D(fee), updated[:10])
            groups.setdefault(pair_id, []).append((updated, oid, e))
    days: dict[str, pnl.PnL] = {}
    for pair_id, executions in groups.items():
        for e, realised in pnl.realise(e for _, _, e in sorted(executions, key=lambda x: x[:2])):
            days[e.day] = days.get(e.day, pnl.PnL()) + pnl.PnL(realised if pair_id is not None else D(0), e.fee)
    return days


def assert_open_state_is_history(ledger: LedgerReader) -> None:
    assert ledger.verify_open_state() == []
    expected = ledger.expected_positions()
    kept = {(v, m): q for v, ms in expected.items() for m, q in ms.items() if q}
    assert kept == positions_from_history(ledger.conn)
    summed: dict[tuple[str, str], D] = {}
    for c in ledger.position_contributions():
        summed[(c.venue, c.market)] = summed.get((c.venue, c.market), D(0)) + c.quantity
    assert {k: q for k, q in summed.items() if q} == kept
    assert set(summed) <= {(v, m) for v, ms in expected.items() for m in ms}
    by_day = ledger.pnl_by_day()
    reference = pnl_by_day_from_history(ledger.conn)
    assert set(by_day) == set(reference)
    for day, value in reference.items():  # equal as numbers; sums of inexact averages may round in another order
        assert abs(by_day[day].realised - value.realised) < D("1e-18") and by_day[day].fees == value.fees
        assert ledger.daily_pnl(day) == by_day[day]
    assert [p.id for p in ledger.open_pairs()] == [p.id for p in ledger.pairs() if p.status in openstate.OPEN_STATUSES]


# --- a random mix of trades --------------------------------------------------------------------------------


class Clock:
    """UTC time moving on by a random step per commit, so that history crosses days."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.t = datetime(2025, 10, 4, 20, 0, tzinfo=UTC)

    def __call__(self) -> str:
        self.t += timedelta(minutes=self.rnd.choice([0, 1, 7, 90, 300]))
        return self.t.isoformat(timespec="microseconds")


def _price(venue: str, rnd: random.Random) -> D:
    return D(122400 if venue == "edgex" else 122380) + rnd.randint(-60, 60)


def _answer(order, rnd: random.Random):
    """What a venue says about an order: all, part or none of it filled; open now and then."""
    steps = int(order.size / Q)
    filled = Q * rnd.choice([0, steps, steps, rnd.randint(0, steps)])
    cid, price = order.client_id, _price(order.venue, rnd) if filled else None
    match rnd.randrange(6):
        case 0 if not filled:
            return OrderNotFound(cid)
        case 1:
            return OrderOpen(cid, filled, price, "v-open")
        case 2:
            return OrderAnswer(cid, OrderStatus.UNKNOWN, detail="timeout")
    return OrderFinal(cid, filled, price, D("0.01") * rnd.randint(0, 4), "FILLED")


def drive(ledger: Ledger, trade: Trade, rnd: random.Random, steps: int) -> Trade:
    """Up to ``steps`` commits of the engine's own decisions (``next_step``), with random venue answers."""
    for _ in range(steps):
        if trade.terminal:
            break
        step = next_step(trade, MIN_SIZES)
        venue = step.venue or trade.leg_a.venue
        match step.action:
            case Action.NONE:
                trade = ledger.transition(trade.id, step.triggers, step.reason)
            case Action.ASK | Action.AWAIT:
                answers = [_answer(trade.order(cid), rnd) for cid in step.client_ids]
                if rnd.random() < 0.3:  # as the executor records a send outcome on its own
                    for a in answers:
                        ledger.record_order_answer(a)
                    trade = ledger.trade(trade.id)
                else:
                    trade = ledger.transition(trade.id, (), "answers", order_updates=answers)
            case Action.HEDGE if rnd.random() < 0.25:
                trade = ledger.transition(trade.id, (*step.triggers, "orphan"), "hedge budget spent")
            case Action.HEDGE:
                trade = ledger.transition(trade.id, (*step.triggers, "hedge"), "hedge",
                                          new_order=NewOrder(step.size, _price(venue, rnd)))
            case Action.UNWIND:
                trade = ledger.transition(trade.id, (*step.triggers, "unwind"), "unwind",
                                          new_order=NewOrder(step.size, _price(venue, rnd)))
            case Action.CONFIRM_FLAT:
                trade = ledger.transition(trade.id, (*step.triggers, "flatten"), "venue flat")
    return trade


def _legacy_document(rnd: random.Random, n: int) -> str:
    records = []
    for i in range(rnd.randint(1, 3)):
        amount = Q * rnd.randint(10, 60)
        rec = {"id": f"pos_{1759625311842 + n * 10 + i}_r{n}x{i}", "status": rnd.choice(["open", "closing", "closed"]),
               "edgexSide": "buy", "paradexSide": "sell", "amount": str(amount), "edgexPrice": "122390.1",
               "paradexPrice": "122384.5"}
        if rnd.random() < 0.5:  # the hedge filled only partly, as in the incident
            rec["paradexFills"] = [{"id": f"f{n}{i}", "side": "sell", "size": str(amount - Q * rnd.randint(0, 9)),
                                    "price": "122384.4", "fee": "0.01"}]
        records.append(rec)
    return json.dumps({"positions": records, "lastUpdate": 1759631956012})


def _open(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    a, b = (A, B) if rnd.random() < 0.5 else (Leg("paradex", MARKET["paradex"], Side.SELL),
                                             Leg("edgex", MARKET["edgex"], Side.BUY))
    concurrent = rnd.random() < 0.3
    t = ledger.create_trade("open", a, b, Q * rnd.randint(5, 60), _price(a.venue, rnd),
                            _price(b.venue, rnd) if concurrent else None,
                            policy="concurrent" if concurrent else "sequential")
    in_flight.append(drive(ledger, t, rnd, rnd.choice([2, 12, 12])).id)


def _close(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    for pair in ledger.open_pairs():
        held = {v: sum(ms.values(), D(0)) for v, ms in pair.positions.items()}
        if pair.status != "open" or len(held) != 2 or held["edgex"] * held["paradex"] >= 0:
            continue
        size = min(abs(q) for q in held.values())
        legs = [Leg(v, MARKET[v], Side.SELL if q > 0 else Side.BUY) for v, q in sorted(held.items())]
        t = ledger.create_trade("close", legs[0], legs[1], size, _price("edgex", rnd), pair_id=pair.id)
        in_flight.append(drive(ledger, t, rnd, rnd.choice([2, 12, 12])).id)
        return


def _flatten(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    venue = rnd.choice(["edgex", "paradex"])
    t = ledger.create_flatten(venue, MARKET[venue], Q * rnd.choice([-30, -4, 7, 25]), "unexplained on the venue")
    in_flight.append(drive(ledger, t, rnd, rnd.choice([1, 8])).id)


def _resume(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    for tid in list(in_flight):
        if not ledger.trade(tid).terminal:
            drive(ledger, ledger.trade(tid), rnd, 12)
            return


def _adjust(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    venue = rnd.choice(["edgex", "paradex"])
    ledger.add_adjustment(venue, MARKET[venue], Q * rnd.randint(-20, 20), "reconcile --adopt")


def _legacy(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    text = _legacy_document(rnd, len(in_flight))
    ledger.import_legacy(text)
    if rnd.random() < 0.3:
        assert ledger.import_legacy(text).imported == []


@dataclass(frozen=True, slots=True)
class OrderFill:
    """A venue's fill, shaped as ``pyarb.venues.base.Fill`` (the ledger imports no venue)."""

    client_id: str | None
    market: str
    side: Side
    size: D
    price: D
    fee: D
    fill_id: str
    venue_order_id: str | None = None
    time_ms: int = 1759631955273


def _fills_and_stale_answers(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    """Details that must change nothing in the open state: venue fills, and late answers about final orders."""
    trades = ledger.trades(limit=3)
    orders = [o for t in trades for o in t.orders]
    fills = [OrderFill(o.client_id, o.market, o.side, o.filled, o.avg_price or D(1), D("0.01"), f"fill-{o.client_id}")
             for o in orders if o.filled]
    ledger.record_fills("edgex", fills + [OrderFill(None, "BTCUSD", Side.BUY, Q, D(1), D(0), f"ext-{len(orders)}")])
    for o in orders:
        if o.status == OrderStatus.FINAL:
            ledger.record_order_answer(OrderAnswer(o.client_id, OrderStatus.UNKNOWN, detail="late duplicate"))


def _late_correction(ledger: Ledger, rnd: random.Random, in_flight: list[int]) -> None:
    """A venue's later final word on an order that was final already, with another fill and price: it moves
    the order to the end of its pair's history, so the PnL its pair's later executions realised changes too."""
    finals = [o for t in ledger.trades() for o in t.orders if o.status == OrderStatus.FINAL and o.filled]
    if finals:
        o = rnd.choice(finals)
        filled = max(o.filled - Q * rnd.randint(0, 3), Q)
        ledger.record_order_answer(OrderFinal(o.client_id, filled, _price(o.venue, rnd), o.fee, "FILLED"))


OPS = [_open, _open, _open, _close, _close, _flatten, _resume, _adjust, _legacy, _fills_and_stale_answers,
       _late_correction]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=16), rnd=st.randoms(use_true_random=False))
def test_the_kept_open_state_equals_all_history_after_any_mix_of_trades(ops, rnd):
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(store, "_now", Clock(rnd)):
        ledger = Ledger.open(Path(tmp) / "pyarb.db", synchronous="OFF")
        try:
            in_flight: list[int] = []
            for op in ops:
                op(ledger, rnd, in_flight)
                assert ledger.verify_open_state() == [], op.__name__
            assert_open_state_is_history(ledger)
        finally:
            ledger.close()
        with LedgerReader.open_readonly(Path(tmp) / "pyarb.db") as reader:  # what a reader sees, too
            assert_open_state_is_history(reader)


def test_an_order_whose_fill_is_answered_away_leaves_the_positions_and_the_pnl(ledger):
    t = to_state(ledger, "pending")
    cid = t.orders[0].client_id
    ledger.record_order_answer(OrderOpen(cid, D("0.002"), PRICE_A))
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": D("0.002")}}
    executions = "SELECT COUNT(*) FROM orders WHERE realised IS NOT NULL"
    assert ledger.daily_pnl().fees == 0 and ledger.conn.execute(executions).fetchone() == (1,)
    ledger.record_order_answer(OrderNotFound(cid))  # the venue's later word: never created
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": D(0)}}
    assert ledger.conn.execute(executions).fetchone() == (0,)
    assert_open_state_is_history(ledger)


def test_what_changes_no_fill_leaves_the_pair_as_it_is_without_deriving_it(ledger):
    t = to_state(ledger, "leg_a_filled")
    with mock.patch.object(openstate, "pair_state", wraps=openstate.pair_state) as derived:
        t = ledger.transition(t.id, "hedge", "hedge", new_order=NewOrder(SIZE, D(122380)))
        ledger.record_order_answer(OrderAnswer(last(t).client_id, OrderStatus.UNKNOWN, detail="timeout"))
        t = ledger.transition(t.id, "hedge", "hedge again", order_updates=[final(last(t), D(0))],
                              new_order=NewOrder(SIZE, D(122370)))
    assert derived.call_count == 0
    assert (ledger.pair(t.pair_id).status, ledger.pair(t.pair_id).positions) == ("opening", {"edgex": {"BTCUSD": SIZE}})
    ledger.transition(t.id, "complete", "hedged", order_updates=[final(last(t), SIZE, D(122370))])
    assert ledger.pair(t.pair_id).status == "open"
    assert_open_state_is_history(ledger)


def test_a_late_answer_about_one_trade_of_a_pair_counts_for_its_other_trade_in_flight(ledger):
    opened = to_state(ledger, "complete")
    close = ledger.create_trade("close", Leg("edgex", "BTCUSD", Side.SELL), Leg("paradex", "BTC-USD-PERP", Side.BUY),
                                SIZE, D(122500), pair_id=opened.pair_id)
    # the venue's corrected word on the opening leg A, while the close trade is in flight
    ledger.record_order_answer(OrderFinal(opened.orders[0].client_id, D("0.004"), PRICE_A, D("0.02"), "FILLED"))
    close = ledger.transition(close.id, ("fill_leg_a", "hedge"), "closed A",
                              order_updates=[final(close.orders[0], SIZE, D(122500))],
                              new_order=NewOrder(SIZE, D(122450)))
    ledger.transition(close.id, "complete", "closed B", order_updates=[final(last(close), SIZE, D(122450))])
    assert ledger.pair(opened.pair_id).positions == {"edgex": {"BTCUSD": D("-0.001")}}
    assert_open_state_is_history(ledger)


def test_an_answer_about_a_legacy_leg_keeps_the_open_state(ledger):
    ledger.import_legacy((DATA / "positions_incident.json").read_text())
    for pair in ledger.pairs():
        (leg, *_) = [o for o in ledger.conn.execute("SELECT client_id, venue FROM orders WHERE pair_id = ?", [pair.id])]
        ledger.record_order_answer(OrderFinal(leg[0], D("0.001"), D(122000), D("0.05")))
    # the closed records' legs still count for nothing; the open one's edgex leg now says 0.001
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": D("0.001")}, "paradex": {"BTC-USD-PERP": D("-0.0038")}}
    assert_open_state_is_history(ledger)


# --- contributions -------------------------------------------------------------------------------------------


def test_contributions_list_open_state_and_residuals_and_still_sum_to_the_positions(ledger):
    closed = to_state(ledger, "complete")
    close = ledger.create_trade("close", Leg("edgex", "BTCUSD", Side.SELL), Leg("paradex", "BTC-USD-PERP", Side.BUY),
                                SIZE, D(122500), pair_id=closed.pair_id)
    close = ledger.transition(close.id, ("fill_leg_a", "hedge"), "closed A",
                              order_updates=[final(close.orders[0], SIZE, D(122500))],
                              new_order=NewOrder(SIZE, D(122450)))
    close = ledger.transition(close.id, "orphan", "hedge short", order_updates=[final(last(close), D("0.0046"))])
    close = ledger.transition(close.id, "unwind", "unwind", new_order=NewOrder(D("0.0004"), D(122450)))
    ledger.transition(close.id, "leave_residual", "below the minimum",
                      order_updates=[final(last(close), D("0.0001"))])
    held = to_state(ledger, "complete")
    flat = ledger.create_flatten("paradex", "BTC-USD-PERP", D("-0.002"), "unexplained")
    flat = ledger.transition(flat.id, "unwind", "flatten", new_order=NewOrder(D("0.002"), D(123000)))
    ledger.transition(flat.id, "flatten", "flat", order_updates=[final(last(flat), D("0.002"))])
    ledger.add_adjustment("edgex", "BTCUSD", D("0.001"), "reconcile --adopt")
    assert ledger.pair(closed.pair_id).status == "closed"
    lines = ledger.position_contributions()
    # the closed pair shows only its residual; the finished flatten trade nets to nothing
    assert [(c.source, c.trade_id, c.quantity) for c in lines] == [
        ("order", held.id, SIZE), ("order", held.id, -SIZE), ("residual", close.id, D("-0.0003")),
        ("adjustment", None, D("0.001"))]
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": SIZE + D("0.001")},
                                           "paradex": {"BTC-USD-PERP": -SIZE - D("0.0003")}}
    assert_open_state_is_history(ledger)


def test_record_fills_keeps_a_trades_fills_in_one_commit(ledger):
    t = to_state(ledger, "complete")
    statements: list[str] = []
    ledger.conn.set_trace_callback(statements.append)
    fills = [OrderFill(o.client_id, o.market, o.side, o.filled, o.avg_price, o.fee, f"f{o.id}") for o in t.orders]
    assert ledger.record_fills("paradex", [*fills, OrderFill(None, "BTC-USD-PERP", Side.SELL, Q, D(1), D(0), "")]) == 3
    ledger.conn.set_trace_callback(None)
    assert [s for s in statements if s.split()[0] in ("BEGIN", "COMMIT")] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert ledger.record_fills("paradex", fills) == 0  # seen before: nothing added
    assert [f.fill_id for f in ledger.fills(trade_id=t.id)] == [f"f{o.id}" for o in t.orders]
    assert [(f.fill_id, f.client_id) for f in ledger.fills(external=True)] == [(None, None)]


# --- the engine's queries read the open state through indexes -------------------------------------------------

OPEN_STATE_TABLES = ("positions",)  # one row per venue and market: read whole
PARTIAL_INDEXES = ("idx_trades_unpaired_carrying",)  # holding only open state: read whole


def _plans(ledger: Ledger, call) -> list[str]:
    statements: list[str] = []
    ledger.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        ledger.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            plans += [f"{row[3]}  <-  {sql}" for row in ledger.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return plans


def test_the_engines_queries_and_commits_never_scan_history(ledger):
    for state in ("complete", "flattened", "residual", "unfilled", "hedging", "orphaned") * 3:
        to_state(ledger, state)
    ledger.import_legacy((DATA / "positions_incident.json").read_text())
    flat = ledger.create_flatten("edgex", "BTCUSD", D("0.003"), "unexplained")
    pair = ledger.open_pairs()[0]
    calls = {
        "open_pairs": ledger.open_pairs, "expected_positions": ledger.expected_positions,
        "daily_pnl": ledger.daily_pnl, "position_contributions": ledger.position_contributions,
        "residuals": ledger.residuals, "knows_client_id": lambda: ledger.knows_client_id("pa-1-a1"),
        "trade": lambda: [ledger.trade(tid) for tid in pair.trade_ids], "in_flight": ledger.in_flight,
        "a trade's commits": lambda: to_state(ledger, "complete"),
        "a flatten trade's commit": lambda: ledger.transition(flat.id, "unwind", "flatten",
                                                              new_order=NewOrder(D("0.003"), D(121000))),
        "a close trade": lambda: ledger.create_trade("close", Leg("edgex", "BTCUSD", Side.SELL),
                                                     Leg("paradex", "BTC-USD-PERP", Side.BUY), SIZE, D(122500),
                                                     pair_id=pair.id),
        "an answer": lambda: ledger.record_order_answer(OrderAnswer(last(ledger.trade(flat.id)).client_id,
                                                                    OrderStatus.UNKNOWN)),
        "record_fills": lambda: ledger.record_fills("edgex", [OrderFill("x", "BTCUSD", Side.BUY, Q, D(1), D(0), "z")]),
    }
    for name, call in calls.items():
        plans = _plans(ledger, call)
        assert plans, name
        scans = [p for p in plans if p.startswith("SCAN") and p.split()[1] not in OPEN_STATE_TABLES
                 and not any(f"USING INDEX {i} " in p for i in PARTIAL_INDEXES)]
        assert scans == [], name


# --- migrating a ledger the previous version wrote ------------------------------------------------------------


def _v2_ledger(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "ledger_v2.sql").read_text())
    conn.close()


def _books(book: dict) -> dict:
    return {v: {m: D(q) for m, q in ms.items()} for v, ms in book.items()}


def test_a_ledger_written_by_the_previous_version_migrates_with_the_same_answers(db_path):
    _v2_ledger(db_path)
    old = json.loads((DATA / "ledger_v2_expected.json").read_text())
    assert sqlite3.connect(db_path).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    ledger = Ledger.open(db_path)
    try:
        assert ledger.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),)
        assert_open_state_is_history(ledger)
        assert ledger.expected_positions() == _books(old["expected_positions"])
        pairs = {str(p.id): p for p in ledger.pairs()}
        assert set(pairs) == set(old["pairs"])
        for pid, was in old["pairs"].items():
            p = pairs[pid]
            assert (p.status, list(p.trade_ids), p.positions, p.residuals, p.realised, p.fees) == (
                was["status"], was["trade_ids"], _books(was["positions"]), _books(was["residuals"]),
                D(was["realised"]), D(was["fees"])), pid
        assert [p.id for p in ledger.open_pairs()] == old["open_pairs"]
        assert {d: [v.realised, v.fees] for d, v in ledger.pnl_by_day().items()} == {
            d: [D(r), D(f)] for d, (r, f) in old["pnl_by_day"].items()}
        assert [t.id for t in ledger.residuals()] == old["residual_trades"]
        assert [t.id for t in ledger.in_flight()] == old["in_flight"]
        # and it goes on trading, the open state kept current from there
        hedging = ledger.trade(8)
        ledger.transition(hedging.id, "complete", "hedge filled",
                          order_updates=[final(last(hedging), SIZE, D(122380))])
        assert ledger.pair(hedging.pair_id).status == "open"
        to_state(ledger, "residual")
        assert_open_state_is_history(ledger)
    finally:
        ledger.close()


def test_a_reader_migrates_the_previous_versions_ledger_when_no_engine_holds_it(db_path):
    _v2_ledger(db_path)
    with LedgerReader.open_readonly(db_path) as reader:
        assert reader.verify_open_state() == []
        assert [p.id for p in reader.open_pairs()] == json.loads(
            (DATA / "ledger_v2_expected.json").read_text())["open_pairs"]


def test_a_failed_backfill_rolls_the_whole_migration_back(db_path, monkeypatch):
    _v2_ledger(db_path)
    before = sqlite3.connect(db_path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()

    def broken(conn):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(openstate, "rebuild", broken)
    with pytest.raises(LedgerUnwritable, match="rolled back"):
        Ledger.open(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    monkeypatch.undo()
    Ledger.open(db_path).close()  # and the next open migrates it


def test_positions_verify_checks_the_kept_state_against_history(ledger, db_path):
    from click.testing import CliRunner

    from pyarb.cli import main

    to_state(ledger, "residual")
    out = CliRunner().invoke(main, ["positions", "--verify", "--db", str(db_path)])
    assert out.exit_code == 0 and "verified" in out.output, out.output
    ledger.conn.execute("UPDATE positions SET quantity = '1' WHERE venue = 'edgex'")  # a drifted cache
    out = CliRunner().invoke(main, ["positions", "--verify", "--json", "--db", str(db_path)])
    assert out.exit_code == 1 and "position edgex BTCUSD: stored 1, history 0.0045" in out.output, out.output


def test_a_late_answer_that_closes_a_residual_trade_is_recorded_without_error(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.db")
    try:
        t = to_state(ledger, "residual")
        hedge = next(o for o in t.orders if o.role.value == "hedge")
        ledger.record_order_answer(final(hedge, SIZE))  # the venue now reports the hedge filled in full
        after = ledger.trade(t.id)
        assert after.state == "residual" and after.quantities.residual == 0
        assert ledger.verify_open_state() == []
        assert sum(c.quantity for c in ledger.position_contributions() if c.venue == A.venue) == \
            ledger.expected_positions()[A.venue][A.market]
    finally:
        ledger.close()
