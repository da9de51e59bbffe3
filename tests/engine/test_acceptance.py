"""The engine's acceptance tests (issue 5): two simulator processes and ``pyarb run`` as a subprocess, driven only
through the CLI and the simulators' ``/_sim/`` hooks."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from harness import Engine, Venues, post, pyarb, wait_for

EDGEX_STEP = Decimal("0.001")

pytestmark = pytest.mark.timeout(180)


def _no_success_claims(engine: Engine) -> None:
    """No log line calls a trade a success unless that trade is complete."""
    complete = {t["id"] for t in engine.trades() if t["state"] == "complete"}
    for line in engine.log_lines():
        text = re.sub(r"not a success", "", line.get("msg", ""), flags=re.IGNORECASE)
        if re.search(r"success|succeeded|\bcomplete\b|position opened", text, re.IGNORECASE):
            assert line.get("trade_id") in complete, f"claims success for a trade that is not complete: {text}"


def test_the_incident_replayed_leaves_no_exposure_and_records_every_attempt(venues: Venues, engine: Engine) -> None:
    # EdgeX answers every order with the incident's error; a forced dislocation keeps the spread open.
    post(venues.edgex.url, "/_sim/faults",
         {"order_error": {"code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error", "http_status": 200,
                          "count": None}})
    venues.dislocate()
    engine.config.write_text(engine.config.read_text().replace("cooldown_after_failure_s = 0.2",
                                                               "cooldown_after_failure_s = 0"))
    engine.start()
    status = wait_for(lambda: (s := engine.status())["engine"] and s["engine"]["breakers"].get("edgex", {}).get(
        "state") == "open" and s, what="the EdgeX breaker to open")
    wait_for(lambda: not engine.status()["in_flight"], what="the last attempt to end")
    assert engine.stop() == 0

    assert status["engine"]["opportunities"] >= 7
    assert venues.positions() == (Decimal(0), Decimal(0))
    assert venues.orders(venues.paradex) == []  # leg B is sent only for what leg A filled: nothing
    trades = engine.trades()
    assert len(trades) >= 3
    for t in trades:
        assert t["state"] == "unfilled", t
        (leg_a,) = t["orders"]
        assert leg_a["venue"] == "edgex" and leg_a["status"] == "not_found"
        assert "GATEWAY_INTERNAL_ERROR" in leg_a["detail"]
    assert any("edgex circuit breaker opened" in line.get("msg", "") for line in engine.log_lines())
    _no_success_claims(engine)


def test_leg_b_failing_after_leg_a_filled_is_unwound_and_both_venues_end_flat(venues: Venues,
                                                                            engine: Engine) -> None:
    post(venues.paradex.url, "/_sim/faults",
         {"order_error": {"code": "VALIDATION_ERROR", "msg": "rejected by test", "http_status": 400, "count": None}})
    venues.dislocate()
    engine.start()
    trade = engine.first_trade_done()
    assert engine.stop() == 0

    assert trade["state"] == "flattened", trade["state"]
    roles = [o["role"] for o in trade["orders"]]
    assert roles[0] == "leg_a" and "hedge" in roles and roles[-1] == "unwind"
    assert all(o["status"] == "rejected" for o in trade["orders"] if o["role"] == "hedge")
    assert all(o["reduce_only"] for o in trade["orders"] if o["role"] == "unwind")
    assert venues.positions() == (Decimal(0), Decimal(0))
    history = [step["to_state"] for step in engine.trade(trade["id"])["transitions"]]
    assert history[-3:] == ["orphaned", "unwinding", "flattened"]
    _no_success_claims(engine)


def test_leg_b_filling_partly_is_hedged_or_unwound_within_one_step(venues: Venues, engine: Engine) -> None:
    post(venues.paradex.url, "/_sim/faults", {"fill_ratio": 0.76})
    venues.dislocate()
    engine.start()
    trade = engine.first_trade_done()
    assert engine.stop() == 0

    first_hedge = next(o for o in trade["orders"] if o["role"] == "hedge")
    assert Decimal(first_hedge["filled"]) == Decimal("0.0038")  # 0.76 of 0.005
    assert len([o for o in trade["orders"] if o["role"] in ("hedge", "unwind")]) > 1  # the 0.0012 was acted on
    edgex, paradex = venues.positions()
    assert abs(edgex + paradex) <= EDGEX_STEP
    assert trade["state"] in ("complete", "flattened", "residual")


def test_a_lost_leg_a_response_is_found_by_asking_without_a_duplicate(venues: Venues, engine: Engine) -> None:
    post(venues.edgex.url, "/_sim/faults", {"lose_response": {"count": 1}})
    venues.dislocate()
    engine.start()
    trade = engine.first_trade_done()
    assert engine.stop() == 0

    assert trade["state"] == "complete"
    leg_a = trade["orders"][0]
    edgex_orders = [o for o in venues.orders(venues.edgex) if o["client_id"] == leg_a["client_id"]]
    assert len(edgex_orders) == 1  # found by asking, never sent twice
    events = engine.trade(trade["id"])["order_events"][leg_a["client_id"]]
    assert any(e["status"] == "unknown" for e in events)
    edgex, paradex = venues.positions()
    assert edgex + paradex == 0 and edgex > 0


def test_sigkill_while_the_hedge_is_in_flight_then_restart_resumes_to_net_flat(venues: Venues,
                                                                              engine: Engine) -> None:
    post(venues.paradex.url, "/_sim/faults", {"latency_ms": 1500})
    venues.dislocate()
    engine.start()
    wait_for(lambda: any(t["state"] == "hedging" for t in engine.trades()), what="a hedge in flight")
    engine.kill()  # SIGKILL: no chance to clean up
    (in_flight,) = [t for t in engine.trades() if not t["terminal"]]
    assert in_flight["state"] == "hedging"

    post(venues.paradex.url, "/_sim/faults", {"latency_ms": 0})
    restarted = Engine(engine.tmp, venues)
    restarted.config = engine.config
    restarted.start()
    try:
        wait_for(lambda: restarted.trade(in_flight["id"])["terminal"], what="the resumed trade to end")
    finally:
        assert restarted.stop() == 0
    resumed = restarted.trade(in_flight["id"])
    assert resumed["state"] == "complete"
    edgex, paradex = venues.positions()
    assert edgex + paradex == 0
    hedges = [o for o in resumed["orders"] if o["role"] == "hedge"]
    assert len([o for o in venues.orders(venues.paradex) if o["client_id"] == hedges[0]["client_id"]]) == 1
    assert any("in flight at start" in line.get("msg", "") for line in restarted.log_lines())


def test_halt_stops_opening_and_resume_reverses_it(venues: Venues, engine: Engine, tmp_path: Path) -> None:
    # room for pairs the simulators' own dislocations may open before the halt
    engine.config.write_text(engine.config.read_text().replace("max_open_pairs = 1", "max_open_pairs = 50"))
    engine.start()
    wait_for(lambda: (s := engine.status())["engine"] and s["engine"]["running"], what="the engine to run")
    pyarb("halt", "--db", str(engine.db), "--reason", "test halt", cwd=tmp_path)
    wait_for(lambda: engine.status()["engine"]["halt_seen"], what="the engine to see the halt")
    wait_for(lambda: not engine.status()["in_flight"], what="trades begun before the halt to end")
    before = len(engine.trades())  # the simulators' own dislocations may have traded before the halt
    venues.dislocate()
    seen = engine.status()["engine"]["opportunities"]
    wait_for(lambda: engine.status()["engine"]["opportunities"] > seen + 20, what="opportunities while halted")
    assert len(engine.trades()) == before
    pyarb("resume", "--db", str(engine.db), cwd=tmp_path)
    wait_for(lambda: len(engine.terminal_trades()) > before, what="a trade after resume")
    assert engine.stop() == 0
