"""Pre-trade risk checks: a pure function of the limits, a snapshot of the engine's state and the opportunity.

It answers whether a new trade may open and at what size. Sizes are only ever cut, never raised: to the
notional cap and to each venue's position headroom, then down to the coarser step; a size that falls below
the larger minimum order is refused rather than rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_open_pairs: int
    max_position: dict[str, Decimal]  # per venue, absolute BTC
    max_notional_usd: Decimal  # per trade, at the buy VWAP
    daily_loss_limit_usd: Decimal  # a positive number: stop opening when today's PnL <= -limit
    cooldown_after_trade_s: float
    cooldown_after_failure_s: float
    max_in_flight_per_pair: int = 1


@dataclass(frozen=True, slots=True)
class RiskState:
    now: float
    halted: str | None  # the halt reason, or None
    open_pairs: int
    in_flight: int  # trades not yet terminal
    unresolved_orders: int  # orders whose outcome is unknown: nothing opens until they are resolved
    positions: dict[str, Decimal]  # the ledger's expected position per venue (the traded market)
    pnl_today_usd: Decimal
    last_trade_at: float | None
    last_failure_at: float | None
    breaker_allows: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the engine wants to open: buy ``size`` on ``buy_venue`` and sell it on ``sell_venue``."""

    buy_venue: str
    sell_venue: str
    size: Decimal
    buy_price: Decimal
    step: Decimal  # the coarser of the two venues' steps
    min_size: Decimal  # the larger of the two venues' minimum orders


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    size: Decimal = Decimal(0)


def _refuse(reason: str) -> Decision:
    return Decision(False, reason)


def check_open(limits: RiskLimits, state: RiskState, proposal: Proposal) -> Decision:
    if state.halted:
        return _refuse(f"halted: {state.halted}")
    if state.unresolved_orders:
        return _refuse(f"{state.unresolved_orders} order(s) with unknown outcome")
    if state.in_flight >= limits.max_in_flight_per_pair:
        return _refuse("a trade is already in flight")
    if state.open_pairs >= limits.max_open_pairs:
        return _refuse(f"max open pairs ({limits.max_open_pairs}) reached")
    if state.pnl_today_usd <= -limits.daily_loss_limit_usd:
        return _refuse(f"daily loss limit hit ({state.pnl_today_usd} USD)")
    if state.last_failure_at is not None and state.now - state.last_failure_at < limits.cooldown_after_failure_s:
        return _refuse("cooling down after a failure")
    if state.last_trade_at is not None and state.now - state.last_trade_at < limits.cooldown_after_trade_s:
        return _refuse("cooling down after a trade")
    for venue in (proposal.buy_venue, proposal.sell_venue):
        if not state.breaker_allows.get(venue, True):
            return _refuse(f"{venue} circuit breaker is open")

    size = proposal.size
    if proposal.buy_price > 0:
        size = min(size, limits.max_notional_usd / proposal.buy_price)
    for venue, direction in ((proposal.buy_venue, 1), (proposal.sell_venue, -1)):
        position = state.positions.get(venue, Decimal(0))
        cap = limits.max_position.get(venue)
        if cap is not None:
            size = min(size, max(cap - direction * position, Decimal(0)))
    size = (size / proposal.step).to_integral_value(rounding=ROUND_DOWN) * proposal.step
    if size < proposal.min_size:
        return _refuse(f"size {size} below the minimum order {proposal.min_size} after risk limits")
    return Decision(True, "ok", size)
