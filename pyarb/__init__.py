"""pyarb: cross-venue perpetual futures arbitrage that never loses track of a leg.

The folders are the architecture:
- ``rust/`` (built into ``pyarb._core``): the hot path. Books from raw frames, spread and size, signing.
- ``pyarb/trade.py``: the one table of a trade's states and edges.
- ``pyarb/ledger/``: the durable SQLite record of trades, orders, fills and transitions. Knows no venue.
- ``pyarb/venues/``: the venue interface and the real clients. Never touch the ledger.
- ``pyarb/sim/``: local simulators that speak the venues' protocols over loopback.
- ``pyarb/engine/``: joins books, ledger and venues; pure decisions, I/O at the edges.
- ``pyarb/cli/``: the ``pyarb`` command.
"""

__version__ = "0.1.0"
