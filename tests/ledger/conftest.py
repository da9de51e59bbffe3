from __future__ import annotations

import pytest

from pyarb.ledger import Ledger


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "pyarb.db"


@pytest.fixture
def ledger(db_path):
    ledger = Ledger.open(db_path)
    yield ledger
    ledger.close()
