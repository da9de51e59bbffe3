"""A tiny "engine" for the crash tests: it drives one trade to a state, commits, says so on stdout, and then
waits where it would act (send the order the commit permits), so that the test can SIGKILL it right there.

Usage: python engine_stub.py DB STATE [POLICY]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ledger_scenarios import to_state  # noqa: E402

from pyarb.ledger import Ledger  # noqa: E402


def main() -> None:
    db, target = sys.argv[1], sys.argv[2]
    policy = sys.argv[3] if len(sys.argv) > 3 else "sequential"
    ledger = Ledger.open(db)
    trade = to_state(ledger, target, policy)
    print(json.dumps({"trade_id": trade.id, "state": trade.state,
                      "client_ids": [o.client_id for o in trade.orders]}), flush=True)
    while True:  # the action would go here: never reached before the kill
        time.sleep(60)


if __name__ == "__main__":
    main()
