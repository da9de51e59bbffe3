"""``pyarb sim paradex`` as its own process: the base URL comes first, and ``--state`` keeps positions, orders and
fills across a SIGKILL of the simulator."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pyarb.model import OrderFinal, OrderRequest, Side
from pyarb.secrets import Secret
from pyarb.sim.paradex import SIM_ACCOUNT, SIM_PRIVATE_KEY
from pyarb.venues.base import Accepted, Rejected
from pyarb.venues.paradex import ParadexClient, ParadexEndpoints

MARKET = "BTC-USD-PERP"


class SimProcess:
    def __init__(self, cwd: Path, *args: str) -> None:
        self.errors = cwd / "sim.stderr"
        with open(self.errors, "w") as errors:
            self.proc = subprocess.Popen([sys.executable, "-m", "pyarb", "sim", "paradex", "--port", "0", *args],
                                         cwd=cwd, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", self.url), self.errors.read_text()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def processes() -> Iterator[list[SimProcess]]:
    started: list[SimProcess] = []
    yield started
    for process in started:
        process.kill()


async def test_the_first_line_is_the_base_url_and_state_survives_a_kill(tmp_path: Path,
                                                                       processes: list[SimProcess]) -> None:
    processes.append(SimProcess(tmp_path, "--state", "paradex.state", "--seed", "3"))
    first = processes[-1]
    client = ParadexClient(ParadexEndpoints.from_base_url(first.url), SIM_ACCOUNT, Secret(SIM_PRIVATE_KEY))
    await client.start()
    try:
        assert isinstance(await client.place_order(OrderRequest("cli-1", MARKET, Side.SELL, Decimal("0.002"),
                                                                Decimal("100000"))), Accepted)
        final = await client.await_final("cli-1", MARKET, timeout=5)
        assert isinstance(final, OrderFinal) and final.filled == Decimal("0.002")
    finally:
        await client.close()
    first.kill()

    processes.append(SimProcess(tmp_path, "--state", "paradex.state", "--seed", "3"))
    client = ParadexClient(ParadexEndpoints.from_base_url(processes[-1].url), SIM_ACCOUNT, Secret(SIM_PRIVATE_KEY))
    await client.start()
    try:
        assert (await client.positions()).by_market == {MARKET: Decimal("-0.002")}
        assert await client.get_order("cli-1", MARKET) == final
        again = await client.place_order(OrderRequest("cli-1", MARKET, Side.SELL, Decimal("0.002"), Decimal("100000")))
        assert isinstance(again, Rejected) and again.code == "DUPLICATED_CLIENT_ID"
    finally:
        await client.close()
