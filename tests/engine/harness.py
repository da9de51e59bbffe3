"""Acceptance-test harness: two simulator processes and the engine as a subprocess, driven only through the
``pyarb`` CLI and the simulators' ``/_sim/`` hooks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyarb.sim.process import Simulator, start_simulator

# Fast settings for tests: short grace and budgets, one pair at a time, frequent reconciliation.
BASE_CONFIG = """
[engine]
not_found_grace_s = 0.3
order_timeout_s = 3
status_interval_s = 0.2

[strategy]
entry_edge_bps = 3
max_size = "0.005"

[risk]
max_open_pairs = 1
cooldown_after_trade_s = 0.2
cooldown_after_failure_s = 0.2

[hedge]
attempts = 3
budget_s = 3

[unwind]
confirm_attempts = 5

[reconcile]
interval_s = 1
"""


def post(url: str, path: str, body: Any, method: str = "POST") -> Any:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def get(url: str, path: str) -> Any:
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return json.loads(response.read())


def position(sim: Simulator, market: str) -> Decimal:
    return Decimal(get(sim.url, "/_sim/state")["positions"].get(market, "0"))


def pyarb(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-P", "-m", "pyarb", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"pyarb {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Venues:
    """An EdgeX and a Paradex simulator sharing one seed."""

    def __init__(self, tmp: Path, seed: int = 11) -> None:
        self.tmp = tmp
        self.seed = seed
        self.edgex = start_simulator("edgex", seed=seed, state_path=tmp / "edgex.jsonl", log_path=tmp / "edgex.log")
        self.paradex = start_simulator("paradex", seed=seed, state_path=tmp / "paradex.jsonl",
                                       log_path=tmp / "paradex.log")

    def dislocate(self, edgex_mid: str = "122000", paradex_mid: str = "122400") -> None:
        """Paradex rich against EdgeX: buying EdgeX and selling Paradex clears the edge."""
        post(self.edgex.url, "/_sim/price", {"mid": edgex_mid})
        post(self.paradex.url, "/_sim/price", {"mid": paradex_mid})

    def positions(self) -> tuple[Decimal, Decimal]:
        return position(self.edgex, "BTCUSD"), position(self.paradex, "BTC-USD-PERP")

    def orders(self, sim: Simulator) -> list[dict[str, Any]]:
        return get(sim.url, "/_sim/state")["orders"]

    def stop(self) -> None:
        self.edgex.stop()
        self.paradex.stop()


class Engine:
    """``pyarb run`` as a subprocess against the two simulators, logging JSON lines to a file."""

    def __init__(self, tmp: Path, venues: Venues, config: str = BASE_CONFIG, extra: str = "") -> None:
        self.tmp = tmp
        self.venues = venues
        self.db = tmp / "ledger.db"
        self.log = tmp / "engine.log"
        self.config = tmp / "pyarb.toml"
        self.config.write_text(config + extra)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, duration: float = 120, env: dict[str, str] | None = None) -> Engine:
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "pyarb", "run", "--no-dashboard", "--log-format", "json",
             "--config", str(self.config), "--db", str(self.db), "--edgex-url", self.venues.edgex.url,
             "--paradex-url", self.venues.paradex.url, "--duration", str(duration)],
            cwd=self.tmp, stdout=subprocess.DEVNULL, stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        log.close()
        wait_for(lambda: self.db.exists() or self.process.poll() is not None, what="the ledger to exist")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def trades(self) -> list[dict[str, Any]]:
        return json.loads(pyarb("trades", "--db", str(self.db), "--json", cwd=self.tmp).stdout)

    def trade(self, trade_id: int) -> dict[str, Any]:
        return json.loads(pyarb("trade", str(trade_id), "--db", str(self.db), "--json", cwd=self.tmp).stdout)

    def status(self) -> dict[str, Any]:
        return json.loads(pyarb("status", "--db", str(self.db), "--json", cwd=self.tmp).stdout)

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log.read_text().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"msg": raw})
        return lines

    def terminal_trades(self) -> list[dict[str, Any]]:
        return [t for t in self.trades() if t["terminal"]]

    def first_trade_done(self, timeout: float = 30.0) -> dict[str, Any]:
        """The engine's first trade, once it has ended."""
        return wait_for(lambda: next((t for t in self.trades() if t["id"] == 1 and t["terminal"]), None),
                        timeout, "the first trade to end")
