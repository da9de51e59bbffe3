"""Prometheus metrics. One registry per engine, so tests and several engines in one process never collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

_LATENCY_BUCKETS = (0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_COMMIT_BUCKETS = (0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05)

BREAKER_STATE_VALUE = {"closed": 0, "open": 1, "half_open": 2}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.opportunities = Counter("pyarb_opportunities", "Opportunities reported by the books", ["direction"], registry=r)
        self.trades = Counter("pyarb_trades", "Trades that reached a terminal state, by kind and outcome",
                              ["kind", "outcome"], registry=r)
        self.leg_latency = Histogram("pyarb_leg_latency_seconds",
                                     "From the decision to the order's answer, per leg role and venue",
                                     ["role", "venue"], buckets=_LATENCY_BUCKETS, registry=r)
        self.orphans = Counter("pyarb_orphans", "Trades that became orphaned", ["venue"], registry=r)
        self.exposure = Gauge("pyarb_exposure_btc", "Expected signed position per venue (ledger)", ["venue"], registry=r)
        self.breaker = Gauge("pyarb_breaker_state", "Circuit breaker per venue: 0 closed, 1 open, 2 half-open",
                             ["venue"], registry=r)
        self.ledger_commit = Histogram("pyarb_ledger_commit_seconds", "Durable transition commit latency",
                                       buckets=_COMMIT_BUCKETS, registry=r)
        self.reconcile_mismatch = Gauge("pyarb_reconcile_mismatch", "1 while the ledger and a venue disagree",
                                        ["venue"], registry=r)

    def serve(self, port: int, host: str = "127.0.0.1") -> int:
        """Serve /metrics from a background thread; returns the bound port (0 picks a free one)."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server.server_address[1]
