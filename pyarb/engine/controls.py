"""The keys the engine and the CLI share in the ledger's control table."""

HALT = "halt"  # {"reason", "source": operator | reconcile | engine, "time"}; None when not halted
LAST_RECONCILIATION = "last_reconciliation"  # the last reconciliation report, with "when"
ENVIRONMENT = "environment"  # paper | simulator | live: a ledger never mixes live trading with simulated
