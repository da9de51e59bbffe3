"""What to do next with a trade: a pure function of the ledger's rows and the venues' answers.

The engine uses :func:`next_step` after every answer, and :func:`decide_resume` on start for each trade the
ledger shows in flight, with what each venue said about each unresolved client order id. No I/O here, and
nothing of ``pyarb.venues``: the answers are ``pyarb.model`` types.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pyarb.model import OrderState, fmt
from pyarb.trade import ZERO, OrderStatus, Trade, as_answer


class Action(enum.StrEnum):
    ASK = "ask"  # an order's outcome is unknown: ask the venue by client order id
    AWAIT = "await"  # an order is open at the venue: await its final answer
    HEDGE = "hedge"  # commit `hedge` with a new hedge order of `size` on leg B, then send it
    UNWIND = "unwind"  # commit `unwind` with a new reduce-only order of `size` against the exposure, then send it
    CONFIRM_FLAT = "confirm_flat"  # read the venue's position; once it confirms, commit `flatten`
    NONE = "none"  # the trade is terminal


@dataclass(frozen=True, slots=True)
class Step:
    """``triggers`` are to be committed now, in order, in one transition. Then ``action``; HEDGE and UNWIND
    go through the trigger of the same name with the new order (in the same commit, appended to
    ``triggers``, or in the next one)."""

    action: Action
    triggers: tuple[str, ...] = ()
    size: Decimal = ZERO
    venue: str | None = None
    client_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Resume:
    """The venues' answers to record (as the transition's order updates) and the step that follows."""

    trade_id: int
    answers: tuple[OrderState, ...]
    step: Step


def _min(min_sizes: Mapping[str, Decimal], venue: str | None) -> Decimal:
    return min_sizes.get(venue, ZERO) if venue else ZERO


def _after_exposure(trade: Trade, triggers: tuple[str, ...], min_sizes: Mapping[str, Decimal]) -> Step:
    """The trade is (or is about to be) orphaned or unwinding: unwind what is open, or record it as residual."""
    q = trade.quantities
    exposure = abs(q.open_exposure)
    where = f"{q.exposure_venue} {q.exposure_market}"
    if exposure == 0:
        return Step(Action.CONFIRM_FLAT, triggers, venue=q.exposure_venue,
                    reason=f"ledger shows the orphan unwound on {where}; confirm with the venue's position")
    floor = _min(min_sizes, q.exposure_venue)
    if exposure < floor:
        return Step(Action.NONE, (*triggers, "leave_residual"), venue=q.exposure_venue,
                    reason=f"open exposure {fmt(q.open_exposure)} on {where} is below the minimum order {fmt(floor)}")
    return Step(Action.UNWIND, triggers, size=exposure, venue=q.exposure_venue,
                reason=f"unwind the open exposure {fmt(q.open_exposure)} on {where}")


def next_step(trade: Trade, min_sizes: Mapping[str, Decimal] | None = None) -> Step:
    """The next step for ``trade`` as the ledger holds it. ``min_sizes`` maps a venue to its minimum order
    (absent: no minimum); below it a remainder can be neither hedged nor unwound, and is left as residual.

    On resume the hedge budget's clock is gone, so an unhedged remainder is hedged again: the fastest way
    back to no exposure. The engine may still orphan the trade instead when its budget says so.
    """
    mins = min_sizes or {}
    if trade.terminal:
        return Step(Action.NONE, reason=f"terminal: {trade.state}")
    unresolved = trade.unresolved
    if unresolved:
        ids = tuple(o.client_id for o in unresolved)
        if any(o.status == OrderStatus.OPEN for o in unresolved):
            return Step(Action.AWAIT, client_ids=ids, reason="an order is still open at the venue")
        return Step(Action.ASK, client_ids=ids, reason="an order's outcome is not known")

    q = trade.quantities
    state = trade.state
    b_venue = trade.leg_b.venue if trade.leg_b else None
    triggers: tuple[str, ...] = ()

    if state == "pending":
        if q.filled_a == 0 and q.filled_b == 0:
            return Step(Action.NONE, ("miss_leg_a",), reason="leg A never filled: no exposure")
        if q.filled_b > q.filled_a:  # concurrent: B filled more than A; the excess is the orphan on B's venue
            return _after_exposure(trade, ("orphan",), mins)
        triggers, state = ("fill_leg_a",), "leg_a_filled"

    if state in ("leg_a_filled", "hedging"):
        remainder = q.filled_a - q.filled_b
        if remainder == 0:
            # concurrent: leg B went out with A as hedge attempt 1 and matched it
            return Step(Action.NONE, (*triggers, *(("hedge",) if state == "leg_a_filled" else ()), "complete"),
                        reason=f"both legs filled {fmt(q.filled_a)}")
        if remainder > 0 and remainder >= _min(mins, b_venue):
            return Step(Action.HEDGE, triggers, size=remainder, venue=b_venue,
                        reason=f"hedge the {fmt(remainder)} of leg A's {fmt(q.filled_a)} not yet hedged")
        return _after_exposure(trade, (*triggers, "orphan"), mins)

    return _after_exposure(trade, triggers, mins)


def decide_resume(trade: Trade, answers: Mapping[str, OrderState],
                  min_sizes: Mapping[str, Decimal] | None = None) -> Resume:
    """The resume decision for one in-flight trade, given each venue's answer per client order id.

    Answers are needed only for the orders the ledger holds as unresolved; others are ignored. An
    unresolved order without an answer leads to ``ASK``.
    """
    relevant = tuple(answers[o.client_id] for o in trade.orders if o.client_id in answers and not o.resolved)
    after = trade.answered(as_answer(a) for a in relevant)
    return Resume(trade.id, relevant, next_step(after, min_sizes))
