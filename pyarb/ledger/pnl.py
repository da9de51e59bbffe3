"""Realised PnL by average cost, per venue and market: pure arithmetic over executions in time order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Execution:
    venue: str
    market: str
    quantity: Decimal  # signed: buys positive
    price: Decimal
    fee: Decimal
    day: str  # UTC date, YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class PnL:
    realised: Decimal = ZERO  # before fees
    fees: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.realised - self.fees

    def __add__(self, other: PnL) -> PnL:
        return PnL(self.realised + other.realised, self.fees + other.fees)


def realise(executions: Iterable[Execution]) -> list[tuple[Execution, Decimal]]:
    """Each execution with the PnL it realised: the part of it that reduced a position, times its price's
    distance from that position's average cost."""
    book: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}  # (venue, market) -> (position, average cost)
    out = []
    for e in executions:
        pos, avg = book.get((e.venue, e.market), (ZERO, ZERO))
        realised = ZERO
        if pos == 0 or (pos > 0) == (e.quantity > 0):
            total = pos + e.quantity
            avg = (avg * abs(pos) + e.price * abs(e.quantity)) / abs(total) if total else ZERO
            pos = total
        else:
            closing = min(abs(e.quantity), abs(pos))
            realised = closing * (e.price - avg) * (1 if pos > 0 else -1)
            pos += e.quantity
            if pos == 0:
                avg = ZERO
            elif (pos > 0) == (e.quantity > 0):  # flipped: the rest opens at this price
                avg = e.price
        book[(e.venue, e.market)] = (pos, avg)
        out.append((e, realised))
    return out


def total(executions: Iterable[Execution]) -> PnL:
    result = PnL()
    for e, realised in realise(executions):
        result += PnL(realised, e.fee)
    return result

