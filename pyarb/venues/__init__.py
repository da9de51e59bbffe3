"""Venue adapters: the interface (``base``) and one real client per venue. They never import the ledger."""
