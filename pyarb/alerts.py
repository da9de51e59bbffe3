"""Alerts: every alert is logged, and delivered to webhooks (generic JSON, Slack, Telegram) in the background.

Delivery never blocks trading: :meth:`Alerts.raise_alert` only enqueues. A sink retries with exponential backoff
while its receiver is down, and keeps the alerts in order. Webhook URLs can carry tokens (Telegram's does), so
they are never logged; a sink is named by its index and format.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import orjson

log = logging.getLogger("pyarb.alerts")

AlertKind = Literal[
    "orphan",
    "unwind_failed",
    "reconcile_mismatch",
    "breaker_open",
    "halt",
    "start_with_trades_in_flight",
    "daily_loss_limit",
]


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    message: str
    fields: dict[str, Any]
    time_ms: int

    def text(self) -> str:
        details = " ".join(f"{k}={v}" for k, v in self.fields.items())
        return f"[pyarb] {self.kind}: {self.message}" + (f" ({details})" if details else "")


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str
    format: Literal["json", "slack", "telegram"] = "json"
    chat_id: str | None = None  # telegram only


def render(alert: Alert, config: WebhookConfig) -> dict[str, Any]:
    """The request body for one webhook format."""
    if config.format == "slack":
        return {"text": alert.text()}
    if config.format == "telegram":
        return {"chat_id": config.chat_id, "text": alert.text()}
    return {"source": "pyarb", "kind": alert.kind, "message": alert.message, "time_ms": alert.time_ms,
            **alert.fields}


@dataclass
class _Sink:
    name: str
    config: WebhookConfig
    queue: deque[Alert] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Alerts:
    """Raise alerts from anywhere in the engine; deliver them from background tasks."""

    def __init__(self, webhooks: list[WebhookConfig], *, base_backoff_s: float = 0.5, max_backoff_s: float = 60.0,
                 max_queued: int = 1000, timeout_s: float = 5.0) -> None:
        self._sinks = [_Sink(f"webhook#{i} ({w.format})", w) for i, w in enumerate(webhooks)]
        self._base_backoff = base_backoff_s
        self._max_backoff = max_backoff_s
        self._max_queued = max_queued
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        self.raised: list[Alert] = []  # recent alerts, newest last, for the dashboard and status
        self.delivered = 0

    def raise_alert(self, kind: AlertKind, message: str, **fields: Any) -> Alert:
        alert = Alert(kind, message, {k: str(v) for k, v in fields.items()}, int(time.time() * 1000))
        log.error(alert.text(), extra={"alert": kind, **{k: v for k, v in alert.fields.items() if k in ("trade_id", "leg", "venue")}})
        self.raised = (self.raised + [alert])[-50:]
        for sink in self._sinks:
            if len(sink.queue) >= self._max_queued:
                dropped = sink.queue.popleft()
                log.error("alert queue of %s full; dropped the oldest alert (%s)", sink.name, dropped.kind)
            sink.queue.append(alert)
            sink.wake.set()
        return alert

    async def start(self) -> None:
        if not self._sinks:
            return
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        self._tasks = [asyncio.create_task(self._deliver(sink), name=f"alerts:{sink.name}") for sink in self._sinks]

    async def close(self, flush_timeout_s: float = 2.0) -> None:
        """Give queued alerts a short chance to go out, then stop."""
        deadline = time.monotonic() + flush_timeout_s
        while any(s.queue for s in self._sinks) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def _deliver(self, sink: _Sink) -> None:
        assert self._session is not None
        failures = 0
        while True:
            if not sink.queue:
                sink.wake.clear()
                await sink.wake.wait()
                continue
            alert = sink.queue[0]
            try:
                async with self._session.post(sink.config.url, data=orjson.dumps(render(alert, sink.config)),
                                              headers={"Content-Type": "application/json"}) as response:
                    if response.status >= 300:
                        raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                failures += 1
                delay = min(self._base_backoff * 2 ** (failures - 1), self._max_backoff)
                log.warning("%s: delivery of %s failed (%s); retrying in %.1fs", sink.name, alert.kind,
                            type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            sink.queue.popleft()
            self.delivered += 1
