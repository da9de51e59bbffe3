"""The one table of states and edges, its guards, and a trade's quantities (pure, plus every legal edge
driven through the ledger)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledger_scenarios import A, B, ORPHAN, PARTIAL, PRICE_B, SIZE, final, last, to_state

from pyarb.ledger import NewOrder
from pyarb.model import OrderNotFound, Side
from pyarb.trade import (
    EDGES,
    MACHINE,
    STATES,
    TERMINAL,
    TRIGGERS,
    IllegalTransition,
    Kind,
    Leg,
    Order,
    OrderAnswer,
    OrderStatus,
    Role,
    client_order_id,
    edge,
    quantities,
)

TABLE = {(trigger, source): dest for trigger, sources, dest, _ in EDGES for source in sources}


def test_the_table_is_the_machine_and_has_no_auto_transitions():
    assert MACHINE.auto_transitions is False
    assert set(MACHINE.states) == set(STATES)
    for (trigger, source), dest in TABLE.items():
        assert edge(source, trigger) == dest
    assert not any(MACHINE.get_triggers(s) for s in TERMINAL)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", sorted(TRIGGERS) + ["to_complete", "cancel"])
def test_an_edge_not_in_the_table_raises(state, trigger):
    if (trigger, state) in TABLE:
        return
    with pytest.raises(IllegalTransition, match="no edge"):
        edge(state, trigger)


# --- every legal edge, driven through the ledger --------------------------------------------------------
# Each case: (start state, policy, answers for the start's newest orders, trigger, new order size) -> dest.

def _concurrent_overfill(ledger):
    t = to_state(ledger, "pending", "concurrent")
    a, b = t.orders
    return ledger.transition(t.id, "orphan", "B filled, A did not",
                             order_updates=[final(a, D(0)), final(b, SIZE, PRICE_B)])


def _below_b_minimum(ledger):
    t = to_state(ledger, "pending")
    return ledger.transition(t.id, ["fill_leg_a", "orphan"], "A filled 0.0004, below paradex's minimum",
                             order_updates=[final(t.orders[0], D("0.0004"))])


def _hedge_again(ledger):
    t = to_state(ledger, "hedging")
    return ledger.transition(t.id, "hedge", "hedge the rest", order_updates=[final(last(t), PARTIAL, PRICE_B)],
                             new_order=NewOrder(ORPHAN, PRICE_B))


def _residual_from_hedging(ledger):
    t = to_state(ledger, "hedging")
    return ledger.transition(t.id, "leave_residual", "0.0004 below both minimums",
                             order_updates=[final(last(t), SIZE - D("0.0004"), PRICE_B)])


def _residual_from_orphaned(ledger):
    t = to_state(ledger, "hedging")
    t = ledger.transition(t.id, "orphan", "budget spent", order_updates=[final(last(t), D("0.0046"), PRICE_B)])
    return ledger.transition(t.id, "leave_residual", "0.0004 below edgex's minimum")


def _unwind_again(ledger):
    t = to_state(ledger, "unwinding")
    return ledger.transition(t.id, "unwind", "escalate", order_updates=[final(last(t), D("0.0002"))],
                             new_order=NewOrder(D("0.001"), D("121900")))


def _flatten_trade(ledger):
    return ledger.create_flatten("paradex", "BTC-USD-PERP", D("-0.0062"), "unexplained residual")


EDGE_CASES = {
    ("fill_leg_a", "pending"): lambda led: to_state(led, "leg_a_filled"),
    ("miss_leg_a", "pending"): lambda led: to_state(led, "unfilled"),
    ("orphan", "pending"): _concurrent_overfill,
    ("orphan", "leg_a_filled"): _below_b_minimum,
    ("orphan", "hedging"): lambda led: to_state(led, "orphaned"),
    ("hedge", "leg_a_filled"): lambda led: to_state(led, "hedging"),
    ("hedge", "hedging"): _hedge_again,
    ("complete", "hedging"): lambda led: to_state(led, "complete"),
    ("leave_residual", "hedging"): _residual_from_hedging,
    ("leave_residual", "orphaned"): _residual_from_orphaned,
    ("leave_residual", "unwinding"): lambda led: to_state(led, "residual"),
    ("unwind", "orphaned"): lambda led: to_state(led, "unwinding"),
    ("unwind", "unwinding"): _unwind_again,
    ("flatten", "unwinding"): lambda led: to_state(led, "flattened"),
}


def test_every_edge_of_the_table_has_a_case():
    assert set(EDGE_CASES) == set(TABLE)


@pytest.mark.parametrize("trigger, source", sorted(EDGE_CASES))
def test_every_legal_edge(ledger, trigger, source):
    trade = EDGE_CASES[(trigger, source)](ledger)
    history = ledger.transitions(trade.id)
    assert (history[-1].trigger, history[-1].from_state, history[-1].to_state) == (
        trigger, source, TABLE[(trigger, source)])
    assert ledger.trade(trade.id).state == TABLE[(trigger, source)]
    assert [h.seq for h in history] == list(range(1, len(history) + 1))


def test_flatten_trade_starts_orphaned_with_the_adopted_residual(ledger):
    t = _flatten_trade(ledger)
    assert [(h.from_state, h.to_state) for h in ledger.transitions(t.id)] == [(None, "pending"),
                                                                              ("pending", "orphaned")]
    q = t.quantities
    assert (q.exposure_venue, q.unhedged) == ("paradex", D("-0.0062"))
    t = ledger.transition(t.id, "unwind", "flatten it", new_order=NewOrder(D("0.0062"), D("123000")))
    order = last(t)
    assert (order.venue, order.side, order.reduce_only) == ("paradex", Side.BUY, True)
    t = ledger.transition(t.id, "flatten", "venue flat", order_updates=[final(order, D("0.0062"))])
    assert t.state == "flattened"
    # the adjustment and the unwind cancel out: the ledger expects what it expected before
    assert ledger.expected_positions()["paradex"]["BTC-USD-PERP"] == 0


# --- guards: the table's edge exists, but the quantities forbid it ----------------------------------


def test_complete_needs_equal_legs(ledger):
    t = to_state(ledger, "hedging")
    with pytest.raises(IllegalTransition, match="equal"):
        ledger.transition(t.id, "complete", "lie", order_updates=[final(last(t), PARTIAL, PRICE_B)])
    assert ledger.trade(t.id).state == "hedging"
    assert ledger.trade(t.id).orders[-1].status == OrderStatus.RECORDED  # the refused commit changed nothing


def test_complete_refused_while_the_hedge_is_unknown(ledger):
    t = to_state(ledger, "hedging")
    with pytest.raises(IllegalTransition):
        ledger.transition(t.id, "complete", "assume it filled")


def test_hedge_cannot_exceed_what_leg_a_filled(ledger):
    t = to_state(ledger, "leg_a_filled")
    with pytest.raises(IllegalTransition, match="hedge size"):
        ledger.transition(t.id, "hedge", "too much", new_order=NewOrder(SIZE + D("0.001"), PRICE_B))
    assert len(ledger.trade(t.id).orders) == 1


def test_no_new_hedge_while_an_earlier_one_is_unresolved(ledger):
    t = to_state(ledger, "hedging")
    with pytest.raises(IllegalTransition, match="resolved"):
        ledger.transition(t.id, "hedge", "send twice", new_order=NewOrder(SIZE, PRICE_B))
    assert len(ledger.trade(t.id).orders) == 2


def test_a_sequential_hedge_records_its_order(ledger):
    t = to_state(ledger, "leg_a_filled")
    with pytest.raises(IllegalTransition, match="records its order"):
        ledger.transition(t.id, "hedge", "no order")


def test_miss_leg_a_refused_when_something_filled(ledger):
    t = to_state(ledger, "pending", "concurrent")
    a, b = t.orders
    with pytest.raises(IllegalTransition):
        ledger.transition(t.id, "miss_leg_a", "A missed", order_updates=[final(a, D(0)), final(b, D("0.001"))])


def test_fill_leg_a_refused_without_a_fill(ledger):
    t = to_state(ledger, "pending")
    with pytest.raises(IllegalTransition):
        ledger.transition(t.id, "fill_leg_a", "no", order_updates=[OrderNotFound(t.orders[0].client_id)])


def test_flatten_refused_while_exposure_remains(ledger):
    t = to_state(ledger, "unwinding")
    with pytest.raises(IllegalTransition, match="exposure"):
        ledger.transition(t.id, "flatten", "premature", order_updates=[final(last(t), D("0.001"))])


def test_unwind_cannot_exceed_the_open_exposure(ledger):
    t = to_state(ledger, "orphaned")
    with pytest.raises(IllegalTransition, match="unwind size"):
        ledger.transition(t.id, "unwind", "too much", new_order=NewOrder(D("0.002"), D("1")))


def test_terminal_trades_take_no_edge(ledger):
    t = to_state(ledger, "complete")
    for trigger in sorted(TRIGGERS):
        with pytest.raises(IllegalTransition, match="no edge"):
            ledger.transition(t.id, trigger, "after the end")


# --- quantities ------------------------------------------------------------------------------------------


def _order(role, leg, filled, n=1):
    return Order(n, 1, role, 1, leg.venue, leg.market, leg.side, SIZE, D(1), False, f"c{n}", OrderStatus.FINAL,
                 D(filled), D(1), D(0), None, None, "", "")


def test_incident_partial_hedge_leaves_its_remainder_on_leg_a_venue():
    q = quantities(Kind.OPEN, SIZE, A, B, [_order(Role.LEG_A, A, "0.005", 1), _order(Role.HEDGE, B, "0.0038", 2)],
                   D(0), "hedging")
    assert (q.filled_a, q.filled_b, q.hedged) == (SIZE, PARTIAL, PARTIAL)
    assert (q.exposure_venue, q.exposure_market, q.unhedged, q.open_exposure) == ("edgex", "BTCUSD", ORPHAN, ORPHAN)


def test_concurrent_overfill_of_b_is_the_orphan_on_b_venue():
    q = quantities(Kind.OPEN, SIZE, A, B, [_order(Role.LEG_A, A, "0.003", 1), _order(Role.HEDGE, B, "0.005", 2)],
                   D(0), "pending")
    assert (q.exposure_venue, q.unhedged) == ("paradex", D("-0.002"))


def test_close_trade_exposure_is_what_the_other_leg_failed_to_close():
    sell_a, buy_b = Leg("edgex", "BTCUSD", Side.SELL), Leg("paradex", "BTC-USD-PERP", Side.BUY)
    q = quantities(Kind.CLOSE, SIZE, sell_a, buy_b,
                   [_order(Role.LEG_A, sell_a, "0.005", 1), _order(Role.HEDGE, buy_b, "0.002", 2)], D(0), "hedging")
    # paradex is still short the 0.003 its hedge did not buy back
    assert (q.exposure_venue, q.unhedged) == ("paradex", D("-0.003"))


def test_unwound_and_residual():
    orders = [_order(Role.LEG_A, A, "0.005", 1), _order(Role.HEDGE, B, "0.0038", 2),
              _order(Role.UNWIND, Leg("edgex", "BTCUSD", Side.SELL), "0.0005", 3)]
    q = quantities(Kind.OPEN, SIZE, A, B, orders, D(0), "residual")
    assert (q.unwound, q.open_exposure, q.residual) == (D("0.0005"), D("0.0007"), D("0.0007"))


@given(fa=st.integers(0, 50), fb=st.integers(0, 50), unwound=st.integers(0, 50),
       kind=st.sampled_from([Kind.OPEN, Kind.CLOSE]), side=st.sampled_from(list(Side)))
def test_quantities_account_for_every_lot(fa, fb, unwound, kind, side):
    lot = D("0.0001")
    a, b = Leg("edgex", "BTCUSD", side), Leg("paradex", "BTC-USD-PERP", side.opposite)
    unwound = min(unwound, abs(fa - fb))
    orders = [_order(Role.LEG_A, a, fa * lot, 1), _order(Role.HEDGE, b, fb * lot, 2)]
    if unwound:
        orders.append(_order(Role.UNWIND, a, unwound * lot, 3))
    q = quantities(kind, D(50) * lot, a, b, orders, D(0), "unwinding")
    assert q.hedged + abs(q.unhedged) == max(fa, fb) * lot
    assert abs(q.open_exposure) == abs(fa - fb) * lot - q.unwound
    if kind == Kind.OPEN:
        # BTC on one venue hedges BTC on the other: the exposure is the legs' net position
        assert q.unhedged == side.sign * fa * lot + side.opposite.sign * fb * lot


# --- orders and client ids ------------------------------------------------------------------------------


def test_client_order_ids_are_deterministic_short_and_plain():
    cid = client_order_id("3f9c1a7b2e4d", 123456789, Role.HEDGE, 12)
    assert cid == "pa3f9c1a-123456789-b12"
    assert re.fullmatch(r"[A-Za-z0-9-]{1,32}", cid)
    assert client_order_id("3f9c1a7b2e4d", 123456789, Role.HEDGE, 12) == cid


def test_a_final_answer_is_not_undone_by_a_late_unknown():
    o = _order(Role.LEG_A, A, "0.005")
    assert o.answered(OrderAnswer(o.client_id, OrderStatus.UNKNOWN, detail="late timeout")) == o


def test_a_late_sighting_supersedes_not_found():
    o = replace(_order(Role.LEG_A, A, "0"), status=OrderStatus.UNKNOWN)
    o = o.answered(OrderAnswer(o.client_id, OrderStatus.NOT_FOUND))
    assert (o.status, o.filled) == (OrderStatus.NOT_FOUND, 0)
    o = o.answered(OrderAnswer(o.client_id, OrderStatus.FINAL, D("0.005"), D("100")))
    assert (o.status, o.filled) == (OrderStatus.FINAL, D("0.005"))


def test_rejected_means_nothing_filled():
    o = replace(_order(Role.LEG_A, A, "0"), status=OrderStatus.RECORDED)
    o = o.answered(OrderAnswer(o.client_id, OrderStatus.REJECTED, detail="GATEWAY_INTERNAL_ERROR"))
    assert o.resolved and o.filled == 0 and o.detail == "GATEWAY_INTERNAL_ERROR"


def test_a_hedge_attempt_without_an_order_is_refused_once_hedging(ledger):
    t = to_state(ledger, "hedging", "concurrent")
    with pytest.raises(IllegalTransition, match="records its order"):
        ledger.transition(t.id, "hedge", "nothing sent")
