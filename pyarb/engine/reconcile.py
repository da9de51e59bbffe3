"""Reconciliation: the ledger's expected positions against each venue's own, explained line by line.

The comparison is pure (:func:`compare`); :func:`reconcile` only gathers the venues' answers. A venue whose
position query fails is *skipped*, never read as flat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pyarb.ledger import Contribution, LedgerReader
from pyarb.model import MarketSpec, fmt
from pyarb.venues.base import Fill, Fills, Positions, Unknown, VenueClient

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class MarketCheck:
    venue: str
    market: str
    expected: Decimal
    actual: Decimal | None  # None: the venue could not be asked
    tolerance: Decimal
    contributions: tuple[Contribution, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        """The venue's position beyond what the ledger explains."""
        return None if self.actual is None else self.actual - self.expected

    @property
    def matches(self) -> bool | None:
        return None if self.actual is None else abs(self.actual - self.expected) <= self.tolerance

    def as_json(self) -> dict[str, object]:
        diff = self.difference
        return {
            "venue": self.venue, "market": self.market, "expected": fmt(self.expected),
            "actual": None if self.actual is None else fmt(self.actual),
            "difference": None if diff is None else fmt(diff), "tolerance": fmt(self.tolerance),
            "status": {True: "match", False: "mismatch", None: "skipped"}[self.matches],
            "contributions": [
                {"quantity": fmt(c.quantity), "source": c.source, "trade_id": c.trade_id, "pair_id": c.pair_id,
                 "client_id": c.client_id, "state": c.state, "note": c.note} for c in self.contributions],
        }


@dataclass(frozen=True, slots=True)
class Residual:
    """Exposure the ledger knows it carries: a pair whose legs do not offset (an orphan's or a partial
    hedge's remainder, or a legacy pair imported that way)."""

    pair_id: int
    legacy_id: str | None
    venue: str
    market: str
    quantity: Decimal

    def as_json(self) -> dict[str, object]:
        return {"pair_id": self.pair_id, "legacy_id": self.legacy_id, "venue": self.venue, "market": self.market,
                "quantity": fmt(self.quantity)}


@dataclass(frozen=True, slots=True)
class Reconciliation:
    time_ms: int
    checks: tuple[MarketCheck, ...]
    skipped: Mapping[str, str]  # venue -> why its position query failed
    external_fills: Mapping[str, tuple[Fill, ...]] = field(default_factory=dict)
    residuals: tuple[Residual, ...] = ()

    @property
    def mismatches(self) -> tuple[MarketCheck, ...]:
        return tuple(c for c in self.checks if c.matches is False)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        if self.mismatches:
            return "; ".join(f"{c.venue} {c.market}: venue {fmt(c.actual)} vs ledger {fmt(c.expected)} "
                             f"({fmt(c.difference)} unexplained)" for c in self.mismatches)
        text = "all positions match"
        if self.skipped:
            text += " (skipped: " + ", ".join(f"{v}: {why}" for v, why in self.skipped.items()) + ")"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "time_ms": self.time_ms, "ok": self.ok, "summary": self.summary(),
            "markets": [c.as_json() for c in self.checks],
            "skipped": dict(self.skipped),
            "external_fills": {venue: [{"venue_order_id": f.venue_order_id, "client_id": f.client_id,
                                        "market": f.market, "side": f.side.value, "size": fmt(f.size),
                                        "price": fmt(f.price), "fee": fmt(f.fee), "time_ms": f.time_ms}
                                       for f in fills] for venue, fills in self.external_fills.items()},
            "residuals": [r.as_json() for r in self.residuals],
        }


def tolerances(configured: Mapping[str, Decimal], specs: Mapping[str, MarketSpec]) -> dict[str, Decimal]:
    """How far each venue's position may be from the ledger's: ``reconcile.tolerance``, else one step of the
    venue (the smallest difference it can hold)."""
    return {venue: configured.get(venue, spec.step) for venue, spec in specs.items()}


def compare(expected: Mapping[str, Mapping[str, Decimal]], reported: Mapping[str, Positions | Unknown],
            markets: Mapping[str, tuple[str, ...]], tolerance: Mapping[str, Decimal],
            contributions: tuple[Contribution, ...] = ()) -> tuple[tuple[MarketCheck, ...], dict[str, str]]:
    """One check per venue and market that either side holds or that is traded, and the venues skipped."""
    checks = []
    skipped = {}
    for venue in sorted(set(markets) | set(expected) | set(reported)):
        answer = reported.get(venue)
        actual_by_market = answer.by_market if isinstance(answer, Positions) else None
        if not isinstance(answer, Positions):
            skipped[venue] = answer.reason if isinstance(answer, Unknown) else "not asked"
        names = set(markets.get(venue, ())) | set(expected.get(venue, {})) | set(actual_by_market or {})
        for market in sorted(names):
            actual = None if actual_by_market is None else actual_by_market.get(market, ZERO)
            checks.append(MarketCheck(
                venue, market, expected.get(venue, {}).get(market, ZERO), actual, tolerance.get(venue, ZERO),
                tuple(c for c in contributions if c.venue == venue and c.market == market)))
    return tuple(checks), skipped


def residuals(ledger: LedgerReader) -> tuple[Residual, ...]:
    """Pairs whose legs do not offset: their net exposure, on the venue that carries more."""
    found = []
    for pair in ledger.open_pairs():
        held: dict[tuple[str, str], Decimal] = {}
        for book in (pair.positions, pair.residuals):
            for venue, by_market in book.items():
                for market, q in by_market.items():
                    held[(venue, market)] = held.get((venue, market), ZERO) + q
        net = sum(held.values(), ZERO)
        if net == 0:
            continue
        carrier = max((k for k in held if held[k] * net > 0), key=lambda k: abs(held[k]))
        found.append(Residual(pair.id, pair.legacy_id, carrier[0], carrier[1], net))
    return tuple(found)


async def reconcile(ledger: LedgerReader, venues: Mapping[str, VenueClient], markets: Mapping[str, tuple[str, ...]],
                    tolerance: Mapping[str, Decimal], *, fills_since_ms: int | None = None) -> Reconciliation:
    """Ask every venue for its positions (and, with ``fills_since_ms``, its fills) and compare with the ledger."""
    names = sorted(venues)
    reported = dict(zip(names, await asyncio.gather(*(venues[v].positions() for v in names))))
    checks, skipped = compare(ledger.expected_positions(), reported, markets, tolerance,
                              tuple(ledger.position_contributions()))
    external: dict[str, tuple[Fill, ...]] = {}
    if fills_since_ms is not None:
        answers = await asyncio.gather(*(venues[v].fills_since(fills_since_ms) for v in names))
        for venue, answer in zip(names, answers):
            if isinstance(answer, Fills):
                unknown = tuple(f for f in answer.fills if not (f.client_id and ledger.knows_client_id(f.client_id)))
                if unknown:
                    external[venue] = unknown
    return Reconciliation(int(time.time() * 1000), checks, skipped, external, residuals(ledger))
