"""Drives one trade through its states, leg by leg, until it is terminal.

The decisions are pure (``pyarb.resume.next_step`` on the trade as the ledger holds it, plus the answers
learned since); this module only does the I/O they call for, in the order the rules demand:

1. every transition is committed to the ledger before the action it permits (an order's row, with its
   deterministic client id, exists before the order is sent);
2. a transport error or a timeout is *unknown*: the order is asked about by client id, never sent again;
3. a venue's "not found" is believed only once the order is older than a grace period, because a request
   can still be on its way through the venue's gateway when the question arrives.

A hedge that fails or fills partly is retried within a budget of attempts, time and slippage; when the budget
is spent the trade is orphaned and the unhedged quantity is unwound with reduce-only orders at escalating
prices, until the venue's own position confirms it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from pyarb.alerts import Alerts
from pyarb.engine.breaker import CircuitBreaker
from pyarb.ledger import Ledger, NewOrder
from pyarb.metrics import Metrics
from pyarb.model import MarketSpec, OrderFinal, OrderNotFound, OrderOpen, Side, fmt
from pyarb.recent import Recent
from pyarb.resume import Action, Step, next_step
from pyarb.trade import Answer, Order, OrderAnswer, OrderStatus, Role, Trade, unwind_side
from pyarb.venues.base import Accepted, RateLimited, Rejected, Unknown, VenueClient

log = logging.getLogger("pyarb.engine")

_BPS = Decimal(10_000)
_ASK_BACKOFF = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True, slots=True)
class ExecutionSettings:
    order_timeout_s: float
    not_found_grace_s: float
    hedge_attempts: int
    hedge_budget_s: float
    hedge_slippage_bps: Decimal
    hedge_max_slippage_bps: Decimal
    unwind_slippage_bps: tuple[Decimal, ...]
    confirm_attempts: int
    tolerance: Mapping[str, Decimal]  # per venue (every one): how far its position may be from the ledger's


# --- pure pricing --------------------------------------------------------------------------------------------


def sweep_price(levels: Iterable[tuple[str, str]], size: Decimal) -> Decimal | None:
    """The worst price an order of ``size`` reaches walking ``levels`` (best first); the last level when the
    book is thinner than the size; None for an empty side."""
    price = None
    left = size
    for level_price, level_size in levels:
        price = Decimal(level_price)
        left -= Decimal(level_size)
        if left <= 0:
            break
    return price


def protective_price(reference: Decimal, side: Side, slippage_bps: Decimal, tick: Decimal) -> Decimal:
    """``reference`` moved ``slippage_bps`` against us and rounded outward to the tick: the IOC limit that
    still fills when the book moves a little, and never trades worse than the budget allows."""
    if side is Side.BUY:
        raw = reference * (1 + slippage_bps / _BPS)
        return (raw / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    raw = reference * (1 - slippage_bps / _BPS)
    return max((raw / tick).to_integral_value(rounding=ROUND_FLOOR) * tick, tick)


def escalate(first: Decimal, last: Decimal, attempt: int, attempts: int) -> Decimal:
    """Slippage of hedge ``attempt`` (1-based) of ``attempts``, from ``first`` to ``last`` in equal steps."""
    if attempts <= 1:
        return first
    return first + (last - first) * (attempt - 1) / (attempts - 1)


def _age_s(order: Order) -> float:
    return (datetime.now(UTC) - datetime.fromisoformat(order.created_at)).total_seconds()


class Executor:
    """Sends, asks, hedges and unwinds for the engine. One instance per engine; a trade is driven by one task."""

    def __init__(self, ledger: Ledger, venues: Mapping[str, VenueClient], specs: Mapping[str, MarketSpec],
                 levels: Callable[[str, int], tuple[list[tuple[str, str]], list[tuple[str, str]]]],
                 settings: ExecutionSettings, breakers: Mapping[str, CircuitBreaker], alerts: Alerts,
                 metrics: Metrics, clock: Callable[[], float] = time.monotonic) -> None:
        self.ledger = ledger
        self.venues = venues
        self.specs = specs
        self.levels = levels
        self.settings = settings
        self.breakers = breakers
        self.alerts = alerts
        self.metrics = metrics
        self.clock = clock
        self.min_sizes = {venue: spec.min_size for venue, spec in specs.items()}
        # client id -> monotonic ns of the decision that sent the order (the opportunity for leg A, leg A's
        # fill for the first hedge): the latency benchmark compares it with the order's arrival at the venue
        self.decided_ns: Recent = Recent(10_000)
        self._quiet_until: dict[str, float] = {}  # venue -> clock time its retry-after ends
        self.asking: set[str] = set()  # client ids whose outcome is unknown: no new trade opens meanwhile

    # --- the loop ------------------------------------------------------------------------------------------

    async def execute(self, trade: Trade, decided_ns: int) -> Trade:
        """A trade just created: send the orders it recorded (leg A; and leg B in the concurrent policy), then
        drive it to the end."""
        recorded = [o for o in trade.orders if o.status == OrderStatus.RECORDED]
        for order in recorded:
            self.decided_ns[order.client_id] = decided_ns
        if len(recorded) == 1:  # sequential: straight out, without gather's extra task and loop iteration
            answers = [await self._send(trade, recorded[0])]
        else:
            answers = await asyncio.gather(*(self._send(trade, order) for order in recorded))
        return await self.drive(trade, [a for a in answers if a is not None])

    async def drive(self, trade: Trade, answers: Iterable[Answer] = ()) -> Trade:
        """Take ``trade`` from wherever it is to a terminal state. ``answers`` are learned but not committed."""
        learned = list(answers)
        answered_ns = time.monotonic_ns()  # when the latest answer arrived: the decision time of what follows
        hedge_deadline = self.clock() + self.settings.hedge_budget_s
        unwind_alerted = False
        confirm_tries = 0
        while not trade.terminal:
            view = trade.answered(learned)
            step = next_step(view, self.min_sizes)
            if step.action is Action.NONE:
                trade, learned = self._commit(trade, step.triggers, step.reason, learned), []
            elif step.action is Action.ASK:
                learned += await asyncio.gather(*(self._ask(view.order(cid)) for cid in step.client_ids))
                answered_ns = time.monotonic_ns()
            elif step.action is Action.AWAIT:
                learned += await asyncio.gather(*(self._await(view.order(cid)) for cid in step.client_ids))
                answered_ns = time.monotonic_ns()
            elif step.action is Action.HEDGE:
                assert step.venue is not None
                attempt = 1 + sum(1 for o in view.orders if o.role == Role.HEDGE)
                size = self._tradable(step.venue, step.size)
                if size == 0 or attempt > self.settings.hedge_attempts or self.clock() > hedge_deadline:
                    why = (f"{fmt(step.size)} is below {step.venue}'s minimum order" if size == 0 else
                           f"hedge budget spent after {attempt - 1} attempt(s)")
                    trade, learned = self._orphan(trade, step, learned, why), []
                    continue
                await self._respect_rate_limit(step.venue, hedge_deadline)
                trade, learned = self._commit(trade, (*step.triggers, "hedge"), step.reason, learned,
                                              NewOrder(size, await self._hedge_price(view, size, attempt))), []
                learned += await self._send_new(trade, answered_ns)
                answered_ns = time.monotonic_ns()
            elif step.action is Action.UNWIND:
                assert step.venue is not None
                size = self._tradable(step.venue, step.size)
                if size == 0:
                    trade, learned = self._commit(trade, (*step.triggers, "leave_residual"),
                                                  f"{fmt(step.size)} open is below {step.venue}'s minimum order",
                                                  learned), []
                    continue
                attempt = 1 + sum(1 for o in view.orders if o.role == Role.UNWIND)
                ladder = self.settings.unwind_slippage_bps
                if attempt > len(ladder):
                    if not unwind_alerted:
                        unwind_alerted = True
                        self.alerts.raise_alert("unwind_failed", f"trade {trade.id}: {attempt - 1} unwind attempts "
                                                f"left {fmt(view.quantities.open_exposure)} open; still trying",
                                                trade_id=trade.id, venue=step.venue)
                    await asyncio.sleep(min(2.0 * (attempt - len(ladder)), 30.0))
                slippage = ladder[min(attempt, len(ladder)) - 1]
                trade, learned = self._commit(trade, (*step.triggers, "unwind"), step.reason, learned,
                                              NewOrder(size, await self._unwind_price(view, step.venue, size,
                                                                                      slippage))), []
                learned += await self._send_new(trade, answered_ns)
                answered_ns = time.monotonic_ns()
            elif step.action is Action.CONFIRM_FLAT:
                if learned:
                    trade, learned = self._commit(trade, step.triggers, "record the unwind's answers", learned), []
                    continue
                confirm_tries += 1
                confirmed, detail = await self._venue_confirms(trade)
                if confirmed:
                    trade = self._commit(trade, "flatten", f"{step.venue} position confirms: {detail}", [])
                    continue
                if confirm_tries == self.settings.confirm_attempts:
                    self.alerts.raise_alert("unwind_failed", f"trade {trade.id}: the venue does not confirm the "
                                            f"unwind ({detail}); trade kept in unwinding", trade_id=trade.id,
                                            venue=step.venue)
                await asyncio.sleep(min(0.2 * confirm_tries, 5.0))
        self._ended(trade)
        return trade

    # --- ledger ------------------------------------------------------------------------------------------------

    def _commit(self, trade: Trade, triggers: str | tuple[str, ...], reason: str, learned: list[Answer],
                new_order: NewOrder | None = None) -> Trade:
        return self.ledger.transition(trade.id, triggers, reason, order_updates=learned, new_order=new_order)

    def _orphan(self, trade: Trade, step: Step, learned: list[Answer], why: str) -> Trade:
        trade = self._commit(trade, (*step.triggers, "orphan"), f"{why}: {fmt(step.size)} of leg A unhedged",
                             learned)
        q = trade.quantities
        self.metrics.orphans.labels(q.exposure_venue or "?").inc()
        self.alerts.raise_alert("orphan", f"trade {trade.id} orphaned: {fmt(q.open_exposure)} open on "
                                f"{q.exposure_venue} {q.exposure_market}; unwinding", trade_id=trade.id,
                                venue=q.exposure_venue)
        return trade

    def _ended(self, trade: Trade) -> None:
        self.metrics.trades.labels(trade.kind.value, trade.state).inc()

    # --- sending and asking ------------------------------------------------------------------------------------

    async def _send_new(self, trade: Trade, decided_ns: int) -> list[Answer]:
        order = trade.orders[-1]
        self.decided_ns[order.client_id] = decided_ns
        answer = await self._send(trade, order)
        return [answer] if answer is not None else []

    async def _send(self, trade: Trade, order: Order) -> Answer | None:
        """Send one recorded order and learn what became of it. Returns None when nothing new is known (the
        outcome is unknown: it is recorded as such, and the next step asks the venue)."""
        venue = self.venues[order.venue]
        breaker = self.breakers[order.venue]
        started = time.perf_counter()
        outcome = await venue.place_order(order.request())
        now = self.clock()
        match outcome:
            case Accepted():
                breaker.on_success()
                answer = await venue.await_final(order.client_id, order.market, self.settings.order_timeout_s)
                if isinstance(answer, OrderFinal):
                    self.metrics.leg_latency.labels(order.role.value, order.venue).observe(
                        time.perf_counter() - started)
                    return answer
                # open: awaited next; anything else (even "not found", which can lag an accepted order): asked
                return answer if isinstance(answer, OrderOpen) else None
            case Rejected(code=code, message=message, trace_id=trace):
                self._venue_error(breaker, now, f"{code}: {message}")
                detail = f"{code}: {message}" + (f" (traceId {trace})" if trace else "")
                return OrderAnswer(order.client_id, OrderStatus.REJECTED, detail=detail)
            case RateLimited(retry_after=retry_after):
                self._venue_error(breaker, now, "rate limited")
                self._quiet_until[order.venue] = now + retry_after
                return OrderAnswer(order.client_id, OrderStatus.RATE_LIMITED, detail=f"retry after {retry_after:g}s")
            case Unknown(reason=reason):
                self._venue_error(breaker, now, reason)
                self.ledger.record_order_answer(OrderAnswer(order.client_id, OrderStatus.UNKNOWN, detail=reason))
                return None
        raise TypeError(f"unexpected outcome {outcome!r}")

    def _venue_error(self, breaker: CircuitBreaker, now: float, error: str) -> None:
        if breaker.on_error(now, error):
            self.metrics.breaker.labels(breaker.venue).set(1)
            self.alerts.raise_alert("breaker_open", f"{breaker.venue} circuit breaker opened after "
                                    f"{breaker.consecutive_errors} consecutive errors for "
                                    f"{breaker.current_cooldown():g}s; last: {error}", venue=breaker.venue)

    async def _ask(self, order: Order) -> Answer:
        """Ask the venue about an order until it gives an answer that can be believed."""
        self.asking.add(order.client_id)
        try:
            return await self._ask_until_known(order)
        finally:
            self.asking.discard(order.client_id)

    async def _ask_until_known(self, order: Order) -> Answer:
        venue = self.venues[order.venue]
        tries = 0
        while True:
            answer = await venue.get_order(order.client_id, order.market)
            if isinstance(answer, (OrderOpen, OrderFinal)):
                return answer
            if isinstance(answer, OrderNotFound):
                wait = self.settings.not_found_grace_s - _age_s(order)
                if wait <= 0:
                    return answer
                log.info("%s not found at %s yet; asking again in %.2fs", order.client_id, order.venue, wait,
                         extra={"trade_id": order.trade_id, "leg": order.role.value, "client_id": order.client_id})
                await asyncio.sleep(wait)
                continue
            delay = _ASK_BACKOFF[min(tries, len(_ASK_BACKOFF) - 1)]
            tries += 1
            log.warning("no answer about %s from %s (%s); asking again in %.2fs", order.client_id, order.venue,
                        answer, delay,
                        extra={"trade_id": order.trade_id, "leg": order.role.value, "client_id": order.client_id})
            await asyncio.sleep(delay)

    async def _await(self, order: Order) -> Answer:
        """An order is open at the venue: wait for its end. An IOC order should end at once; one that stays open
        past the timeout is cancelled, and its final answer still awaited."""
        venue = self.venues[order.venue]
        answer = await venue.await_final(order.client_id, order.market, self.settings.order_timeout_s)
        if isinstance(answer, (OrderFinal, OrderOpen)):
            if isinstance(answer, OrderOpen):
                log.warning("%s still open after %.1fs; cancelling", order.client_id, self.settings.order_timeout_s,
                            extra={"trade_id": order.trade_id, "leg": order.role.value})
                await venue.cancel_order(order.client_id, order.market)
            return answer
        return await self._ask(order)

    async def _respect_rate_limit(self, venue: str, deadline: float) -> None:
        """A venue that answered 429 is left alone for its retry-after, within the budget's deadline."""
        wait = min(self._quiet_until.get(venue, 0.0), deadline) - self.clock()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _venue_confirms(self, trade: Trade) -> tuple[bool, str]:
        """Whether the venue's own position matches what the ledger expects on the unwound venue."""
        q = trade.quantities
        venue, market = q.exposure_venue, q.exposure_market
        assert venue is not None and market is not None
        reported = await self.venues[venue].positions()
        if isinstance(reported, Unknown):
            return False, f"position query failed: {reported.reason}"
        actual = reported.by_market.get(market, Decimal(0))
        expected = self.ledger.expected_positions().get(venue, {}).get(market, Decimal(0))
        detail = f"{venue} {market} venue {fmt(actual)}, ledger {fmt(expected)}"
        return abs(actual - expected) <= self.settings.tolerance[venue], detail

    # --- prices --------------------------------------------------------------------------------------------------

    async def _reference(self, venue: str, side: Side, size: Decimal, fallback: Decimal | None,
                         wait_s: float = 10.0) -> Decimal:
        """The worst price ``size`` reaches in the venue's book now; right after a start the book may not have
        arrived yet, so wait for it a little before falling back to the leg's last limit."""
        deadline = self.clock() + wait_s
        while True:
            bids, asks = self.levels(venue, 50)
            price = sweep_price(asks if side is Side.BUY else bids, size)
            if price is not None:
                return price
            if fallback is not None:
                return fallback
            if self.clock() > deadline:
                raise RuntimeError(f"no {venue} book to price an order on after {wait_s:g}s")
            await asyncio.sleep(0.05)

    def _last_limit(self, view: Trade, venue: str) -> Decimal | None:
        return next((o.limit_price for o in reversed(view.orders) if o.venue == venue and o.limit_price), None)

    async def _hedge_price(self, view: Trade, size: Decimal, attempt: int) -> Decimal:
        assert view.leg_b is not None
        leg = view.leg_b
        s = self.settings
        slippage = escalate(s.hedge_slippage_bps, s.hedge_max_slippage_bps, attempt, s.hedge_attempts)
        reference = await self._reference(leg.venue, leg.side, size, self._last_limit(view, leg.venue))
        return protective_price(reference, leg.side, slippage, self.specs[leg.venue].tick)

    async def _unwind_price(self, view: Trade, venue: str, size: Decimal, slippage: Decimal) -> Decimal:
        side = unwind_side(view.quantities)
        reference = await self._reference(venue, side, size, self._last_limit(view, venue))
        return protective_price(reference, side, slippage, self.specs[venue].tick)

    def _tradable(self, venue: str, size: Decimal) -> Decimal:
        """``size`` down to the venue's step; zero when that is below its minimum order."""
        spec = self.specs[venue]
        size = (size / spec.step).to_integral_value(rounding=ROUND_FLOOR) * spec.step
        return size if size >= spec.min_size else Decimal(0)
