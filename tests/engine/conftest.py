from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import Engine, Venues


@pytest.fixture
def venues(tmp_path: Path) -> Iterator[Venues]:
    """An EdgeX and a Paradex simulator process, stopped after the test."""
    v = Venues(tmp_path)
    try:
        yield v
    finally:
        v.stop()


@pytest.fixture
def engine(tmp_path: Path, venues: Venues) -> Iterator[Engine]:
    """``pyarb run`` against ``venues`` (started by the test), killed after it if still running."""
    e = Engine(tmp_path, venues)
    try:
        yield e
    finally:
        if e.process is not None and e.process.poll() is None:
            e.kill()
