"""Secrets never appear in logs or in the database: the engine trades with credentials from the environment
(here, the simulators' own accounts given as if they were live secrets), then every byte it wrote is searched."""

from __future__ import annotations

from pathlib import Path

from harness import Engine, Venues
from pyarb.sim.edgex import SIM_CREDENTIALS
from pyarb.sim.paradex import SIM_ACCOUNT, SIM_PRIVATE_KEY


def test_no_secret_reaches_the_log_or_the_ledger(tmp_path: Path, venues: Venues, engine: Engine) -> None:
    secrets = {
        "PYARB_PARADEX_PRIVATE_KEY": SIM_PRIVATE_KEY,
        "PYARB_EDGEX_API_KEY": SIM_CREDENTIALS.api_key.reveal(),
        "PYARB_EDGEX_API_SECRET": SIM_CREDENTIALS.api_secret.reveal(),
        "PYARB_EDGEX_API_PASSPHRASE": SIM_CREDENTIALS.api_passphrase.reveal(),
        "PYARB_EDGEX_PRIVATE_KEY": SIM_CREDENTIALS.trading_private_key.reveal(),
    }
    env = {**secrets, "PYARB_PARADEX_ACCOUNT": SIM_ACCOUNT, "PYARB_EDGEX_ACCOUNT_ID": SIM_CREDENTIALS.account_id}
    venues.dislocate()
    engine.start(env=env)
    trade = engine.first_trade_done()
    assert engine.stop() == 0
    assert trade["state"] == "complete"  # it really traded with them

    written = [p for p in tmp_path.iterdir() if p.is_file() and p.name.startswith(("ledger.db", "engine.log"))]
    assert any(p.name == "ledger.db" for p in written) and any(p.name == "engine.log" for p in written)
    for path in written:
        data = path.read_bytes()
        for name, value in secrets.items():
            for form in {value, value.removeprefix("0x")}:
                assert form.encode() not in data, f"{name} found in {path.name}"
