"""``pyarb sign``: reproduces both venues' SDK vectors, and never shows a key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
PARADEX = json.loads((VECTORS / "paradex_order.json").read_text())
EDGEX = json.loads((VECTORS / "edgex_v2_order.json").read_text())


def pyarb_sign(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYARB_")}
    return subprocess.run([sys.executable, "-m", "pyarb", "sign", *args], cwd=tmp_path, env=clean | (env or {}),
                          capture_output=True, text=True, timeout=60)


PARADEX_ORDER = ["paradex", "order", "--account", PARADEX["account"], "--chain-id", PARADEX["chain"],
                 "--market", PARADEX["order"]["market"], "--side", PARADEX["order"]["side"],
                 "--type", PARADEX["order"]["type"], "--size", PARADEX["order"]["size"],
                 "--price", PARADEX["order"]["price"],
                 "--timestamp-ms", str(PARADEX["order"]["signature_timestamp"])]

EDGEX_ORDER = ["edgex", "order", "--account-id", EDGEX["message"]["base"]["accountId"],
               "--chain-id", str(EDGEX["domain"]["chainId"]),
               "--verifying-contract", EDGEX["domain"]["verifyingContract"],
               "--contract-id", EDGEX["message"]["assetIdSynthetic"],
               "--coin-id", EDGEX["message"]["assetIdCollateral"],
               # 1 BTC at 100000 with these resolutions and fee cap gives the vector's amounts.
               "--synthetic-resolution", "1000000000", "--collateral-resolution", "0xf4240", "--fee-rate", "0.00038",
               "--side", "buy", "--size", "1", "--price", "100000", "--client-order-id", EDGEX["client_order_id"],
               "--expire-time-ms", str(int(EDGEX["message"]["base"]["expirationTimestamp"]) * 1000)]


def test_paradex_order_reproduces_the_vector(tmp_path):
    done = pyarb_sign(tmp_path, *PARADEX_ORDER, env={"PYARB_PARADEX_PRIVATE_KEY": PARADEX["private_key"]})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["message_hash"] == PARADEX["msg_hash"]
    assert out["signature"] == PARADEX["signature"]
    assert json.loads(out["signature_header"]) == PARADEX["signature"]
    assert out["public_key"] == PARADEX["public_key"]


def test_paradex_auth_signs_the_given_times(tmp_path):
    args = ["paradex", "auth", "--account", PARADEX["account"], "--timestamp", "1700000000",
            "--expiration", "1700001800", "--key-env", "MY_KEY"]
    first = pyarb_sign(tmp_path, *args, env={"MY_KEY": PARADEX["private_key"]})
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert (out["timestamp"], out["expiration"]) == (1700000000, 1700001800)
    assert out["message_hash"] != PARADEX["msg_hash"]
    assert json.loads(pyarb_sign(tmp_path, *args, env={"MY_KEY": PARADEX["private_key"]}).stdout) == out


def test_edgex_order_reproduces_the_vector(tmp_path):
    done = pyarb_sign(tmp_path, *EDGEX_ORDER, env={"PYARB_EDGEX_PRIVATE_KEY": EDGEX["private_key"]})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["message"] == EDGEX["message"]
    assert out["message_hash"] == EDGEX["digest"]
    assert out["signature"] == out["body"]["l2Signature"] == EDGEX["signature"]
    assert out["signer"] == EDGEX["signer"]


def test_edgex_request_signature(tmp_path):
    args = ["edgex", "request", "--timestamp", "1700000000000", "--method", "POST",
            "--path", "/api/v2/private/order/createOrder", "--content", "accountId=1&size=0.1"]
    done = pyarb_sign(tmp_path, *args, env={"PYARB_EDGEX_API_SECRET": "secret"})
    assert done.returncode == 0, done.stderr
    # HMAC-SHA256 keyed with base64("secret"), as edgex_sdk/internal/auth.py computes it.
    assert json.loads(done.stdout)["signature"] == "cabe6ff74681f0afafb75c6580e2f5f3cf435676b456c37f7861917cf003101b"
    assert "secret" not in done.stdout.replace("/private/", "")


def test_a_missing_key_is_a_clear_error(tmp_path):
    done = pyarb_sign(tmp_path, *PARADEX_ORDER)
    assert done.returncode != 0
    assert "set PYARB_PARADEX_PRIVATE_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_keys_and_bad_keys_are_never_echoed(tmp_path):
    runs = [pyarb_sign(tmp_path, *PARADEX_ORDER, env={"PYARB_PARADEX_PRIVATE_KEY": PARADEX["private_key"]}),
            pyarb_sign(tmp_path, *EDGEX_ORDER, env={"PYARB_EDGEX_PRIVATE_KEY": EDGEX["private_key"]})]
    bad_keys = ["0x" + "zz" * 32, "0x" + "ff" * 32]
    for bad in bad_keys:
        runs.append(pyarb_sign(tmp_path, *PARADEX_ORDER, env={"PYARB_PARADEX_PRIVATE_KEY": bad}))
        runs.append(pyarb_sign(tmp_path, *EDGEX_ORDER, env={"PYARB_EDGEX_PRIVATE_KEY": bad}))
    for done in runs[2:]:
        assert done.returncode != 0 and "private key" in done.stderr and "Traceback" not in done.stderr
    for done in runs:
        for key in [PARADEX["private_key"], EDGEX["private_key"], *bad_keys]:
            assert key[2:] not in done.stdout + done.stderr


def test_bad_input_names_the_field(tmp_path):
    args = [*PARADEX_ORDER, "--size", "0.000000001"]  # the last --size counts
    done = pyarb_sign(tmp_path, *args, env={"PYARB_PARADEX_PRIVATE_KEY": PARADEX["private_key"]})
    assert done.returncode != 0
    assert "size: 0.000000001 has more than 8 decimals" in done.stderr
