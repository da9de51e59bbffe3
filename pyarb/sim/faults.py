"""The simulators' fault model, set through ``POST /_sim/faults`` and the same on every venue.

A request body is validated whole before anything changes (an unknown key or a bad value changes nothing). Keys
that are present replace that fault; a key given as ``null`` clears it; absent keys are left alone. A ``count`` is the
number of orders the fault applies to; ``null`` (or no count) means until cleared.

Order faults apply to order placement, in this order: ``rate_limit`` (refused, nothing executes), ``order_error``
(refused with the venue's own error envelope, nothing executes), then the order executes with its fill capped by
``fill_ratio``, then the response waits ``latency_ms``, and ``lose_response`` drops it (the order stays executed).
``ws_drop`` and ``seq_gap`` are one-shot: the first drops every websocket now, the second skips one sequence number in
the next book delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Counted(_Strict):
    count: int | None = Field(default=None, ge=1)


class _OrderError(_Counted):
    code: str = Field(min_length=1)
    msg: str = ""
    http_status: int = Field(default=200, ge=100, le=599)


class _RateLimit(_Counted):
    retry_after: float = Field(default=1.0, ge=0)


class FaultsRequest(_Strict):
    order_error: _OrderError | None = None
    fill_ratio: Decimal | None = Field(default=None, ge=0, le=1)
    latency_ms: int | None = Field(default=None, ge=0)
    lose_response: _Counted | None = None
    ws_drop: bool = False
    seq_gap: bool = False
    rate_limit: _RateLimit | None = None


@dataclass(slots=True)
class OrderError:
    """Refuse the order with the venue's error envelope carrying ``code`` and ``msg``, at ``http_status``."""

    code: str
    msg: str
    http_status: int
    remaining: int | None


@dataclass(slots=True)
class RateLimit:
    """Refuse the order with HTTP 429 and this ``Retry-After``."""

    retry_after: float
    remaining: int | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": f"{self.retry_after:g}"}


def _spend(fault: OrderError | RateLimit | None) -> bool:
    """Whether ``fault`` applies to this order; uses one of its count."""
    if fault is None:
        return False
    if fault.remaining is not None:
        fault.remaining -= 1
    return True


class Faults:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.order_error: OrderError | None = None
        self.rate_limit: RateLimit | None = None
        self.lose_response: int | None = None  # responses left to drop; -1 means until cleared
        self.fill_ratio: Decimal | None = None
        self.latency_ms = 0
        self.seq_gap = False

    def apply(self, request: FaultsRequest) -> bool:
        """Set the faults named in ``request``. Returns whether the websockets must be dropped now."""
        given = request.model_fields_set
        if "order_error" in given:
            e = request.order_error
            self.order_error = None if e is None else OrderError(e.code, e.msg, e.http_status, e.count)
        if "rate_limit" in given:
            r = request.rate_limit
            self.rate_limit = None if r is None else RateLimit(r.retry_after, r.count)
        if "lose_response" in given:
            lose = request.lose_response
            self.lose_response = None if lose is None else (-1 if lose.count is None else lose.count)
        if "fill_ratio" in given:
            self.fill_ratio = request.fill_ratio
        if "latency_ms" in given:
            self.latency_ms = request.latency_ms or 0
        if request.seq_gap:
            self.seq_gap = True
        return request.ws_drop

    def refusal(self) -> RateLimit | OrderError | None:
        """The refusal this order meets, if any (rate limit first), using one of its count."""
        for fault in (self.rate_limit, self.order_error):
            if _spend(fault):
                self._drop_spent()
                return fault
        return None

    def take_lost_response(self) -> bool:
        if self.lose_response is None:
            return False
        if self.lose_response > 0:
            self.lose_response -= 1
            if self.lose_response == 0:
                self.lose_response = None
        return True

    def take_seq_gap(self) -> bool:
        gap, self.seq_gap = self.seq_gap, False
        return gap

    def _drop_spent(self) -> None:
        if self.rate_limit is not None and self.rate_limit.remaining == 0:
            self.rate_limit = None
        if self.order_error is not None and self.order_error.remaining == 0:
            self.order_error = None

    def to_json(self) -> dict[str, Any]:
        return {
            "order_error": None if self.order_error is None else {
                "code": self.order_error.code, "msg": self.order_error.msg,
                "http_status": self.order_error.http_status, "count": self.order_error.remaining},
            "rate_limit": None if self.rate_limit is None else {
                "retry_after": self.rate_limit.retry_after, "count": self.rate_limit.remaining},
            "lose_response": None if self.lose_response is None else {
                "count": None if self.lose_response < 0 else self.lose_response},
            "fill_ratio": None if self.fill_ratio is None else str(self.fill_ratio),
            "latency_ms": self.latency_ms,
            "seq_gap": self.seq_gap,
        }
