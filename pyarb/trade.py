"""A trade: one two-legged execution, and THE one table of its states and edges.

Leg A goes first (sequential policy) or with leg B (concurrent policy); leg B is the hedge. What a leg did is
known only from its orders' answers, so every quantity here is computed from the orders, never remembered.

Everything in this module is pure: the ledger (``pyarb.ledger``) stores trades and commits each transition
before the action it permits; the engine asks :func:`next_state` and ``pyarb.resume`` what comes next.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from transitions import Machine

from pyarb.model import OrderFinal, OrderNotFound, OrderOpen, OrderRequest, Side, fmt

ZERO = Decimal(0)


class Kind(enum.StrEnum):
    OPEN = "open"  # opens a pair
    CLOSE = "close"  # closes a pair; its legs are reduce-only
    FLATTEN = "flatten"  # reconciliation: closes an unexplained residual on one venue, reduce-only


class Policy(enum.StrEnum):
    SEQUENTIAL = "sequential"  # leg B is sent only for what leg A filled
    CONCURRENT = "concurrent"  # both legs at once


class Role(enum.StrEnum):
    LEG_A = "leg_a"
    HEDGE = "hedge"  # leg B; in the concurrent policy its first attempt goes out with leg A
    UNWIND = "unwind"
    LEGACY = "legacy"  # a leg imported from the old bot's positions.json; never sent by pyarb


# One letter per role in the client order id.
ROLE_CODE = {Role.LEG_A: "a", Role.HEDGE: "b", Role.UNWIND: "u"}


class OrderStatus(enum.StrEnum):
    RECORDED = "recorded"  # in the ledger; may or may not have been sent
    ACCEPTED = "accepted"
    UNKNOWN = "unknown"  # transport error or timeout: ask the venue
    OPEN = "open"
    FINAL = "final"
    REJECTED = "rejected"  # the venue refused; nothing was created
    RATE_LIMITED = "rate_limited"  # refused for a rate limit; nothing was created
    NOT_FOUND = "not_found"  # the venue has no such order: it was never created


# What is known for good: the order's filled quantity will not change any more.
RESOLVED = frozenset({OrderStatus.FINAL, OrderStatus.REJECTED, OrderStatus.RATE_LIMITED, OrderStatus.NOT_FOUND})
# A venue's word that nothing exists or executed; a later sighting of the order (open or final) supersedes it.
NOTHING_CREATED = frozenset({OrderStatus.REJECTED, OrderStatus.RATE_LIMITED, OrderStatus.NOT_FOUND})


# --- the one table -----------------------------------------------------------------------------------

STATES = ["pending", "leg_a_filled", "hedging", "complete", "unfilled", "orphaned", "unwinding", "flattened",
          "residual"]
TERMINAL = frozenset({"complete", "unfilled", "flattened", "residual"})


@dataclass(frozen=True, slots=True)
class Check:
    """What a guard sees: the source state, the trade's quantities once the transition's order answers are
    applied, whether its orders are resolved, and the size of the order the transition records (None if it
    records none)."""

    state: str
    q: Quantities
    all_resolved: bool
    leg_a_resolved: bool
    hedge_orders: int
    new_order_size: Decimal | None


def _g_fill_leg_a(c: Check) -> str | None:
    if not c.leg_a_resolved or c.q.filled_a <= 0:
        return "leg A must be final with a filled quantity"
    return None


def _g_miss_leg_a(c: Check) -> str | None:
    if not c.all_resolved or c.q.filled_a != 0 or c.q.filled_b != 0:
        return "every order must be resolved with nothing filled"
    return None


def _g_orphan(c: Check) -> str | None:
    if not c.all_resolved or c.q.open_exposure == 0:
        return "an orphan needs resolved orders and open exposure"
    return None


def _g_hedge(c: Check) -> str | None:
    if c.new_order_size is None:  # only into hedging, when the concurrent leg B went out as hedge attempt 1
        return None if c.hedge_orders and c.state == "leg_a_filled" else "a hedge attempt records its order"
    if not c.all_resolved:
        return "a new hedge waits until every earlier order is resolved"
    remainder = c.q.filled_a - c.q.filled_b
    if not 0 < c.new_order_size <= remainder:
        return f"hedge size {c.new_order_size} must be in (0, {remainder}], the unhedged part of leg A"
    return None


def _g_complete(c: Check) -> str | None:
    if not c.all_resolved or c.q.filled_a <= 0 or c.q.filled_a != c.q.filled_b:
        return "complete needs both legs resolved, filled and equal"
    return None


def _g_leave_residual(c: Check) -> str | None:
    if not c.all_resolved or c.q.open_exposure == 0:
        return "a residual needs resolved orders and open exposure"
    return None


def _g_unwind(c: Check) -> str | None:
    if c.new_order_size is None:
        return "an unwind attempt records its order"
    if not c.all_resolved:
        return "a new unwind waits until every earlier order is resolved"
    if not 0 < c.new_order_size <= abs(c.q.open_exposure):
        return f"unwind size {c.new_order_size} must be in (0, {abs(c.q.open_exposure)}], the open exposure"
    return None


def _g_flatten(c: Check) -> str | None:
    if not c.all_resolved or c.q.open_exposure != 0:
        return "flattened needs every unwind resolved and no open exposure left"
    return None


Guard = Callable[[Check], "str | None"]

# trigger, sources, dest, guard (returns why not, or None)
EDGES: list[tuple[str, list[str], str, Guard]] = [
    ("fill_leg_a", ["pending"], "leg_a_filled", _g_fill_leg_a),
    ("miss_leg_a", ["pending"], "unfilled", _g_miss_leg_a),
    # pending: the concurrent leg B filled more than A, or a flatten trade's start; leg_a_filled: what A filled
    # cannot be hedged at all (below B's minimum); hedging: the hedge budget is spent.
    ("orphan", ["pending", "leg_a_filled", "hedging"], "orphaned", _g_orphan),
    ("hedge", ["leg_a_filled", "hedging"], "hedging", _g_hedge),
    ("complete", ["hedging"], "complete", _g_complete),
    ("leave_residual", ["hedging", "orphaned", "unwinding"], "residual", _g_leave_residual),
    ("unwind", ["orphaned", "unwinding"], "unwinding", _g_unwind),
    # only once the venue's own position confirms it: the engine checks before it asks
    ("flatten", ["unwinding"], "flattened", _g_flatten),
]
GUARDS: dict[str, Guard] = {trigger: guard for trigger, _, _, guard in EDGES}
TRIGGERS = frozenset(GUARDS)
# The trigger whose transition records a new order, and the order's role.
ORDER_ROLE = {"hedge": Role.HEDGE, "unwind": Role.UNWIND}

MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=[{"trigger": t, "source": s, "dest": d} for t, s, d, _ in EDGES],
    initial="pending",
    auto_transitions=False,
)


class IllegalTransition(Exception):
    """An edge that is not in the table, or one whose guard does not hold."""


def edge(state: str, trigger: str) -> str:
    """The destination of ``trigger`` from ``state``; raises :class:`IllegalTransition` if the table has no
    such edge."""
    found = MACHINE.get_transitions(trigger=trigger, source=state) if trigger in TRIGGERS else []
    if not found:
        allowed = (", ".join(MACHINE.get_triggers(state)) or "none: terminal") if state in STATES else "unknown state"
        raise IllegalTransition(f"no edge {trigger!r} from {state!r} (allowed: {allowed})")
    return found[0].dest


def next_state(state: str, trigger: str, check: Check) -> str:
    """The table's destination, once the edge's guard holds."""
    dest = edge(state, trigger)
    why_not = GUARDS[trigger](check)
    if why_not:
        raise IllegalTransition(f"{trigger!r} from {state!r} refused: {why_not} ({check.q.describe()})")
    return dest


# --- legs, orders and quantities -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leg:
    venue: str
    market: str
    side: Side


@dataclass(frozen=True, slots=True)
class OrderAnswer:
    """What became of an order, in the ledger's terms: a send outcome (accepted, rejected, rate-limited,
    unknown) or a venue's answer about it. ``None`` fields are not known by this answer."""

    client_id: str
    status: OrderStatus
    filled: Decimal | None = None
    avg_price: Decimal | None = None
    fee: Decimal | None = None
    venue_order_id: str | None = None
    detail: str | None = None


