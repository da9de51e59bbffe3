"""Trades driven through the ledger to a chosen state, shared by the tests and by ``engine_stub.py``."""

from __future__ import annotations

from decimal import Decimal as D

from pyarb.ledger import Ledger, NewOrder
from pyarb.model import OrderFinal, OrderNotFound, Side
from pyarb.trade import Leg, Trade

A = Leg("edgex", "BTCUSD", Side.BUY)
B = Leg("paradex", "BTC-USD-PERP", Side.SELL)
SIZE = D("0.005")
PRICE_A = D("122400")
PRICE_B = D("122380")
FEE = D("0.02")
# The incident's last pair: B filled 0.0038 of 0.005, leaving 0.0012 on EdgeX.
PARTIAL = D("0.0038")
ORPHAN = D("0.0012")


def final(order_or_cid, filled: D, price: D = PRICE_A) -> OrderFinal:
    cid = order_or_cid if isinstance(order_or_cid, str) else order_or_cid.client_id
    return OrderFinal(cid, filled, price if filled else None, FEE if filled else D(0), "FILLED")


def last(trade: Trade):
    return trade.orders[-1]


def to_state(ledger: Ledger, target: str, policy: str = "sequential") -> Trade:
    """A new trade, driven to ``target`` by the shortest natural path, every step committed."""
    t = ledger.create_trade("open", A, B, SIZE, PRICE_A, PRICE_B if policy == "concurrent" else None,
                            policy=policy)
    if target == "pending":
        return t
    a = t.orders[0]
    if target == "unfilled":
        return ledger.transition(t.id, "miss_leg_a", "leg A not found", order_updates=[OrderNotFound(a.client_id)])
    t = ledger.transition(t.id, "fill_leg_a", "leg A filled", order_updates=[final(a, SIZE)])
    if target == "leg_a_filled":
        return t
    if policy == "concurrent":
        t = ledger.transition(t.id, "hedge", "leg B went with leg A")
    else:
        t = ledger.transition(t.id, "hedge", "hedge leg A's fill", new_order=NewOrder(SIZE, PRICE_B))
    if target == "hedging":
        return t
    b = last(t)
    if target == "complete":
        return ledger.transition(t.id, "complete", "hedge filled", order_updates=[final(b, SIZE, PRICE_B)])
    t = ledger.transition(t.id, "orphan", "hedge budget spent", order_updates=[final(b, PARTIAL, PRICE_B)])
    if target == "orphaned":
        return t
    t = ledger.transition(t.id, "unwind", "unwind the orphan", new_order=NewOrder(ORPHAN, D("122000")))
    if target == "unwinding":
        return t
    u = last(t)
    if target == "flattened":
        return ledger.transition(t.id, "flatten", "venue position flat", order_updates=[final(u, ORPHAN)])
    if target == "residual":
        return ledger.transition(t.id, "leave_residual", "0.0007 below the minimum order",
                                 order_updates=[final(u, D("0.0005"))])
    raise ValueError(target)
