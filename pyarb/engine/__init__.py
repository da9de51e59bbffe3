"""The execution engine: opportunities become trades, trades are driven leg by leg, the ledger is written ahead."""
