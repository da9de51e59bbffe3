"""The durable trade ledger: SQLite through sqlite-utils, written ahead of every action. Knows no venue.

How the engine drives it (each call commits once before returning; act only after it returns)::

    ledger = Ledger.open("pyarb.db")                      # the one writer; LedgerLocked names the holder's PID
    for trade in ledger.in_flight():                      # resume first: pyarb.resume.decide_resume(...)
        ...
    t = ledger.create_trade("open", leg_a, leg_b, size, limit_a)        # pending, leg A's order recorded
    send(t.orders[0].request())
    t = ledger.transition(t.id, ("fill_leg_a", "hedge"), "leg A filled",
                          order_updates=[answer_for_a], new_order=NewOrder(hedge_size, hedge_price))
    send(t.orders[-1].request())
    t = ledger.transition(t.id, "complete", "hedge filled", order_updates=[answer_for_b])
    ledger.record_fills(venue, fills_of_t)                # the venues' own fills, one commit per venue

After every trade the engine reads what is open, never all history: ``open_pairs()``, ``expected_positions()``,
``daily_pnl()`` and ``position_contributions()`` read the open state each commit keeps current
(``openstate``); ``verify_open_state()`` checks it against all of history.

Readers (``LedgerReader.open_readonly``) work beside the writer; ``write_control`` sets engine control
values (halt, resume) while an engine holds the lock.
"""

from __future__ import annotations

from pyarb.ledger.legacy import LegacyFormatError
from pyarb.ledger.pnl import PnL
from pyarb.ledger.schema import SCHEMA_VERSION
from pyarb.ledger.store import (
    Adjustment,
    Contribution,
    FillRow,
    Ledger,
    LedgerCorrupt,
    LedgerError,
    LedgerLocked,
    LedgerNewerSchema,
    LedgerReader,
    LedgerUnwritable,
    LegacyImport,
    NewOrder,
    Pair,
    Transition,
    describe_legs,
    describe_order,
    write_control,
)

__all__ = [
    "SCHEMA_VERSION", "Adjustment", "Contribution", "FillRow", "Ledger", "LedgerCorrupt", "LedgerError",
    "LedgerLocked", "LedgerNewerSchema", "LedgerReader", "LedgerUnwritable", "LegacyFormatError", "LegacyImport",
    "NewOrder", "Pair", "PnL", "Transition", "describe_legs", "describe_order", "write_control",
]
