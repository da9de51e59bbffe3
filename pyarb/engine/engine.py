"""The engine: books in, trades out, the ledger written ahead of every action.

Asyncio tasks only move bytes and call pure decisions:

- one feed task per venue hands each raw book frame to the Rust ``Books`` (one call per frame) and, on an
  opportunity, asks the risk checks (pure) and opens a trade: committed ``pending`` in the ledger, then its
  legs go out through the :class:`~pyarb.engine.executor.Executor`;
- open pairs are checked against their exit rules (pure) on the same frames;
- a control task follows ``pyarb halt``/``resume``, the reconciliation schedule and the status file.

On start, before anything opens, every trade the ledger shows in flight is resumed, and positions are
reconciled with the venues. On SIGINT/SIGTERM the engine stops opening, lets trades in flight finish within a
grace period, and otherwise leaves them resumable: every step was committed before it was taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import orjson

from pyarb.alerts import Alerts
from pyarb.books import Books, Direction, Opportunity, Quote
from pyarb.config import Config
from pyarb.engine.breaker import CircuitBreaker
from pyarb.engine.controls import HALT, LAST_RECONCILIATION
from pyarb.engine.executor import ExecutionSettings, Executor
from pyarb.engine.exits import ExitRules, close_plan, entry_cash_usd, exit_reason
from pyarb.engine.reconcile import Reconciliation, reconcile, tolerances
from pyarb.engine.risk import Decision, Proposal, RiskLimits, RiskState, check_open
from pyarb.ledger import Ledger, Pair
from pyarb.metrics import BREAKER_STATE_VALUE, Metrics
from pyarb.model import MarketSpec, Side, fmt
from pyarb.trade import Kind, Leg, Trade
from pyarb.venues.base import Fills, VenueClient

log = logging.getLogger("pyarb.engine")

_SETTLE_S = 0.5  # quiet time after the last trade before positions are compared


def _now_ms() -> int:
    return time.monotonic_ns() // 1_000_000


def _utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class _Memory:
    """What the risk checks need, refreshed from the ledger whenever a trade ends (never per frame)."""

    open_pairs: list[Pair] = field(default_factory=list)
    entry_cash: dict[int, Decimal] = field(default_factory=dict)  # pair id -> what opening it netted (USD)
    positions: dict[str, Decimal] = field(default_factory=dict)
    pnl_today: Decimal = Decimal(0)
    pnl_day: str = ""  # the UTC day pnl_today is of: a new day starts from its own PnL
    last_trade_at: float | None = None
    last_failure_at: float | None = None
    daily_limit_alerted: str = ""


class Engine:
    def __init__(self, config: Config, ledger: Ledger, venues: Mapping[str, VenueClient], *,
                 markets: Mapping[str, str], alerts: Alerts, metrics: Metrics, status_path: Path | None = None,
                 mode: str = "live") -> None:
        self.config = config
        self.ledger = ledger
        self.venues = dict(venues)
        self.markets = dict(markets)
        self.alerts = alerts
        self.metrics = metrics
        self.status_path = status_path
        self.mode = mode
        self.started_at = _utc()
        b = config.breaker
        self.breakers = {v: CircuitBreaker(v, b.errors, b.cooldown_s, b.max_cooldown_s) for v in self.venues}
        self.events: deque[str] = deque(maxlen=12)  # the latest notable events, for the dashboard and status
        self.opening = False  # True once resumed trades are done and the start reconciliation ran (a mismatch halts)
        self.halt: dict[str, Any] | None = None
        self.last_reconciliation: Reconciliation | None = None
        self.opportunities = 0
        self.specs: dict[str, MarketSpec] = {}
        self.tolerance: dict[str, Decimal] = {}  # per venue, set by start()
        self.books: Books | None = None
        self.executor: Executor | None = None
        self._memory = _Memory()
        self._trades: dict[int, asyncio.Task[Trade]] = {}
        self._tasks: list[asyncio.Task[Any]] = []
        self._side_tasks: set[asyncio.Task[Any]] = set()  # short-lived work off the trading path
        self._stopping = asyncio.Event()
        self._reconcile_soon = asyncio.Event()
        self._refusals: dict[str, float] = {}
        self._last_exit_check = 0.0
        ledger.commit_observer = metrics.ledger_commit.observe

    # --- life cycle --------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect to the venues and build the books from their market metadata."""
        await asyncio.gather(*(client.start() for client in self.venues.values()))
        self.specs = {v: self.venues[v].market_spec(self.markets[v]) for v in self.venues}
        s = self.config.strategy
        self.books = Books(self.specs["edgex"], self.specs["paradex"], min_edge_bps=s.entry_edge_bps,
                           max_size=s.max_size, max_age_ms=s.max_book_age_ms)
        # what every opportunity, pair and position is checked against, fixed once the venues' metadata is known
        self.tolerance = tolerances(self.config.reconcile.tolerance, self.specs)
        self._step = max(spec.step for spec in self.specs.values())  # a size both venues can trade
        self._min_size = max(spec.min_size for spec in self.specs.values())
        r = self.config.risk
        self._limits = RiskLimits(r.max_open_pairs, dict(r.max_position_btc), r.max_notional_usd,
                                  r.daily_loss_limit_usd, r.cooldown_after_trade_s, r.cooldown_after_failure_s,
                                  r.max_in_flight)
        self._exit_rules = ExitRules(s.exit_edge_bps, r.max_hold_s, r.stop_loss_usd)
        self.executor = Executor(self.ledger, self.venues, self.specs, self.books.levels, self._settings(),
                                 self.breakers, self.alerts, self.metrics)
        self.halt = self.ledger.control(HALT)
        self._refresh_memory()
        for venue, spec in self.specs.items():
            log.info("%s %s: tick %s, step %s, min %s, taker fee %s", venue, spec.market, spec.tick, spec.step,
                     spec.min_size, spec.taker_fee, extra={"venue": venue})

    def _settings(self) -> ExecutionSettings:
        c = self.config
        return ExecutionSettings(
            order_timeout_s=c.engine.order_timeout_s, not_found_grace_s=c.engine.not_found_grace_s,
            hedge_attempts=c.hedge.attempts, hedge_budget_s=c.hedge.budget_s,
            hedge_slippage_bps=c.hedge.slippage_bps, hedge_max_slippage_bps=c.hedge.max_slippage_bps,
            unwind_slippage_bps=tuple(c.unwind.slippage_bps), confirm_attempts=c.unwind.confirm_attempts,
            tolerance=self.tolerance)

    async def run(self, duration: float | None = None) -> None:
        """Trade until ``duration`` passes or :meth:`stop` is called; then shut down in order."""
        assert self.books is not None and self.executor is not None
        self._tasks = [asyncio.create_task(self._feed(v), name=f"feed:{v}") for v in self.venues]
        self._tasks.append(asyncio.create_task(self._control(), name="control"))
        try:
            await self._resume_in_flight()
            await self._reconcile("start")
            self.opening = True
            self._tasks.append(asyncio.create_task(self._reconcile_loop(), name="reconcile"))
            if duration is None:
                await self._stopping.wait()
            else:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), duration)
        finally:
            await self._shutdown()

    def stop(self) -> None:
        """Stop opening and shut down (what SIGINT and SIGTERM do)."""
        self._stopping.set()

    async def _shutdown(self, grace_s: float = 10.0) -> None:
        self.opening = False
        self._stopping.set()
        log.info("stopping: no new trades open")
        running = [t for t in self._trades.values() if not t.done()]
        if running:
            log.info("waiting up to %.0fs for %d trade(s) in flight", grace_s, len(running))
            _done, pending = await asyncio.wait(running, timeout=grace_s)
            for task in pending:  # each step was committed before it was taken: a restart resumes it
                task.cancel()
            if pending:
                log.warning("%d trade(s) left in flight; the next start resumes them", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._write_status()
        await asyncio.gather(*(client.close() for client in self.venues.values()), return_exceptions=True)
        log.info("stopped")

    # --- trades ------------------------------------------------------------------------------------------------

    def _spawn_trade(self, trade: Trade, run: Coroutine[Any, Any, Trade]) -> None:
        task = asyncio.create_task(run, name=f"trade:{trade.id}")
        self._trades[trade.id] = task
        task.add_done_callback(lambda t, tid=trade.id: self._trade_done(tid, t))

    def _trade_done(self, trade_id: int, task: asyncio.Task[Trade]) -> None:
        self._trades.pop(trade_id, None)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.critical("trade %s stopped on an error; it stays in flight and is resumed on restart: %r", trade_id,
                         exc, exc_info=exc, extra={"trade_id": trade_id})
            self._set_halt(f"trade {trade_id} stopped on an error: {exc}", "engine")
            return
        trade = task.result()
        now = time.monotonic()
        self._memory.last_trade_at = now
        if trade.state != "complete":
            self._memory.last_failure_at = now
        q = trade.quantities
        self._event(f"trade {trade.id} ({trade.kind.value}) {trade.state}: A {fmt(q.filled_a)}, B {fmt(q.filled_b)}"
                    + (f", residual {fmt(q.residual)}" if q.residual else ""))
        self._refresh_memory()
        self._reconcile_soon.set()
        self._background(self._record_fills(trade))

    def _event(self, text: str) -> None:
        """A notable event for the dashboard and the status file, stamped with the UTC time of day."""
        self.events.append(f"{_utc()[11:19]} {text}")

    def _background(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _record_fills(self, trade: Trade) -> None:
        """Keep the venues' own fills of a trade that ended: the detail behind each order's answer."""
        ours = {o.client_id for o in trade.orders}
        since = int(datetime.fromisoformat(trade.created_at).timestamp() * 1000) - 5_000
        for venue in {o.venue for o in trade.orders}:
            answer = await self.venues[venue].fills_since(since)
            if not isinstance(answer, Fills):
                log.warning("fills of trade %s on %s not recorded: %s", trade.id, venue, answer,
                            extra={"trade_id": trade.id, "venue": venue})
                continue
            fills = [f for f in answer.fills if f.client_id in ours]
            if fills:
                self.ledger.record_fills(venue, fills)

    async def _resume_in_flight(self) -> None:
        """Before anything opens: drive every trade the ledger shows in flight to its end."""
        assert self.executor is not None
        in_flight = self.ledger.in_flight()
        if not in_flight:
            return
        self.alerts.raise_alert("start_with_trades_in_flight",
                                f"{len(in_flight)} trade(s) in flight at start: "
                                + ", ".join(f"{t.id} ({t.state})" for t in in_flight))
        for trade in in_flight:
            log.warning("resuming trade %s from %s", trade.id, trade.state, extra={"trade_id": trade.id})
            self._spawn_trade(trade, self.executor.drive(trade))
        await asyncio.gather(*list(self._trades.values()), return_exceptions=True)

    def _risk_state(self, now: float) -> RiskState:
        m = self._memory
        assert self.executor is not None
        return RiskState(
            now=now, halted=self.halt["reason"] if self.halt else None, open_pairs=len(m.open_pairs),
            in_flight=len(self._trades), unresolved_orders=len(self.executor.asking), positions=m.positions,
            pnl_today_usd=m.pnl_today, last_trade_at=m.last_trade_at, last_failure_at=m.last_failure_at,
            breaker_allows={v: b.allow(now) for v, b in self.breakers.items()})

    def _on_opportunity(self, quote: Quote, decided_ns: int) -> None:
        self.opportunities += 1
        self.metrics.opportunities.labels(quote.direction).inc()
        if not self.opening or self._stopping.is_set():
            return
        now = time.monotonic()
        proposal = Proposal(quote.buy_venue, quote.sell_venue, Decimal(quote.size), Decimal(quote.buy_vwap),
                            self._step, self._min_size)
        decision = check_open(self._limits, self._risk_state(now), proposal)
        if not decision.allowed:
            self._refused(decision, now)
            return
        if not self._streamed_positions_agree():
            self._refused(Decision(False, "streamed positions disagree with the ledger; reconciling"), now)
            self._reconcile_soon.set()
            return
        self._open(quote, decision.size, decided_ns)

    def _refused(self, decision: Decision, now: float) -> None:
        """Refusals repeat on every frame: log each reason at most every few seconds."""
        if now - self._refusals.get(decision.reason, -1e9) >= 5.0:
            self._refusals[decision.reason] = now
            log.info("opportunity not taken: %s", decision.reason)

    def _open(self, quote: Quote, size: Decimal, decided_ns: int) -> None:
        assert self.books is not None
        if size != Decimal(quote.size):  # the risk checks cut it: price the smaller size
            smaller = self.books.quote(quote.direction, size, _now_ms())
            if smaller is None:
                return
            quote = smaller
        opp = Opportunity.of(quote)
        self._start_trade(Kind.OPEN, opp, None, f"{opp.direction} {fmt(opp.size)} at {opp.edge_bps:.2f} bps net "
                                                f"({fmt(opp.edge_usd)} USD)", decided_ns)

    def _start_trade(self, kind: Kind, opp: Opportunity, pair_id: int | None, reason: str, decided_ns: int) -> None:
        """Record the trade (``pending``, leg A's order and, concurrent, leg B's), then send its legs. Leg A is the
        configured venue's side of the opportunity, at the limit price its walk reached."""
        assert self.executor is not None
        buy = Leg(opp.buy_venue, self.markets[opp.buy_venue], Side.BUY)
        sell = Leg(opp.sell_venue, self.markets[opp.sell_venue], Side.SELL)
        leg_a, leg_b = (buy, sell) if buy.venue == self.config.engine.leg_a else (sell, buy)
        limit = {Side.BUY: opp.buy_limit, Side.SELL: opp.sell_limit}
        policy = self.config.engine.leg_policy
        now = time.monotonic()
        for venue in (leg_a.venue, leg_b.venue):
            self.breakers[venue].on_attempt(now)
        trade = self.ledger.create_trade(kind, leg_a, leg_b, opp.size, limit[leg_a.side],
                                         limit[leg_b.side] if policy == "concurrent" else None, policy=policy,
                                         pair_id=pair_id, reason=reason)
        self._spawn_trade(trade, self.executor.execute(trade, decided_ns))

    def _check_exits(self, now_ms: int) -> None:
        """Close an open pair when its spread has converged, it has been held too long, or it hits the stop."""
        assert self.books is not None and self.executor is not None
        if not self.opening or self._trades or self.halt or self._stopping.is_set():
            return
        now = time.monotonic()
        if now - self._last_exit_check < 0.05:
            return
        self._last_exit_check = now
        for pair in self._memory.open_pairs:
            if pair.status != "open":
                continue
            plan = close_plan(pair.positions, self._step)
            if plan is None:
                continue
            quote = self.books.quote(plan.direction, plan.size, now_ms)
            held_s = (datetime.now(UTC) - datetime.fromisoformat(pair.opened_at)).total_seconds() \
                if pair.opened_at else 0.0
            reason = exit_reason(self._exit_rules, held_s, self._memory.entry_cash.get(pair.id, Decimal(0)),
                                 quote.edge_bps if quote else None, Decimal(quote.edge_usd) if quote else None)
            if reason is None or quote is None:
                continue
            self._close(pair, quote, reason)
            return

    def _close(self, pair: Pair, quote: Quote, reason: str) -> None:
        self._event(f"closing pair {pair.id}: {reason}")
        self._start_trade(Kind.CLOSE, Opportunity.of(quote), pair.id, f"close pair {pair.id}: {reason}",
                          time.monotonic_ns())

    # --- memory, halts and reconciliation ----------------------------------------------------------------------

    def _refresh_memory(self) -> None:
        m = self._memory
        m.open_pairs = self.ledger.open_pairs()
        m.entry_cash = {p.id: entry_cash_usd(o for tid in p.trade_ids for o in self.ledger.trade(tid).orders)
                        for p in m.open_pairs}
        expected = self.ledger.expected_positions()
        m.positions = {v: expected.get(v, {}).get(self.markets[v], Decimal(0)) for v in self.venues}
        for venue, q in m.positions.items():
            self.metrics.exposure.labels(venue).set(float(q))
        self._refresh_pnl(datetime.now(UTC).date().isoformat())

    def _refresh_pnl(self, day: str) -> None:
        m = self._memory
        m.pnl_day, m.pnl_today = day, self.ledger.daily_pnl(day).net
        if m.pnl_today <= -self.config.risk.daily_loss_limit_usd and m.daily_limit_alerted != day:
            m.daily_limit_alerted = day
            self.alerts.raise_alert("daily_loss_limit", f"daily loss limit hit: {fmt(m.pnl_today)} USD today; "
                                    f"no new pair opens until tomorrow (UTC)", pnl=fmt(m.pnl_today))

    def _streamed_positions_agree(self) -> bool:
        """Before each trade: the private streams' positions against the ledger. A venue whose stream has not
        reported yet is not held against it; a stream that lags the last trade refuses this opportunity only
        (the caller asks for a reconciliation, which settles it)."""
        for venue, client in self.venues.items():
            streamed = client.streamed_positions()
            if streamed is None:
                continue
            actual = streamed.by_market.get(self.markets[venue], Decimal(0))
            if abs(actual - self._memory.positions.get(venue, Decimal(0))) > self.tolerance[venue]:
                return False
        return True

    def _set_halt(self, reason: str, source: str) -> None:
        if self.halt and self.halt.get("reason") == reason:
            return
        self.halt = {"reason": reason, "source": source, "time": _utc()}
        self.ledger.set_control(HALT, self.halt)
        self._event(f"HALT ({source}): {reason}")
        self.alerts.raise_alert("halt", f"opening halted ({source}): {reason}", source=source)

    def _clear_halt(self, why: str) -> None:
        self.halt = None
        self.ledger.set_control(HALT, None)
        self._event(f"halt cleared: {why}")
        log.warning("halt cleared: %s", why)

    async def _reconcile(self, when: str) -> Reconciliation:
        """Compare the ledger with the venues; on a mismatch beyond tolerance, alert and halt opening (trades in
        flight are still managed). With ``reconcile.auto_flatten``, close the unexplained residual."""
        markets = {v: (m,) for v, m in self.markets.items()}
        result = await reconcile(self.ledger, self.venues, markets, self.tolerance)
        self.last_reconciliation = result
        self.ledger.set_control(LAST_RECONCILIATION, {"when": when, **result.as_json()})
        for check in result.checks:
            self.metrics.reconcile_mismatch.labels(check.venue).set(1 if check.matches is False else 0)
        for venue, why in result.skipped.items():
            log.warning("reconciliation (%s) skipped %s: %s", when, venue, why, extra={"venue": venue})
        if result.ok:
            if self.halt and self.halt.get("source") == "reconcile":
                self._clear_halt(f"reconciliation ({when}) matches again")
            return result
        self.alerts.raise_alert("reconcile_mismatch", f"reconciliation ({when}): {result.summary()}")
        self._set_halt(f"ledger and venues disagree: {result.summary()}", "reconcile")
        if self.config.reconcile.auto_flatten and not self._trades:
            await self._auto_flatten(result)
        return result

    async def _auto_flatten(self, result: Reconciliation) -> None:
        """Close each unexplained residual that a reduce-only order can close, as a reconciliation trade."""
        assert self.executor is not None
        for check in result.mismatches:
            diff = check.difference
            assert diff is not None and check.actual is not None
            if diff * check.actual <= 0 or abs(diff) > abs(check.actual):
                log.error("%s %s: the venue holds less than the ledger expects (%s); a reduce-only order cannot "
                          "fix that: reconcile --adopt or trade it by hand", check.venue, check.market, fmt(diff))
                continue
            trade = self.ledger.create_flatten(check.venue, check.market, diff,
                                               f"auto-flatten: {fmt(diff)} unexplained on {check.venue} {check.market}")
            self._spawn_trade(trade, self.executor.drive(trade))
        await asyncio.gather(*list(self._trades.values()), return_exceptions=True)
        await self._reconcile("after auto-flatten")

    async def _reconcile_loop(self) -> None:
        """Every ``reconcile.interval_s``, and soon after trades end: once no trade has run for a moment, since
        positions move while trades run and a venue may report a fill a little after answering for it."""
        interval = self.config.reconcile.interval_s
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._reconcile_soon.wait(), interval)
            self._reconcile_soon.clear()
            while self._trades or time.monotonic() - (self._memory.last_trade_at or -1e9) < _SETTLE_S:
                await asyncio.sleep(0.1)
            try:
                await self._reconcile("periodic")
            except Exception:  # a failed reconciliation must not stop the engine; it is retried next round
                log.exception("reconciliation failed")

    async def _control(self) -> None:
        """Follow ``pyarb halt``/``resume`` and the breakers; write the status file."""
        interval = min(0.5, self.config.engine.status_interval_s)
        last_status = 0.0
        while True:
            halt = self.ledger.control(HALT)
            if halt != self.halt:
                log.warning("halt state changed: %s", halt["reason"] if halt else "resumed by operator")
                self._event(f"HALT: {halt['reason']}" if halt else "resumed")
                self.halt = halt
            today = datetime.now(UTC).date().isoformat()
            if today != self._memory.pnl_day:  # the daily loss limit starts afresh at UTC midnight
                self._refresh_pnl(today)
            now = time.monotonic()
            for venue, breaker in self.breakers.items():
                self.metrics.breaker.labels(venue).set(BREAKER_STATE_VALUE[breaker.state(now).value])
            if now - last_status >= self.config.engine.status_interval_s:
                last_status = now
                self._write_status()
            await asyncio.sleep(interval)

    # --- market data -------------------------------------------------------------------------------------------

    async def _feed(self, venue: str) -> None:
        assert self.books is not None
        client = self.venues[venue]
        market = self.markets[venue]
        on_frame = self.books.on_frame
        async for frame in client.book_frames(market):
            now_ms = _now_ms()
            result = on_frame(venue, frame, now_ms)
            if result.resync:
                log.warning("%s book %s: %s; resubscribing for a fresh snapshot", venue, result.reason,
                            result.error, extra={"venue": venue})
                self._event(f"{venue} book {result.reason}: resync")
                asyncio.create_task(client.resync_book(market))
                continue
            if self._memory.open_pairs:  # closing goes first: a close in flight holds back new opens
                self._check_exits(now_ms)
            opportunity = result.opportunity
            if opportunity is not None:
                self._on_opportunity(opportunity, time.monotonic_ns())

    # --- what the engine shows ---------------------------------------------------------------------------------

    def snapshot(self, levels: int = 5) -> dict[str, Any]:
        """Everything the dashboard and ``pyarb status`` show, as plain data (cheap; built on the loop)."""
        now = time.monotonic()
        m = self._memory
        books = {}
        spreads = {}
        if self.books is not None:
            for venue in self.venues:
                bids, asks = self.books.levels(venue, levels)
                books[venue] = {"bids": bids, "asks": asks, "stale": self.books.is_stale(venue)}
            for direction in get_args(Direction):
                quote = self.books.quote(direction, self._min_size, _now_ms())
                spreads[direction] = None if quote is None else {"edge_bps": round(quote.edge_bps, 2),
                                                                 "size": quote.size}
        return {
            "pid": os.getpid(), "mode": self.mode, "started_at": self.started_at, "updated_at": _utc(),
            "opening": self.opening, "halt": self.halt,
            "books": books, "spreads": spreads, "opportunities": self.opportunities,
            "in_flight": sorted(self._trades),
            "open_pairs": [{"id": p.id, "status": p.status, "opened_at": p.opened_at,
                            "positions": {v: {mk: fmt(q) for mk, q in ms.items()} for v, ms in p.positions.items()},
                            "realised": fmt(p.realised), "fees": fmt(p.fees)} for p in m.open_pairs],
            "positions": {v: fmt(q) for v, q in m.positions.items()},
            "pnl_today": fmt(m.pnl_today),
            "breakers": {v: {"state": b.state(now).value, "consecutive_errors": b.consecutive_errors,
                             "cooldown_s": b.current_cooldown(), "last_error": b.last_error}
                         for v, b in self.breakers.items()},
            "last_reconciliation": None if self.last_reconciliation is None else {
                "ok": self.last_reconciliation.ok, "summary": self.last_reconciliation.summary()},
            "events": list(self.events),
            "alerts": [a.text() for a in self.alerts.raised[-5:]],
        }

    def _write_status(self) -> None:
        if self.status_path is None:
            return
        tmp = self.status_path.with_name(self.status_path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(self.snapshot(), default=str))
        tmp.replace(self.status_path)
