"""When to close a pair, and how: pure functions of the pair, the books' quote and the clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from pyarb.model import Side
from pyarb.trade import Order, Role


@dataclass(frozen=True, slots=True)
class ExitRules:
    exit_edge_bps: Decimal  # close once reversing the pair nets at least this (after fees)
    max_hold_s: float
    stop_loss_usd: Decimal


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """Reversing a pair: sell where it is long, buy where it is short, ``size`` on each venue."""

    direction: str  # the books' direction of the closing trade: buy_<venue>_sell_<venue>
    buy_venue: str
    sell_venue: str
    size: Decimal


def close_plan(positions: Mapping[str, Mapping[str, Decimal]], step: Decimal) -> ClosePlan | None:
    """The closing trade of a pair that holds ``positions`` ({venue: {market: signed}}): the hedged size (the
    smaller leg, down to ``step``) bought back where it is short and sold where it is long. None when the
    pair holds nothing that two legs can close."""
    held = {venue: sum(markets.values(), Decimal(0)) for venue, markets in positions.items()}
    longs = [v for v, q in held.items() if q > 0]
    shorts = [v for v, q in held.items() if q < 0]
    if len(longs) != 1 or len(shorts) != 1:
        return None
    sell_venue, buy_venue = longs[0], shorts[0]
    size = min(held[sell_venue], -held[buy_venue])
    size = (size / step).to_integral_value(rounding=ROUND_DOWN) * step
    if size <= 0:
        return None
    return ClosePlan(f"buy_{buy_venue}_sell_{sell_venue}", buy_venue, sell_venue, size)


def entry_cash_usd(orders: Iterable[Order]) -> Decimal:
    """What opening the pair netted in USD on its hedged quantity: the sell leg's proceeds minus the buy leg's
    cost, each at its average price, minus every fee paid. An unhedged remainder is exposure, not a loss."""
    bought = sold = bought_value = sold_value = fees = Decimal(0)
    for o in orders:
        if o.role in (Role.LEG_A, Role.HEDGE) and o.filled and o.avg_price is not None:
            fees += o.fee
            if o.side is Side.BUY:
                bought, bought_value = bought + o.filled, bought_value + o.filled * o.avg_price
            else:
                sold, sold_value = sold + o.filled, sold_value + o.filled * o.avg_price
    hedged = min(bought, sold)
    if hedged == 0:
        return -fees
    return hedged * (sold_value / sold - bought_value / bought) - fees


def exit_reason(rules: ExitRules, held_s: float, entry_cash: Decimal, close_edge_bps: float | None,
                close_edge_usd: Decimal | None) -> str | None:
    """Why the pair should close now, or None. ``close_edge_*`` are the books' net edge of the closing trade
    (None when the books cannot quote it, e.g. a stale book: no close can be priced until they can)."""
    if close_edge_bps is None or close_edge_usd is None:
        return None
    if held_s >= rules.max_hold_s:
        return f"held {held_s:.0f}s, the maximum is {rules.max_hold_s:g}s"
    if Decimal(str(close_edge_bps)) >= rules.exit_edge_bps:
        return f"spread converged: closing nets {close_edge_bps:.2f} bps >= exit {rules.exit_edge_bps} bps"
    pnl = entry_cash + close_edge_usd
    if pnl <= -rules.stop_loss_usd:
        return f"stop loss: closing now realises {pnl:.2f} USD <= -{rules.stop_loss_usd} USD"
    return None
