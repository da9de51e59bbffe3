"""The engine's pure decisions: risk checks, the circuit breaker, exits and pricing. No sockets."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pyarb.engine.breaker import BreakerState, CircuitBreaker
from pyarb.engine.executor import escalate, protective_price, sweep_price
from pyarb.engine.exits import ClosePlan, ExitRules, close_plan, entry_cash_usd, exit_reason
from pyarb.engine.risk import Proposal, RiskLimits, RiskState, check_open
from pyarb.model import Side
from pyarb.trade import Order, OrderStatus, Role

LIMITS = RiskLimits(max_open_pairs=2, max_position={"edgex": D("0.02"), "paradex": D("0.02")},
                    max_notional_usd=D("1000"), daily_loss_limit_usd=D("50"), cooldown_after_trade_s=1.0,
                    cooldown_after_failure_s=10.0, max_in_flight_per_pair=1)
PROPOSAL = Proposal("edgex", "paradex", D("0.005"), D("122000"), step=D("0.001"), min_size=D("0.001"))


def state(**overrides) -> RiskState:
    base = dict(now=100.0, halted=None, open_pairs=0, in_flight=0, unresolved_orders=0,
                positions={"edgex": D(0), "paradex": D(0)}, pnl_today_usd=D(0), last_trade_at=None,
                last_failure_at=None, breaker_allows={"edgex": True, "paradex": True})
    return RiskState(**{**base, **overrides})


def test_risk_allows_a_clean_opportunity_at_its_size() -> None:
    decision = check_open(LIMITS, state(), PROPOSAL)
    assert decision.allowed and decision.size == D("0.005")


@pytest.mark.parametrize("overrides, reason", [
    ({"halted": "operator"}, "halted"),
    ({"unresolved_orders": 1}, "unknown outcome"),
    ({"in_flight": 1}, "in flight"),
    ({"open_pairs": 2}, "max open pairs"),
    ({"pnl_today_usd": D("-50")}, "daily loss limit"),
    ({"last_failure_at": 95.0}, "after a failure"),
    ({"last_trade_at": 99.5}, "after a trade"),
    ({"breaker_allows": {"edgex": False, "paradex": True}}, "edgex circuit breaker"),
])
def test_risk_refuses_with_the_reason(overrides, reason) -> None:
    decision = check_open(LIMITS, state(**overrides), PROPOSAL)
    assert not decision.allowed and reason in decision.reason


def test_risk_cuts_size_to_notional_and_position_headroom_and_the_step() -> None:
    limits = RiskLimits(2, {"edgex": D("0.02"), "paradex": D("0.02")}, D("500"), D("50"), 1.0, 10.0)
    assert check_open(limits, state(), PROPOSAL).size == D("0.004")  # 500/122000 = 0.0041 -> 0.004
    near_cap = state(positions={"edgex": D("0.0175"), "paradex": D("-0.0175")})
    assert check_open(LIMITS, near_cap, PROPOSAL).size == D("0.002")
    full = state(positions={"edgex": D("0.0195"), "paradex": D("-0.0195")})
    refused = check_open(LIMITS, full, PROPOSAL)
    assert not refused.allowed and "below the minimum order" in refused.reason


def test_breaker_opens_after_n_errors_backs_off_and_lets_one_probe_through() -> None:
    b = CircuitBreaker("edgex", threshold=3, cooldown_s=10, max_cooldown_s=25)
    assert not b.on_error(0, "e1") and not b.on_error(1, "e2")
    assert b.on_error(2, "e3")
    assert b.state(5) is BreakerState.OPEN and not b.allow(5)
    assert b.state(12) is BreakerState.HALF_OPEN and b.allow(12)
    b.on_attempt(12)
    assert not b.allow(12.5)  # one probe at a time
    assert b.on_error(13, "probe failed")  # reopens, for longer
    assert b.current_cooldown() == 20 and b.state(30) is BreakerState.OPEN and b.state(34) is BreakerState.HALF_OPEN
    b.on_attempt(34)
    b.on_error(35, "again")
    assert b.current_cooldown() == 25  # capped
    b.on_success()
    assert b.state(35) is BreakerState.CLOSED and b.allow(35) and b.consecutive_errors == 0


def test_close_plan_reverses_the_hedged_size_of_a_pair() -> None:
    plan = close_plan({"edgex": {"BTCUSD": D("0.005")}, "paradex": {"BTC-USD-PERP": D("-0.0038")}}, D("0.001"))
    assert plan == ClosePlan("buy_paradex_sell_edgex", "paradex", "edgex", D("0.003"))
    assert close_plan({"edgex": {"BTCUSD": D("0.005")}}, D("0.001")) is None


def test_exit_reasons() -> None:
    rules = ExitRules(exit_edge_bps=D("-2"), max_hold_s=60, stop_loss_usd=D("5"))
    assert exit_reason(rules, 10, D("1"), -5.0, D("-0.3")) is None
    assert "converged" in exit_reason(rules, 10, D("1"), -1.5, D("-0.1"))
    assert "held" in exit_reason(rules, 61, D("1"), -5.0, D("-0.3"))
    assert "stop loss" in exit_reason(rules, 10, D("-4"), -9.0, D("-1.5"))
    assert exit_reason(rules, 61, D("1"), None, None) is None  # nothing to price a close with


def test_sweep_and_protective_prices() -> None:
    asks = [("100.0", "0.002"), ("100.5", "0.002"), ("101.0", "1")]
    assert sweep_price(asks, D("0.001")) == D("100.0")
    assert sweep_price(asks, D("0.003")) == D("100.5")
    assert sweep_price(asks, D("5")) == D("101.0")  # thinner than the size: the last level
    assert sweep_price([], D("1")) is None
    assert protective_price(D("100000"), Side.BUY, D("10"), D("0.1")) == D("100100.0")
    assert protective_price(D("100000.05"), Side.SELL, D("0"), D("0.1")) == D("100000.0")
    assert escalate(D("5"), D("30"), 1, 3) == D("5") and escalate(D("5"), D("30"), 3, 3) == D("30")


def _order(role: Role, side: Side, filled: str, price: str, fee: str) -> Order:
    return Order(1, 1, role, 1, "edgex", "BTCUSD", side, D(filled), D(price), False, "c", OrderStatus.FINAL,
                 D(filled), D(price), D(fee), None, None, "", "")


def test_entry_cash_counts_only_the_hedged_quantity() -> None:
    orders = [_order(Role.LEG_A, Side.BUY, "0.005", "122000", "0.2"),
              _order(Role.HEDGE, Side.SELL, "0.0038", "122400", "0.1")]
    # 0.0038 hedged at 400 USD apart, less both fees; the 0.0012 bought but not sold is exposure, not a loss
    assert entry_cash_usd(orders) == D("0.0038") * 400 - D("0.3")
