"""A circuit breaker per venue: the incident fired seven attempts in four seconds into a failing gateway.

After ``threshold`` consecutive errors the breaker opens for a cooldown; each time it re-opens the cooldown
doubles, up to a ceiling. When the cooldown has passed it lets exactly one probing trade through (half-open):
success closes it and resets the backoff, failure opens it again for longer. Pure: the clock is passed in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class BreakerState(str, enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class CircuitBreaker:
    venue: str
    threshold: int = 3
    cooldown_s: float = 10.0
    max_cooldown_s: float = 300.0
    consecutive_errors: int = 0
    trips: int = 0  # times opened since the last success; drives the backoff
    opened_at: float | None = None
    probing: bool = False
    last_error: str = ""

    def current_cooldown(self) -> float:
        return min(self.cooldown_s * (2 ** max(self.trips - 1, 0)), self.max_cooldown_s)

    def state(self, now: float) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if now - self.opened_at < self.current_cooldown():
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self, now: float) -> bool:
        """May a new trade use this venue now? In half-open, only one probe at a time."""
        state = self.state(now)
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self.probing:
            return True
        return False

    def on_attempt(self, now: float) -> None:
        """A trade is about to use this venue; in half-open it becomes the probe."""
        if self.state(now) is BreakerState.HALF_OPEN:
            self.probing = True

    def on_success(self) -> None:
        self.consecutive_errors = 0
        self.trips = 0
        self.opened_at = None
        self.probing = False

    def on_error(self, now: float, error: str) -> bool:
        """Count a venue error. Returns True when this error opened the breaker."""
        self.last_error = error
        self.consecutive_errors += 1
        if self.probing or (self.opened_at is None and self.consecutive_errors >= self.threshold):
            self.probing = False
            self.trips += 1
            self.opened_at = now
            return True
        return False