Answer = OrderAnswer | OrderOpen | OrderFinal | OrderNotFound


def as_answer(answer: Answer) -> OrderAnswer:
    """A venue's answer about an order (``pyarb.model``) as an :class:`OrderAnswer`."""
    match answer:
        case OrderAnswer():
            return answer
        case OrderOpen():
            return OrderAnswer(answer.client_id, OrderStatus.OPEN, answer.filled, answer.avg_price, None,
                               answer.venue_order_id)
        case OrderFinal():
            return OrderAnswer(answer.client_id, OrderStatus.FINAL, answer.filled, answer.avg_price, answer.fee,
                               answer.venue_order_id, answer.status or None)
        case OrderNotFound():
            return OrderAnswer(answer.client_id, OrderStatus.NOT_FOUND, ZERO)
    raise TypeError(f"not an order answer: {answer!r}")


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    trade_id: int | None
    role: Role
    attempt: int
    venue: str
    market: str
    side: Side
    size: Decimal
    limit_price: Decimal | None
    reduce_only: bool
    client_id: str
    status: OrderStatus
    filled: Decimal
    avg_price: Decimal | None
    fee: Decimal
    venue_order_id: str | None
    detail: str | None
    created_at: str
    updated_at: str

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED

    @property
    def signed_filled(self) -> Decimal:
        return self.side.sign * self.filled

    def answered(self, answer: OrderAnswer, at: str | None = None) -> Order:
        """This order once ``answer`` is known; ``at``, when given, is the time of the answer, which becomes the
        order's ``updated_at`` if the answer changes it. A final order stays final except by another final answer
        (a stale 'accepted' or 'unknown' arriving late changes nothing); a venue's sighting of the order
        supersedes an earlier 'never created'."""
        if self.status == OrderStatus.FINAL and answer.status != OrderStatus.FINAL:
            return self
        if self.status in NOTHING_CREATED and answer.status not in (OrderStatus.OPEN, OrderStatus.FINAL):
            return self
        filled = ZERO if answer.status in NOTHING_CREATED else answer.filled
        status, filled = answer.status, self.filled if filled is None else filled
        avg_price = answer.avg_price if answer.avg_price is not None else self.avg_price
        fee = answer.fee if answer.fee is not None else self.fee
        venue_order_id = answer.venue_order_id or self.venue_order_id
        detail = answer.detail if answer.detail is not None else self.detail
        changed = (status, filled, avg_price, fee, venue_order_id, detail) != (
            self.status, self.filled, self.avg_price, self.fee, self.venue_order_id, self.detail)
        # built directly, not by dataclasses.replace (which inspects every field): every answer on the trading
        # path comes through here
        return Order(self.id, self.trade_id, self.role, self.attempt, self.venue, self.market, self.side, self.size,
                     self.limit_price, self.reduce_only, self.client_id, status, filled, avg_price, fee,
                     venue_order_id, detail, self.created_at, at if at is not None and changed else self.updated_at)

    def request(self) -> OrderRequest:
        """The IOC order to send (its row, with this client id, is already committed)."""
        if self.limit_price is None:
            raise ValueError(f"order {self.client_id} has no limit price")
        return OrderRequest(self.client_id, self.market, self.side, self.size, self.limit_price, self.reduce_only)


