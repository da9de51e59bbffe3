"""The ledger's schema, built only by forward migrations: a new ledger runs them all, an older one runs those
it lacks, each inside the one transaction that also bumps ``meta.schema_version``.

Quantities, prices and fees are TEXT holding exact decimals; times are ISO 8601 UTC with microseconds.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from pyarb.ledger import openstate

UNPAIRED_CARRYING = "idx_trades_unpaired_carrying"
UNPAIRED_CARRYING_WHERE = ("pair_id IS NULL AND state IN ('flattened', 'residual') "
                           "AND json_extract(quantities, '$.open_exposure') != '0'")
APPEND_ONLY = ("transitions", "order_events")  # history: never updated, never deleted
KEPT = ("pairs", "trades", "orders", "fills")  # updated as answers arrive, never deleted
# ``positions``, ``orders.realised`` and the pairs' cached columns are derived from those (``openstate``).


def _v1_core(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["pairs"].create(
        {"id": int, "opened_at": str, "legacy_id": str, "legacy_status": str, "legacy_raw": str}, pk="id",
    )
    db["pairs"].create_index(["legacy_id"], unique=True)
    db["trades"].create(
        {
            "id": int, "kind": str, "pair_id": int, "policy": str, "state": str,
            "a_venue": str, "a_market": str, "a_side": str, "b_venue": str, "b_market": str, "b_side": str,
            "intended": str, "adopted": str, "quantities": str, "created_at": str, "updated_at": str,
        },
        pk="id", foreign_keys=[("pair_id", "pairs", "id")],
        not_null={"kind", "policy", "state", "a_venue", "a_market", "a_side", "intended", "adopted",
                  "quantities", "created_at", "updated_at"},
    )
    db["trades"].create_index(["state"])
    db["trades"].create_index(["pair_id"])
    db["orders"].create(
        {
            "id": int, "trade_id": int, "pair_id": int, "role": str, "attempt": int, "venue": str, "market": str,
            "side": str, "size": str, "limit_price": str, "reduce_only": int, "client_id": str, "status": str,
            "filled": str, "avg_price": str, "fee": str, "venue_order_id": str, "detail": str,
            "created_at": str, "updated_at": str,
        },
        pk="id", foreign_keys=[("trade_id", "trades", "id"), ("pair_id", "pairs", "id")],
        not_null={"role", "attempt", "venue", "market", "side", "size", "reduce_only", "client_id", "status",
                  "filled", "fee", "created_at", "updated_at"},
    )
    db["orders"].create_index(["client_id"], unique=True)
    db["orders"].create_index(["trade_id"])
    db["orders"].create_index(["pair_id"])
    db["orders"].create_index(["updated_at"])
    db["order_events"].create(
        {"id": int, "order_id": int, "time": str, "status": str, "filled": str, "avg_price": str, "fee": str,
         "venue_order_id": str, "detail": str},
        pk="id", foreign_keys=[("order_id", "orders", "id")], not_null={"order_id", "time", "status"},
    )
    db["order_events"].create_index(["order_id"])
    db["fills"].create(
        {
            "id": int, "order_id": int, "venue": str, "market": str, "side": str, "size": str, "price": str,
            "fee": str, "fee_token": str, "liquidity": str, "fill_id": str, "client_id": str,
            "venue_order_id": str, "time_ms": int, "recorded_at": str,
        },
        pk="id", foreign_keys=[("order_id", "orders", "id")],
        not_null={"venue", "market", "side", "size", "price", "fee", "recorded_at"},
    )
    db["fills"].create_index(["venue", "fill_id"], unique=True)
    db["fills"].create_index(["order_id"])
    db["transitions"].create(
        {"id": int, "trade_id": int, "seq": int, "from_state": str, "to_state": str, "trigger": str,
         "reason": str, "quantities": str, "time": str},
        pk="id", foreign_keys=[("trade_id", "trades", "id")],
        not_null={"trade_id", "seq", "to_state", "trigger", "reason", "quantities", "time"},
    )
    db["transitions"].create_index(["trade_id", "seq"], unique=True)
    for table in APPEND_ONLY:
        db.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    for table in (*APPEND_ONLY, *KEPT):
        db.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END")


def _v2_control_and_adjustments(db: Database) -> None:
    # reconcile --adopt and flatten trades: positions the ledger takes over from a venue
    db["adjustments"].create(
        {"id": int, "venue": str, "market": str, "quantity": str, "reason": str, "trade_id": int, "time": str},
        pk="id", foreign_keys=[("trade_id", "trades", "id")],
        not_null={"venue", "market", "quantity", "reason", "time"},
    )
    db.execute("CREATE TRIGGER adjustments_no_update BEFORE UPDATE ON adjustments "
               "BEGIN SELECT RAISE(ABORT, 'adjustments is append-only'); END")
    db.execute("CREATE TRIGGER adjustments_no_delete BEFORE DELETE ON adjustments "
               "BEGIN SELECT RAISE(ABORT, 'adjustments rows are never deleted'); END")
    # engine control (halt flag, last reconciliation, status snapshot): JSON values
    db["control"].create({"key": str, "value": str, "updated_at": str}, pk="key", not_null={"value", "updated_at"})


def _v3_open_state(db: Database) -> None:
    """The open state (``pyarb.ledger.openstate``), kept current by every write instead of derived from all
    history on every read; backfilled here from the history already recorded."""
    for column in ("status", "positions", "residuals", "realised", "fees"):
        db["pairs"].add_column(column, str)
    db["pairs"].create_index(["status"])
    db["positions"].create({"venue": str, "market": str, "quantity": str}, pk=("venue", "market"),
                           not_null={"quantity"})
    # an execution's realised PnL on its order's row: summed by day through the index on orders.updated_at
    db["orders"].add_column("realised", str)
    db["adjustments"].create_index(["trade_id"])  # those of flatten trades in flight, and the unattached ones
    # finished flatten trades that still carry exposure (a residual, or fills a later answer corrected): few,
    # and found without reading every flatten trade
    db.execute(f"CREATE INDEX {UNPAIRED_CARRYING} ON trades(id) WHERE {UNPAIRED_CARRYING_WHERE}")
    openstate.rebuild(db.conn)


def _v4_partial_indexes(db: Database) -> None:
    """Index only the rows each index is read for, so that recording a new trade touches fewer pages, and
    writes fewer WAL frames before its fsync: a pair's legacy id (the engine's pairs have none), and an
    order's time among the executions only (what the daily PnL sums)."""
    db.execute("DROP INDEX idx_pairs_legacy_id")
    db.execute("CREATE UNIQUE INDEX idx_pairs_legacy_id ON pairs(legacy_id) WHERE legacy_id IS NOT NULL")
    db.execute("DROP INDEX idx_orders_updated_at")
    db.execute("CREATE INDEX idx_orders_updated_at ON orders(updated_at) WHERE realised IS NOT NULL")


# MIGRATIONS[i] takes a ledger from schema version i to i + 1.
MIGRATIONS: list[Callable[[Database], None]] = [_v1_core, _v2_control_and_adjustments, _v3_open_state,
                                                _v4_partial_indexes]
SCHEMA_VERSION = len(MIGRATIONS)
