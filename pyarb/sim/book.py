"""A simulated venue's L2 book: synthetic liquidity around a moving mid, consumed by the venue's own fills.

Prices and sizes are held as integer ticks and steps, so the book is exact and cheap to diff. Two copies exist: the
live book that matching reads and changes, and the book as last published. :meth:`SimBook.publish` diffs the two into
one :class:`BookDelta` with the next sequence number, so a client that applies a snapshot and then every delta holds
exactly the published book. A snapshot is always of the published book, at its sequence number.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pyarb.model import Side


@dataclass(frozen=True, slots=True)
class Level:
    side: Side  # BUY for a bid, SELL for an ask
    price: Decimal
    size: Decimal  # zero in a delete


@dataclass(frozen=True, slots=True)
class BookDelta:
    """The change from the book published at ``prev_seq`` to the book at ``seq`` (``seq == prev_seq + 1`` unless a
    gap was injected). Inserts are new price levels, updates change a level's size, deletes remove a level."""

    market: str
    seq: int
    prev_seq: int
    time_ms: int
    inserts: tuple[Level, ...] = ()
    updates: tuple[Level, ...] = ()
    deletes: tuple[Level, ...] = ()


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """The published book at ``seq``; each side best first, as ``(price, size)``."""

    market: str
    seq: int
    time_ms: int
    bids: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    asks: list[tuple[Decimal, Decimal]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BookShape:
    """How the synthetic liquidity looks. Amounts in the market's own units (USD, base currency)."""

    levels: int = 40  # per side
    half_spread: Decimal = Decimal("0.5")
    level_gap: tuple[Decimal, Decimal] = (Decimal("0.1"), Decimal("4"))  # between adjacent levels
    level_size: tuple[Decimal, Decimal] = (Decimal("0.01"), Decimal("0.8"))
    churn: int = 2  # levels per side whose size changes at each move


class SimBook:
    def __init__(self, market: str, tick: Decimal, step: Decimal, rng: random.Random, shape: BookShape) -> None:
        self.market = market
        self.tick = tick
        self.step = step
        self._rng = rng
        self._shape = shape
        self._half_spread = max(1, int(shape.half_spread / tick))
        self._gap = (max(1, int(shape.level_gap[0] / tick)), max(1, int(shape.level_gap[1] / tick)))
        self._size = (max(1, int(shape.level_size[0] / step)), max(1, int(shape.level_size[1] / step)))
        self.bids: dict[int, int] = {}  # price in ticks -> size in steps
        self.asks: dict[int, int] = {}
        self.seq = 0
        self._published: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._published_ms = 0

    # --- the live book -------------------------------------------------------------------------------------

    def best_bid(self) -> Decimal | None:
        return self.tick * max(self.bids) if self.bids else None

    def best_ask(self) -> Decimal | None:
        return self.tick * min(self.asks) if self.asks else None

    def mid(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        return None if bid is None or ask is None else (bid + ask) / 2

    def move_to(self, mid: float) -> None:
        """Re-quote around ``mid``: levels on the wrong side of the new touch go, the touch and any thin stretch
        are refilled, a few sizes change, and each side is trimmed to its depth."""
        mid_ticks = mid / float(self.tick)
        top_bid = math.floor(mid_ticks - self._half_spread)
        top_ask = math.ceil(mid_ticks + self._half_spread)
        for price in [p for p in self.bids if p > top_bid]:
            del self.bids[price]
        for price in [p for p in self.asks if p < top_ask]:
            del self.asks[price]
        self._churn(self.bids, top_bid)
        self._churn(self.asks, top_ask)
        self._refill(self.bids, top_bid, -1)
        self._refill(self.asks, top_ask, +1)

    def take(self, side: Side, limit: Decimal | None, size: Decimal) -> list[tuple[Decimal, Decimal]]:
        """Consume liquidity for a taker on ``side`` up to ``size`` and, if given, the ``limit`` price.
        Returns the fills as ``(price, size)``, best price first."""
        book = self.asks if side is Side.BUY else self.bids
        wanted = int(size / self.step)
        limit_ticks = None if limit is None else int(limit / self.tick)
        fills: list[tuple[Decimal, Decimal]] = []
        for price in sorted(book, reverse=side is Side.SELL):
            if wanted <= 0:
                break
            if limit_ticks is not None and (price > limit_ticks if side is Side.BUY else price < limit_ticks):
                break
            took = min(wanted, book[price])
            wanted -= took
            if took == book[price]:
                del book[price]
            else:
                book[price] -= took
            fills.append((self.tick * price, self.step * took))
        return fills

    def crosses(self, side: Side, price: Decimal) -> bool:
        """Whether a resting order on ``side`` at ``price`` is now marketable against the live book."""
        ticks = int(price / self.tick)
        if side is Side.BUY:
            return bool(self.asks) and min(self.asks) <= ticks
        return bool(self.bids) and max(self.bids) >= ticks

    # --- publishing ----------------------------------------------------------------------------------------

    def publish(self, time_ms: int, skip_seq: bool = False) -> BookDelta | None:
        """Diff the live book against the published one. None when nothing changed (no sequence number used).
        ``skip_seq`` injects a gap: the delta's number is two past the last one."""
        inserts: list[Level] = []
        updates: list[Level] = []
        deletes: list[Level] = []
        sides = ((Side.BUY, self.bids, self._published[0]), (Side.SELL, self.asks, self._published[1]))
        for side, live, published in sides:
            for price, size in live.items():
                before = published.get(price)
                if before is None:
                    inserts.append(Level(side, self.tick * price, self.step * size))
                elif before != size:
                    updates.append(Level(side, self.tick * price, self.step * size))
            for price in published:
                if price not in live:
                    deletes.append(Level(side, self.tick * price, Decimal(0)))
        if not (inserts or updates or deletes):
            return None
        prev = self.seq
        self.seq += 2 if skip_seq else 1
        self._published = (dict(self.bids), dict(self.asks))
        self._published_ms = time_ms
        return BookDelta(self.market, self.seq, prev, time_ms, tuple(inserts), tuple(updates), tuple(deletes))

    def snapshot(self, depth: int | None = None) -> BookSnapshot:
        bids, asks = self._published
        return BookSnapshot(
            market=self.market,
            seq=self.seq,
            time_ms=self._published_ms,
            bids=[(self.tick * p, self.step * bids[p]) for p in sorted(bids, reverse=True)[:depth]],
            asks=[(self.tick * p, self.step * asks[p]) for p in sorted(asks)[:depth]],
        )

    # --- synthetic liquidity -------------------------------------------------------------------------------

    def _random_size(self) -> int:
        return self._rng.randint(*self._size)

    def _churn(self, book: dict[int, int], top: int) -> None:
        if not book:
            return
        prices = list(book)
        for price in self._rng.sample(prices, min(self._shape.churn, len(prices))):
            book[price] = self._random_size()
        if len(prices) > 1 and self._rng.random() < 0.1:
            victim = self._rng.choice(prices)
            if victim != top:
                del book[victim]

    def _refill(self, book: dict[int, int], top: int, away: int) -> None:
        """Make ``top`` the touch and keep the side at its depth with no gap wider than the widest level gap.
        ``away`` is -1 for bids (prices fall away from the touch) and +1 for asks."""
        if top not in book:
            book[top] = self._random_size()
        depth = self._shape.levels
        max_gap = self._gap[1]
        kept = [top]
        for price in sorted(book, reverse=away < 0)[1:]:
            while len(kept) < depth and abs(price - kept[-1]) > max_gap:
                kept.append(kept[-1] + away * self._rng.randint(*self._gap))
                book[kept[-1]] = self._random_size()
            if len(kept) >= depth:
                break
            kept.append(price)
        while len(kept) < depth:
            kept.append(kept[-1] + away * self._rng.randint(*self._gap))
            book[kept[-1]] = self._random_size()
        for price in set(book) - set(kept):
            del book[price]