@dataclass(frozen=True, slots=True)
class Quantities:
    """Every quantity of a trade. Sizes are unsigned, except ``unhedged``, ``residual`` and
    ``open_exposure``: signed positions (long positive) on ``exposure_venue``/``exposure_market``."""

    intended: Decimal
    filled_a: Decimal
    filled_b: Decimal  # everything the hedge orders filled, the concurrent leg B included
    hedged: Decimal  # min(filled_a, filled_b)
    unhedged: Decimal  # the position the legs left unmatched, on the venue that carries it
    exposure_venue: str | None
    exposure_market: str | None
    unwound: Decimal
    residual: Decimal  # the open exposure recorded as residual (trade in state `residual`)

    @property
    def open_exposure(self) -> Decimal:
        """What is left of ``unhedged`` after the unwinds (signed)."""
        if self.unhedged == 0:
            return ZERO
        return self.unhedged - (1 if self.unhedged > 0 else -1) * self.unwound

    def as_json(self) -> dict[str, str | None]:
        return {
            "intended": fmt(self.intended),
            "filled_a": fmt(self.filled_a),
            "filled_b": fmt(self.filled_b),
            "hedged": fmt(self.hedged),
            "unhedged": fmt(self.unhedged),
            "exposure_venue": self.exposure_venue,
            "exposure_market": self.exposure_market,
            "unwound": fmt(self.unwound),
            "open_exposure": fmt(self.open_exposure),
            "residual": fmt(self.residual),
        }

    def describe(self) -> str:
        j = self.as_json()
        where = f" on {self.exposure_venue} {self.exposure_market}" if self.exposure_venue else ""
        return (f"intended {j['intended']}, leg A filled {j['filled_a']}, hedge filled {j['filled_b']}, "
                f"hedged {j['hedged']}, unhedged {j['unhedged']}{where}, unwound {j['unwound']}, "
                f"open exposure {j['open_exposure']}, residual {j['residual']}")


