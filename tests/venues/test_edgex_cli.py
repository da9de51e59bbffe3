"""``pyarb sim edgex`` as its own process: the first line is the base URL, and the client trades through it."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

from pyarb.model import OrderFinal, OrderRequest, Side
from pyarb.sim.edgex import SIM_CREDENTIALS
from pyarb.venues.base import Accepted
from pyarb.venues.edgex.client import EdgexClient


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "pyarb", "sim", "edgex", "--port", "0", "--seed", "3",
                             "--state", str(tmp_path / "edgex.jsonl")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        yield proc, first
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def test_pyarb_sim_edgex_prints_its_base_url_first_and_serves_the_venue(sim_process) -> None:
    proc, first = sim_process
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first), first
    client = EdgexClient(SIM_CREDENTIALS, first, timeout=5.0)
    await client.start()
    try:
        assert (await client.health()).ok
        outcome = await client.place_order(OrderRequest("cli-1", "BTCUSD", Side.SELL, Decimal("0.002"),
                                                        Decimal("1000")))
        assert isinstance(outcome, Accepted)
        final = await client.await_final("cli-1", "BTCUSD", timeout=5)
        assert isinstance(final, OrderFinal) and final.filled == Decimal("0.002")
        assert (await client.positions()).by_market == {"BTCUSD": Decimal("-0.002")}
    finally:
        await client.close()
    assert proc.poll() is None
