"""The engine's view of the two venues' books: the Rust ``Books`` (one call per raw frame) and the
words and decimals the engine deals in.

    books = Books(edgex_spec, paradex_spec, min_edge_bps=Decimal("1.5"), max_size=Decimal("0.05"), max_age_ms=2000)
    result = books.on_frame("paradex", frame, now_ms)     # FrameResult
    if result.resync: ...                                 # resubscribe for a fresh snapshot
    if result.opportunity: Opportunity.of(result.opportunity)

``Books`` takes ``MarketSpec`` objects and ``Decimal`` (or ``str``) values; floats are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pyarb._core import Books, FrameResult, Quote
from pyarb.model import Venue

__all__ = ["Books", "Direction", "FrameKind", "FrameResult", "Opportunity", "Quote", "Venue", "reverse"]

Direction = Literal["buy_edgex_sell_paradex", "buy_paradex_sell_edgex"]
FrameKind = Literal["applied", "duplicate", "awaiting_snapshot", "rejected", "other"]


def reverse(direction: Direction) -> Direction:
    """The direction that closes a pair opened in ``direction``."""
    return "buy_paradex_sell_edgex" if direction == "buy_edgex_sell_paradex" else "buy_edgex_sell_paradex"


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A ``Quote`` in decimals, built once the engine decides to act on it."""

    direction: Direction
    buy_venue: Venue
    sell_venue: Venue
    size: Decimal
    buy_vwap: Decimal
    sell_vwap: Decimal
    buy_limit: Decimal  # the IOC limit of the buy leg: the worst ask the walk reaches
    sell_limit: Decimal  # the IOC limit of the sell leg: the worst bid the walk reaches
    edge_bps: float
    edge_usd: Decimal

    @classmethod
    def of(cls, quote: Quote) -> Opportunity:
        return cls(
            direction=quote.direction,
            buy_venue=quote.buy_venue,
            sell_venue=quote.sell_venue,
            size=Decimal(quote.size),
            buy_vwap=Decimal(quote.buy_vwap),
            sell_vwap=Decimal(quote.sell_vwap),
            buy_limit=Decimal(quote.buy_limit),
            sell_limit=Decimal(quote.sell_limit),
            edge_bps=quote.edge_bps,
            edge_usd=Decimal(quote.edge_usd),
        )
