"""The one interface the engine uses to talk to a venue.

Every call ends in a typed outcome. The most important one is :class:`Unknown`: a transport error, a
timeout, a 5xx or a dropped response means the order may or may not exist at the venue. The caller resolves
it by asking the venue with the order's client id (:meth:`VenueClient.get_order`), never by assuming failure
and never by sending the order again.

Venue code never touches the ledger. Quantities are ``Decimal``; sides are :class:`Side`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import AsyncIterator, Protocol, runtime_checkable

from pyarb.model import MarketSpec, OrderFinal, OrderNotFound, OrderOpen, OrderRequest, Side


# --- outcomes -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accepted:
    """The venue took the request. For an order, its fill is learned from :meth:`VenueClient.get_order`
    or :meth:`VenueClient.await_final`."""

    venue_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """The venue refused, with its own code and message. Nothing was created."""

    code: str
    message: str
    trace_id: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimited:
    """The venue refused because of a rate limit. Nothing was created; retry after ``retry_after`` seconds."""

    retry_after: float

    @classmethod
    def from_header(cls, retry_after: str | None) -> RateLimited:
        """From an HTTP 429's ``Retry-After`` in seconds; a second when it is absent or not a number."""
        try:
            return cls(max(0.0, float(retry_after)) if retry_after else 1.0)
        except ValueError:
            return cls(1.0)


@dataclass(frozen=True, slots=True)
class Unknown:
    """The outcome is not known: transport error, timeout, 5xx, dropped response, or an unparseable answer.
    Resolve by asking the venue."""

    reason: str


@dataclass(frozen=True, slots=True)
class Positions:
    """Signed positions per market (long positive), as the venue reports them."""

    by_market: dict[str, Decimal]
    as_of_ms: int


@dataclass(frozen=True, slots=True)
class Fill:
    client_id: str | None  # None when the venue reports a fill without one (an external order)
    venue_order_id: str | None
    market: str
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    time_ms: int
    fill_id: str = ""


@dataclass(frozen=True, slots=True)
class Fills:
    fills: list[Fill] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    detail: str


PlaceOutcome = Accepted | Rejected | RateLimited | Unknown
QueryOutcome = OrderOpen | OrderFinal | OrderNotFound | RateLimited | Rejected | Unknown
CancelOutcome = Accepted | Rejected | RateLimited | Unknown


@runtime_checkable
class VenueClient(Protocol):
    """What the engine needs from a venue. Implementations: ``pyarb.venues.paradex``, ``pyarb.venues.edgex``."""

    name: str  # "edgex" | "paradex"

    async def start(self) -> None:
        """Load market metadata, authenticate, open the HTTP pool and the private stream."""

    async def close(self) -> None: ...

    def market_spec(self, market: str) -> MarketSpec:
        """Tick, step, limits and taker fee, from the venue's metadata (loaded by :meth:`start`)."""

    def book_frames(self, market: str) -> AsyncIterator[bytes]:
        """The raw public book frames for ``market``, as bytes, exactly as the venue sent them.

        Reconnects with backoff on its own; the first frame after a (re)connect is a snapshot."""

    async def resync_book(self, market: str) -> None:
        """Ask for a fresh snapshot, because the book reported a gap or a crossed state."""

    async def place_order(self, order: OrderRequest) -> PlaceOutcome:
        """Send one signed IOC limit order. Never retried by the client."""

    async def get_order(self, client_id: str, market: str) -> QueryOutcome:
        """Ask the venue what became of an order, by its client id: open, final, or not found."""

    async def await_final(self, client_id: str, market: str, timeout: float) -> QueryOutcome:
        """Wait until the order is final, using the private stream and polling :meth:`get_order`.

        Returns the last answer when ``timeout`` passes (an :class:`OrderOpen` or an :class:`Unknown`)."""

    async def cancel_order(self, client_id: str, market: str) -> CancelOutcome: ...

    async def positions(self) -> Positions | Unknown:
        """Signed positions per market, by REST. A failed query is :class:`Unknown`, never flat."""

    def streamed_positions(self) -> Positions | None:
        """The latest positions from the private stream, or None if it has not reported yet."""

    async def fills_since(self, since_ms: int) -> Fills | Unknown: ...

    async def health(self) -> Health: ...
