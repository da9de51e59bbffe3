"""Alerts reach a webhook receiver (and wait for it while it is down); the metrics endpoint serves the engine's
counters after a short run."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

from harness import Engine, Venues, wait_for
from pyarb.alerts import Alert, Alerts, WebhookConfig, render


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_webhook_sink_delivers_and_keeps_retrying_while_the_receiver_is_down() -> None:
    port = _free_port()
    received: list[dict] = []

    async def receive(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    alerts = Alerts([WebhookConfig(f"http://127.0.0.1:{port}/hook")], base_backoff_s=0.05, max_backoff_s=0.2)
    await alerts.start()
    try:
        alerts.raise_alert("orphan", "trade 7 orphaned", trade_id=7, venue="edgex")  # nobody listens yet
        await asyncio.sleep(0.5)
        assert received == [] and alerts.delivered == 0
        app = web.Application()
        app.router.add_post("/hook", receive)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            alerts.raise_alert("halt", "opening halted")
            for _ in range(100):
                if len(received) == 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            await runner.cleanup()
    finally:
        await alerts.close()
    assert [r["kind"] for r in received] == ["orphan", "halt"]  # in order, the first one not lost
    assert received[0]["trade_id"] == "7" and received[0]["message"] == "trade 7 orphaned"


def test_slack_and_telegram_formats() -> None:
    alert = Alert("breaker_open", "edgex circuit breaker opened", {"venue": "edgex"}, 0)
    assert render(alert, WebhookConfig("u", "slack")) == {"text": alert.text()}
    assert render(alert, WebhookConfig("u", "telegram", chat_id="42")) == {"chat_id": "42", "text": alert.text()}
    assert "breaker_open" in alert.text() and "venue=edgex" in alert.text()


@pytest.mark.timeout(120)
def test_the_metrics_endpoint_serves_the_counters_after_a_short_run(tmp_path: Path, venues: Venues) -> None:
    port = _free_port()
    engine = Engine(tmp_path, venues, extra=f"\n[metrics]\nenabled = true\nport = {port}\n")
    venues.dislocate()
    engine.start()
    try:
        wait_for(lambda: engine.terminal_trades(), what="a trade")

        def scrape() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                return response.read().decode()

        text = wait_for(lambda: (t := scrape()) and "pyarb_trades_total" in t and t, what="the trade counter")
    finally:
        assert engine.stop() == 0
    for name in ("pyarb_opportunities_total", "pyarb_trades_total", "pyarb_leg_latency_seconds_bucket",
                 "pyarb_exposure_btc", "pyarb_breaker_state", "pyarb_ledger_commit_seconds_bucket"):
        assert name in text, name
    assert 'pyarb_trades_total{kind="open",outcome="complete"}' in text
    assert 'pyarb_breaker_state{venue="edgex"} 0.0' in text
