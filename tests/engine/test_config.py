"""Bad config and secrets are refused with an error naming the key; secrets never print."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyarb.config import ConfigError, load, read_secrets_file, venue_secrets
from pyarb.secrets import Secret


def test_defaults_are_paper_trading() -> None:
    config = load(None)
    assert config.paper and config.engine.leg_a == "edgex" and config.engine.leg_policy == "sequential"


@pytest.mark.parametrize("toml, named", [
    ("[risk]\nmax_opn_pairs = 3\n", "risk.max_opn_pairs: unknown key"),
    ("[risk]\nmax_open_pairs = -1\n", "risk.max_open_pairs"),
    ("[strategy]\nmax_size = \"lots\"\n", "strategy.max_size"),
    ("[engine]\nleg_policy = \"yolo\"\n", "engine.leg_policy"),
    ("[hedge]\nslippage_bps = 10\nmax_slippage_bps = 5\n", "hedge"),
    ("[venues.paradex]\nurl = \"ftp://x\"\n", "venues.paradex.url"),
    ("[alerts]\nwebhooks = [{url = \"http://x\", format = \"telegram\"}]\n", "chat_id"),
    ("[bogus]\n", "bogus: unknown key"),
    ("not toml [", "not valid TOML"),
])
def test_a_bad_config_names_the_key(tmp_path: Path, toml: str, named: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.").replace("[", r"\[")):
        load(path)


def test_the_secrets_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[paradex]\naccount = "0x1"\nprivate_key = "0xdeadbeef"\n')
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by group or others"):
        read_secrets_file(path)
    path.chmod(0o600)
    values = read_secrets_file(path)
    creds = venue_secrets("paradex", values, environ={})
    assert isinstance(creds["private_key"], Secret) and "deadbeef" not in repr(creds)


def test_a_missing_secret_is_named_and_the_environment_wins(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PYARB_EDGEX_API_SECRET") as err:
        venue_secrets("edgex", {}, environ={"PYARB_EDGEX_ACCOUNT_ID": "1", "PYARB_EDGEX_API_KEY": "k",
                                            "PYARB_EDGEX_API_PASSPHRASE": "p", "PYARB_EDGEX_PRIVATE_KEY": "0x11"})
    assert "0x11" not in str(err.value)
    creds = venue_secrets("paradex", {"paradex": {"account": "0x1", "private_key": "0xfile"}},
                          environ={"PYARB_PARADEX_PRIVATE_KEY": "0xenv"})
    assert creds["private_key"].reveal() == "0xenv"
    assert venue_secrets("paradex", {}, environ={}) is None


def test_pyarb_run_refuses_a_bad_config_before_touching_anything(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[risk]\nmax_opn_pairs = 3\n")
    result = subprocess.run([sys.executable, "-P", "-m", "pyarb", "run", "--config", "bad.toml", "--no-dashboard"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "risk.max_opn_pairs: unknown key" in result.stderr
    assert not (tmp_path / "pyarb.db").exists()


def test_live_trading_without_credentials_names_them(tmp_path: Path) -> None:
    (tmp_path / "live.toml").write_text('[venues.paradex]\nenv = "testnet"\n[venues.edgex]\n'
                                        'rest_url = "https://example.invalid"\nws_url = "wss://example.invalid"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYARB_")}
    result = subprocess.run([sys.executable, "-P", "-m", "pyarb", "run", "--config", "live.toml", "--no-dashboard",
                             "--db", "live.db"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert "needs credentials" in result.stderr
    assert not (tmp_path / "live.db").exists()


def test_a_secret_never_prints() -> None:
    secret = Secret("0xsupersecret")
    assert "supersecret" not in repr(secret) and "supersecret" not in str(secret) and "supersecret" not in f"{secret}"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


@pytest.mark.parametrize("name", ["live.toml", "simulators.toml"])
def test_the_example_configs_are_valid(name: str) -> None:
    config = load(Path(__file__).parents[2] / "examples" / name)
    assert config.paper is (name == "simulators.toml")  # the simulators' URLs come from the command line


def test_the_example_secrets_file_names_every_secret() -> None:
    import tomllib

    from pyarb.config import SECRET_ENV

    text = (Path(__file__).parents[2] / "examples" / "secrets.example.toml").read_text()
    data = tomllib.loads(text)
    assert {(v, k) for v, table in data.items() for k in table} == set(SECRET_ENV)
    assert all(var in text for var in SECRET_ENV.values())