def quantities(
    kind: Kind,
    intended: Decimal,
    leg_a: Leg,
    leg_b: Leg | None,
    orders: Iterable[Order],
    adopted: Decimal,
    state: str,
) -> Quantities:
    """A trade's quantities from its orders.

    Where the unmatched part sits: an open trade's excess leg is itself the exposure (A long 0.005 and B short
    0.0038 leave +0.0012 on A's venue). A close trade's excess leg closed more on its venue than the other leg
    did on its own, so the exposure is the position the other leg failed to close. A flatten trade's exposure
    is the residual it adopted. Unwind orders are always reduce-only, on the exposure venue, against it.
    """
    filled_a = filled_b = unwound = ZERO
    for o in orders:
        if o.role == Role.LEG_A:
            filled_a += o.filled
        elif o.role == Role.HEDGE:
            filled_b += o.filled
        elif o.role == Role.UNWIND:
            unwound += o.filled
    venue = market = None
    unhedged = ZERO
    if kind == Kind.FLATTEN:
        venue, market, unhedged = leg_a.venue, leg_a.market, adopted
    elif filled_a != filled_b and leg_b is not None:
        excess, carrier, other = (filled_a - filled_b, leg_a, leg_b) if filled_a > filled_b else (
            filled_b - filled_a, leg_b, leg_a)
        if kind == Kind.OPEN:
            venue, market, unhedged = carrier.venue, carrier.market, carrier.side.sign * excess
        else:
            venue, market, unhedged = other.venue, other.market, -other.side.sign * excess
    q = Quantities(intended, filled_a, filled_b, min(filled_a, filled_b), unhedged, venue, market, unwound, ZERO)
    return replace(q, residual=q.open_exposure) if state == "residual" else q


def unwind_side(q: Quantities) -> Side:
    """Unwinds trade against the open exposure."""
    return Side.SELL if q.open_exposure > 0 else Side.BUY


def client_order_id(ledger_id: str, trade_id: int, role: Role, attempt: int) -> str:
    """Deterministic, so that a retry or a restart asks the venue about the same id: ``pa<6 hex>-<trade>-<role
    letter><attempt>``, e.g. ``pa3f9c1a-12-b2``. Short and [A-Za-z0-9-] because venues limit client ids."""
    return f"pa{ledger_id[:6]}-{trade_id}-{ROLE_CODE[role]}{attempt}"


@dataclass(frozen=True, slots=True)
class Trade:
    id: int
    kind: Kind
    pair_id: int | None
    policy: Policy
    state: str
    leg_a: Leg
    leg_b: Leg | None  # None for a flatten trade
    intended: Decimal
    adopted: Decimal  # a flatten trade's residual, adopted into the ledger as an adjustment; else 0
    orders: tuple[Order, ...]
    created_at: str
    updated_at: str

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def quantities(self) -> Quantities:
        return quantities(self.kind, self.intended, self.leg_a, self.leg_b, self.orders, self.adopted, self.state)

    @property
    def unresolved(self) -> tuple[Order, ...]:
        return tuple(o for o in self.orders if not o.resolved)

    def order(self, client_id: str) -> Order:
        for o in self.orders:
            if o.client_id == client_id:
                return o
        raise KeyError(client_id)

    def check(self, new_order_size: Decimal | None = None) -> Check:
        return Check(
            self.state,
            self.quantities,
            all_resolved=not self.unresolved,
            leg_a_resolved=all(o.resolved for o in self.orders if o.role == Role.LEG_A),
            hedge_orders=sum(1 for o in self.orders if o.role == Role.HEDGE),
            new_order_size=new_order_size,
        )

    def answered(self, answers: Iterable[Answer]) -> Trade:
        """This trade once the answers about its orders are known (answers about other orders are ignored)."""
        by_id = {}
        for a in answers:
            a = as_answer(a)
            by_id.setdefault(a.client_id, []).append(a)
        orders = []
        for o in self.orders:
            for a in by_id.get(o.client_id, ()):
                o = o.answered(a)
            orders.append(o)
        return replace(self, orders=tuple(orders))
