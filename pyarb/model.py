"""The venue-neutral vocabulary shared by the ledger, the engine and the venues: the venues' names, sides,
markets, orders, what a venue says about an order, and how a decimal is written. It imports nothing of pyarb,
so every layer can use it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

Venue = Literal["edgex", "paradex"]
VENUES: tuple[Venue, ...] = get_args(Venue)
# Each venue's own symbol of the BTC perpetual: what pyarb trades unless a config names another market.
BTC_PERP = {"edgex": "BTCUSD", "paradex": "BTC-USD-PERP"}


def fmt(d: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros, as logs, the CLI, a trade's quantities and Paradex's
    wire write it: 0.0050 -> 0.005, 1E+2 -> 100, -0 -> 0."""
    return "0" if d == 0 else format(d.normalize(), "f")


class Side(str, enum.Enum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """A venue's market as its metadata describes it."""

    market: str  # the venue's own symbol: "BTCUSD" (EdgeX contract name), "BTC-USD-PERP" (Paradex)
    tick: Decimal  # price increment
    step: Decimal  # size increment
    min_size: Decimal
    max_size: Decimal
    taker_fee: Decimal  # a fraction: 0.00038 is 3.8 bps


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An IOC limit order. ``client_id`` is deterministic and already in the ledger before this is sent."""

    client_id: str
    market: str
    side: Side
    size: Decimal
    limit_price: Decimal
    reduce_only: bool = False


@dataclass(frozen=True, slots=True)
class OrderOpen:
    """The order is still working at the venue (an IOC order is open only for an instant)."""

    client_id: str
    filled: Decimal
    avg_price: Decimal | None
    venue_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderFinal:
    """The order is done: ``filled`` is the total executed quantity (zero if it never traded)."""

    client_id: str
    filled: Decimal
    avg_price: Decimal | None
    fee: Decimal = Decimal(0)
    status: str = ""  # the venue's own final status, e.g. FILLED, CANCELED, CLOSED
    venue_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderNotFound:
    """The venue has no order with this client id: it was never created."""

    client_id: str


OrderState = OrderOpen | OrderFinal | OrderNotFound
