from __future__ import annotations

from decimal import Decimal as D

from pyarb.ledger.pnl import Execution, PnL, realise, total


def ex(q, price, fee="0"):
    return Execution("edgex", "BTCUSD", D(q), D(price), D(fee), "2025-10-04")


def test_average_cost_realises_only_what_reduces_and_a_flip_opens_at_its_price():
    fills = [ex("0.002", "100"), ex("0.002", "110"), ex("-0.003", "120"), ex("-0.003", "90"), ex("0.002", "80")]
    realised = [r for _, r in realise(fills)]
    # avg 105; sell 0.003 at 120: +0.045; sell 0.001 at 90 closes (-0.015), 0.002 opens short at 90;
    # buy 0.002 at 80 closes the short: +0.02
    assert realised == [D(0), D(0), D("0.045"), D("-0.015"), D("0.020")]


def test_total_nets_fees():
    result = total([ex("0.001", "100", "0.1"), ex("-0.001", "101", "0.1")])
    assert result == PnL(D("0.001"), D("0.2")) and result.net == D("0.001") - D("0.2")
