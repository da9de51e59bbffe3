"""Crash and resume: an engine SIGKILLed between a commit and the action it permits, in each non-terminal
state; the reopened ledger shows the last committed state, and the pure resume decision is right for each
venue answer. Restarting many times keeps every trade."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from ledger_scenarios import ORPHAN, PRICE_B, SIZE, to_state

from pyarb.ledger import Ledger, LedgerReader, NewOrder
from pyarb.model import OrderFinal, OrderNotFound, OrderOpen
from pyarb.resume import Action, decide_resume, next_step
from pyarb.trade import Trade

STUB = Path(__file__).with_name("engine_stub.py")


def answer(kind: str, order):
    cid = order.client_id
    return {
        "open": OrderOpen(cid, D(0), None),
        "final_fill": OrderFinal(cid, order.size, PRICE_B, D("0.02"), "FILLED"),
        "final_zero": OrderFinal(cid, D(0), None, D(0), "CANCELED"),
        "not_found": OrderNotFound(cid),
    }[kind]


ANSWERS = ["open", "final_fill", "final_zero", "not_found"]

# (state, policy) -> answer -> (triggers, action, size). The answer is given for every unresolved order.
EXPECTED = {
    ("pending", "sequential"): {
        "open": ((), Action.AWAIT, 0),
        "final_fill": (("fill_leg_a",), Action.HEDGE, SIZE),
        "final_zero": (("miss_leg_a",), Action.NONE, 0),
        "not_found": (("miss_leg_a",), Action.NONE, 0),
    },
    ("pending", "concurrent"): {
        "open": ((), Action.AWAIT, 0),
        "final_fill": (("fill_leg_a", "hedge", "complete"), Action.NONE, 0),
        "final_zero": (("miss_leg_a",), Action.NONE, 0),
        "not_found": (("miss_leg_a",), Action.NONE, 0),
    },
    # sequential: leg A is final, nothing to ask: hedge what it filled, whatever else is said
    ("leg_a_filled", "sequential"): {a: ((), Action.HEDGE, SIZE) for a in ANSWERS},
    ("leg_a_filled", "concurrent"): {
        "open": ((), Action.AWAIT, 0),
        "final_fill": (("hedge", "complete"), Action.NONE, 0),
        "final_zero": ((), Action.HEDGE, SIZE),
        "not_found": ((), Action.HEDGE, SIZE),
    },
    ("hedging", "sequential"): {
        "open": ((), Action.AWAIT, 0),
        "final_fill": (("complete",), Action.NONE, 0),
        "final_zero": ((), Action.HEDGE, SIZE),
        "not_found": ((), Action.HEDGE, SIZE),
    },
    ("orphaned", "sequential"): {a: ((), Action.UNWIND, ORPHAN) for a in ANSWERS},
    ("unwinding", "sequential"): {
        "open": ((), Action.AWAIT, 0),
        "final_fill": ((), Action.CONFIRM_FLAT, 0),
        "final_zero": ((), Action.UNWIND, ORPHAN),
        "not_found": ((), Action.UNWIND, ORPHAN),
    },
}
# what applying the decision leads to
AFTER = {Action.HEDGE: "hedging", Action.UNWIND: "unwinding", Action.CONFIRM_FLAT: "flattened"}


def answers_for(trade: Trade, kind: str) -> dict:
    return {o.client_id: answer(kind, o) for o in trade.orders if not o.resolved}


def apply(ledger: Ledger, trade: Trade, decision) -> Trade:
    """What an engine does with a resume decision (the venue confirming flat where asked)."""
    step = decision.step
    if step.action == Action.AWAIT:
        for a in decision.answers:
            ledger.record_order_answer(a)
        return ledger.trade(trade.id)
    if step.action == Action.CONFIRM_FLAT:
        return ledger.transition(trade.id, (*step.triggers, "flatten"), "venue confirms flat",
                                 order_updates=decision.answers)
    if step.action in (Action.HEDGE, Action.UNWIND):
        return ledger.transition(trade.id, (*step.triggers, step.action.value), step.reason,
                                 order_updates=decision.answers, new_order=NewOrder(step.size, PRICE_B))
    return ledger.transition(trade.id, step.triggers, step.reason, order_updates=decision.answers)


@pytest.mark.parametrize("state, policy", sorted(EXPECTED))
def test_decision_for_every_answer(tmp_path, state, policy):
    ledger = Ledger.open(tmp_path / "l.db")
    trade = to_state(ledger, state, policy)
    for kind in ANSWERS:
        decision = decide_resume(trade, answers_for(trade, kind))
        triggers, action, size = EXPECTED[(state, policy)][kind]
        assert (decision.step.triggers, decision.step.action, decision.step.size) == (triggers, action, size), kind
    ledger.close()


def test_an_unresolved_order_without_an_answer_is_asked_about(ledger):
    trade = to_state(ledger, "hedging")
    step = decide_resume(trade, {}).step
    assert step.action == Action.ASK and step.client_ids == (trade.orders[-1].client_id,)


def test_remainders_below_the_minimum_are_left_as_residual(ledger):
    trade = to_state(ledger, "unwinding")
    u = trade.orders[-1]
    decision = decide_resume(trade, {u.client_id: OrderFinal(u.client_id, D("0.0005"), D("122000"))},
                             min_sizes={"edgex": D("0.001")})
    assert decision.step.triggers == ("leave_residual",) and decision.step.action == Action.NONE
    assert apply(ledger, trade, decision).state == "residual"
    assert ledger.trade(trade.id).quantities.residual == D("0.0007")


def test_a_hedge_remainder_below_b_minimum_goes_to_unwind(ledger):
    trade = to_state(ledger, "pending")
    a = trade.orders[0]
    step = decide_resume(trade, {a.client_id: OrderFinal(a.client_id, D("0.0004"), D("1"))},
                         min_sizes={"paradex": D("0.001")}).step
    assert (step.triggers, step.action, step.size, step.venue) == (("fill_leg_a", "orphan"), Action.UNWIND,
                                                                   D("0.0004"), "edgex")


def test_terminal_trades_need_nothing(ledger):
    assert next_step(to_state(ledger, "complete")).action == Action.NONE


def _run_stub(db: Path, state: str, policy: str) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, str(STUB), str(db), state, policy], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError(f"engine stub failed: {proc.communicate()[1]}")
    return proc, json.loads(line)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()


@pytest.mark.parametrize("state, policy", sorted(EXPECTED))
def test_sigkill_between_commit_and_action(tmp_path, state, policy):
    db = tmp_path / "pyarb.db"
    proc, said = _run_stub(db, state, policy)
    try:
        # while it waits to act, it holds the writer lock: a second writer is refused, naming it
        with pytest.raises(Exception, match=f"process {proc.pid}"):
            Ledger.open(db)
    finally:
        _kill(proc)

    ledger = Ledger.open(db)  # the lock died with the process
    trade = ledger.trade(said["trade_id"])
    assert trade.state == state == said["state"]
    assert ledger.transitions(trade.id)[-1].to_state == state
    assert [o.client_id for o in trade.orders] == said["client_ids"]
    assert [t.id for t in ledger.in_flight()] == [trade.id]

    for kind in ANSWERS:
        decision = decide_resume(trade, answers_for(trade, kind))
        triggers, action, size = EXPECTED[(state, policy)][kind]
        assert (decision.step.triggers, decision.step.action, decision.step.size) == (triggers, action, size), kind
        # the decision is one the table and its guards accept: apply it to a copy of the ledger
        copy = tmp_path / f"copy-{kind}.db"
        ledger.backup(copy)
        resumed = Ledger.open(copy)
        after = apply(resumed, resumed.trade(trade.id), decision)
        if action == Action.NONE:
            assert after.terminal
        elif action == Action.AWAIT:  # the answer is recorded, the trade waits where it was
            assert after.state == state and after.unresolved[0].status == "open"
        else:
            assert after.state == AFTER[action]
        if action in (Action.HEDGE, Action.UNWIND):
            new = after.orders[-1]
            assert new.client_id not in said["client_ids"] and new.size == size  # a new attempt, a new id
        resumed.close()
    ledger.close()


def test_ten_restarts_keep_every_trade(tmp_path):
    db = tmp_path / "pyarb.db"
    states = ["pending", "hedging", "complete", "orphaned", "unwinding", "unfilled", "leg_a_filled",
              "flattened", "residual", "pending"]
    seen: dict[int, str] = {}
    ledger_ids = set()
    for state in states:
        proc, said = _run_stub(db, state, "sequential")
        _kill(proc)
        seen[said["trade_id"]] = said["state"]
        with LedgerReader.open_readonly(db) as reader:
            assert {t.id: t.state for t in reader.trades()} == seen
            ledger_ids.add(reader.ledger_id)
            history = {t.id: len(reader.transitions(t.id)) for t in reader.trades()}
            assert all(n >= 1 for n in history.values())
    assert len(seen) == 10
    assert len(ledger_ids) == 1  # never re-initialised
    with LedgerReader.open_readonly(db) as reader:
        prefix = f"pa{reader.ledger_id[:6]}-"
        assert all(o.client_id.startswith(prefix) for t in reader.trades() for o in t.orders)
