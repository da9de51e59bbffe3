"""The signing facade against the venues' SDK vectors, and the venue-side checks the simulators rely on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyarb import signing
from pyarb.model import Side
from pyarb.secrets import Secret

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
PARADEX = json.loads((VECTORS / "paradex_order.json").read_text())
EDGEX = json.loads((VECTORS / "edgex_v2_order.json").read_text())

# The EdgeX vector's amounts are those of 1 BTC at 100000 with resolutions 1e9 / 1e6 and a 0.00038 fee cap.
EDGEX_CONTRACT = dict(contract_id="10000001", collateral_coin_id="1000", synthetic_resolution=10**9,
                      collateral_resolution=10**6, fee_rate=Decimal("0.00038"))


def paradex_signer() -> signing.ParadexSigner:
    return signing.ParadexSigner(Secret(PARADEX["private_key"]), PARADEX["account"], PARADEX["chain"])


def paradex_vector_order(**changes) -> dict:
    order = dict(timestamp_ms=PARADEX["order"]["signature_timestamp"], market=PARADEX["order"]["market"],
                 side=Side.BUY, size=Decimal(PARADEX["order"]["size"]), price=Decimal(PARADEX["order"]["price"]))
    return order | changes


def edgex_signer(**changes) -> signing.EdgexSigner:
    domain = EDGEX["domain"]
    terms = dict(account_id=int(EDGEX["message"]["base"]["accountId"]), chain_id=domain["chainId"],
                 verifying_contract=domain["verifyingContract"], **EDGEX_CONTRACT)
    return signing.EdgexSigner(Secret(EDGEX["private_key"]), **(terms | changes))


def edgex_vector_order(signer: signing.EdgexSigner | None = None, **changes) -> signing.EdgexSignedOrder:
    order = dict(side=Side.BUY, size=Decimal(1), price=Decimal(100000), client_order_id=EDGEX["client_order_id"],
                 expire_time_ms=int(EDGEX["message"]["base"]["expirationTimestamp"]) * 1000)
    return (signer or edgex_signer()).sign_order(**(order | changes))


# --- Paradex -------------------------------------------------------------------------------------------


def test_paradex_reproduces_the_sdk_vector():
    signer = paradex_signer()
    assert signer.public_key == PARADEX["public_key"]
    signed = signer.sign_order(**paradex_vector_order())
    assert signed.message_hash == PARADEX["msg_hash"]
    assert [signed.r, signed.s] == PARADEX["signature"]
    assert json.loads(signed.signature) == PARADEX["signature"]  # the ["r","s"] form orders and headers carry
    assert signing.paradex_public_key(Secret(PARADEX["private_key"])) == PARADEX["public_key"]


def test_paradex_venue_side_hash_and_verify():
    signed = paradex_signer().sign_order(**paradex_vector_order())
    typed = signing.ParadexTypedData(PARADEX["chain"], PARADEX["account"])
    assert typed.order_hash(**paradex_vector_order()) == signed.message_hash
    # The venue hashes the body's text: the same order written as strings hashes alike.
    as_text = paradex_vector_order(size="0.001", price="100000.00")
    assert typed.order_hash(**as_text) == signed.message_hash
    assert signing.paradex_verify(PARADEX["public_key"], signed.message_hash, signed.r, signed.s)


@pytest.mark.parametrize("changes", [
    {"side": Side.SELL}, {"size": Decimal("0.002")}, {"price": Decimal("100000.1")},
    {"timestamp_ms": 1700000000001}, {"market": "ETH-USD-PERP"},
])
def test_paradex_signature_does_not_cover_another_order(changes):
    signed = paradex_signer().sign_order(**paradex_vector_order())
    other = signing.ParadexTypedData(PARADEX["chain"], PARADEX["account"]).order_hash(**paradex_vector_order(**changes))
    assert other != signed.message_hash
    assert not signing.paradex_verify(PARADEX["public_key"], other, signed.r, signed.s)


def test_paradex_rejects_tampered_and_foreign_signatures():
    signed = paradex_signer().sign_order(**paradex_vector_order())
    key, digest = PARADEX["public_key"], signed.message_hash
    assert not signing.paradex_verify(key, digest, signed.r, str(int(signed.s) + 1))
    assert not signing.paradex_verify(key, digest, signed.s, signed.r)
    stranger = signing.paradex_public_key(Secret("0x7654321"))
    assert not signing.paradex_verify(stranger, digest, signed.r, signed.s)
    for r, s in [("", signed.s), ("x", signed.s), (signed.r, "-1"), (signed.r, "0x" + "f" * 64), ("0", "0")]:
        assert not signing.paradex_verify(key, digest, r, s)
    with pytest.raises(ValueError, match="public key"):
        signing.paradex_verify("0xnothex", digest, signed.r, signed.s)


def test_paradex_auth_request():
    signer = paradex_signer()
    signed = signer.sign_auth(timestamp=1700000000, expiration=1700001800)
    typed = signing.ParadexTypedData(PARADEX["chain"], PARADEX["account"])
    assert signed.message_hash == typed.auth_hash(timestamp=1700000000, expiration=1700001800)
    assert signing.paradex_verify(signer.public_key, signed.message_hash, signed.r, signed.s)
    later = typed.auth_hash(timestamp=1700000000, expiration=1700001801)
    assert not signing.paradex_verify(signer.public_key, later, signed.r, signed.s)
    assert signed.message_hash != signer.sign_order(**paradex_vector_order()).message_hash


# starknet-py 0.30 (TypedData.message_hash, message_signature with paradex-py's seed 32) over the typed data
# paradex-py builds for POST /v1/onboarding and POST /v1/auth, with the order vector's chain, account and key; the
# same tool reproduces the order vector.
PARADEX_ONBOARDING = {
    "msg_hash": "0x7cdcf1f3ce77a61fcf66c8b568ccdddb988de384855245c195595ae3e887ce",
    "signature": ["1426880189342319454900895315784021808442699474784863661132021547255274314293",
                  "1049142034432673427317871650867585487373314199429561089893091289974089933205"],
}
PARADEX_AUTH = {  # timestamp 1700000000, expiration 1700086400
    "msg_hash": "0x568a66ecf02adb489f9ec61b4099142ea14e34db64f570a5193dda881147628",
    "signature": ["1879044145894849519752229816173801461245165643618353863413171593211575595315",
                  "620069954557476133273541163372568570968043014396607110460788260158856660170"],
}


def test_paradex_reproduces_the_sdk_onboarding_and_auth_vectors():
    signer = paradex_signer()
    onboarding = signer.sign_onboarding()
    assert onboarding.message_hash == PARADEX_ONBOARDING["msg_hash"]
    assert json.loads(onboarding.signature) == PARADEX_ONBOARDING["signature"]
    auth = signer.sign_auth(timestamp=1700000000, expiration=1700086400)
    assert auth.message_hash == PARADEX_AUTH["msg_hash"]
    assert json.loads(auth.signature) == PARADEX_AUTH["signature"]


def test_paradex_onboarding_binds_the_account_and_the_key():
    signer = paradex_signer()
    signed = signer.sign_onboarding()
    typed = signing.ParadexTypedData(PARADEX["chain"], PARADEX["account"])
    assert typed.onboarding_hash() == signed.message_hash
    assert signing.paradex_verify(signer.public_key, signed.message_hash, signed.r, signed.s)
    another_account = signing.ParadexTypedData(PARADEX["chain"], "0x1235").onboarding_hash()
    assert not signing.paradex_verify(signer.public_key, another_account, signed.r, signed.s)
    stranger = signing.paradex_public_key(Secret("0x7654321"))
    assert not signing.paradex_verify(stranger, signed.message_hash, signed.r, signed.s)


def test_paradex_market_orders_sign_price_zero():
    signer = paradex_signer()
    market = signer.sign_order(**paradex_vector_order(price=None), order_type="MARKET")
    assert market == signer.sign_order(**paradex_vector_order(price=Decimal(0)), order_type="MARKET")
    assert market == signer.sign_order(**paradex_vector_order(price=Decimal(123)), order_type="MARKET")
    with pytest.raises(ValueError, match="price: required"):
        signer.sign_order(**paradex_vector_order(price=None))


@pytest.mark.parametrize("changes, message", [
    ({"size": Decimal("0.000000001")}, "size: 0.000000001 has more than 8 decimals"),
    ({"size": Decimal("-0.001")}, "size"),
    ({"price": Decimal("NaN")}, "price: expected a finite Decimal"),
    ({"price": 100000.0}, "price: expected a finite Decimal"),
    ({"market": "X" * 32}, "market"),
])
def test_paradex_bad_orders_are_value_errors(changes, message):
    with pytest.raises(ValueError, match=message):
        paradex_signer().sign_order(**paradex_vector_order(**changes))


def test_paradex_decimal_spelling_does_not_matter():
    signer = paradex_signer()
    assert (signer.sign_order(**paradex_vector_order(size=Decimal("1E-3"), price=Decimal("1.000000E+5")))
            == signer.sign_order(**paradex_vector_order()))


@settings(max_examples=40, deadline=None)
@given(size=st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(1000), places=8),
       price=st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(10**7), places=8),
       sell=st.booleans(), timestamp_ms=st.integers(min_value=0, max_value=2**63 - 1))
def test_paradex_every_signature_verifies_against_the_venue_hash(size, price, sell, timestamp_ms):
    signer = paradex_signer()
    order = paradex_vector_order(size=size, price=price, side=Side.SELL if sell else Side.BUY,
                                 timestamp_ms=timestamp_ms)
    signed = signer.sign_order(**order)
    assert signed.message_hash == signing.ParadexTypedData(PARADEX["chain"], PARADEX["account"]).order_hash(**order)
    assert signing.paradex_verify(signer.public_key, signed.message_hash, signed.r, signed.s)


# --- EdgeX ---------------------------------------------------------------------------------------------


def test_edgex_reproduces_the_sdk_vector():
    signer = edgex_signer()
    assert signer.address == EDGEX["signer"]
    assert signing.edgex_address(Secret(EDGEX["private_key"])) == EDGEX["signer"]
    signed = edgex_vector_order(signer)
    assert signed.message == EDGEX["message"]
    assert signed.message_hash == EDGEX["digest"]
    assert signed.signature == EDGEX["signature"]
    assert signed.nonce == signing.edgex_nonce(EDGEX["client_order_id"]) == int(EDGEX["message"]["base"]["nonce"])
    assert signing.edgex_recover(EDGEX["digest"], EDGEX["signature"]) == EDGEX["signer"]


def test_edgex_body_fields_follow_the_sdk():
    signed = edgex_vector_order(size=Decimal("0.005"), price=Decimal("122384.5"), expire_time_ms=1800000000123)
    assert signed.body_fields == {
        "expireTime": "1800000000123",
        "l2Nonce": str(signing.edgex_nonce(EDGEX["client_order_id"])),
        "l2Value": "611.9225",  # str(Decimal("122384.5") * Decimal("0.005"))
        "l2Size": "0.005",
        "l2LimitFee": "1",  # ceil(611.9225 * 0.00038): whole USD
        "l2ExpireTime": str(1800000000123 + 8 * 86_400_000),
        "l2Signature": signed.signature,
    }
    assert signed.message["base"]["expirationTimestamp"] == "1800000000"


def test_edgex_venue_side_digest_and_recovery():
    signer = edgex_signer()
    signed = edgex_vector_order(signer, side=Side.SELL, size=Decimal("0.005"), price=Decimal("122384.5"))
    body = signed.body_fields
    fields = dict(account_id=signer.account_id, signer=signer.address, side=Side.SELL, size=body["l2Size"],
                  value=body["l2Value"], limit_fee=body["l2LimitFee"], nonce=int(body["l2Nonce"]),
                  expire_time_ms=int(body["expireTime"]))
    hasher = signer.hasher
    assert hasher.order_digest(**fields) == signed.message_hash
    assert signing.edgex_recover(signed.message_hash, body["l2Signature"]) == signer.address
    tampered = [{"side": Side.BUY}, {"size": "0.006"}, {"value": "611.9226"}, {"limit_fee": "0"},
                {"nonce": fields["nonce"] + 1}, {"expire_time_ms": fields["expire_time_ms"] + 1000},
                {"account_id": signer.account_id + 1}]
    for change in tampered:
        digest = hasher.order_digest(**(fields | change))
        assert digest != signed.message_hash, change
        assert signing.edgex_recover(digest, signed.signature) != signer.address, change
    other_chain = edgex_signer(chain_id="2").hasher.order_digest(**fields)
    assert signing.edgex_recover(other_chain, signed.signature) != signer.address


def test_edgex_recover_treats_a_malformed_signature_as_no_signer():
    for bad in ["", "zz", EDGEX["signature"][:-2], "00" * 65, EDGEX["signature"][:-2] + "05"]:
        assert signing.edgex_recover(EDGEX["digest"], bad) is None
    with pytest.raises(ValueError, match="digest"):
        signing.edgex_recover("0x1234", EDGEX["signature"])


@pytest.mark.parametrize("changes, message", [
    ({"chain_id": "one"}, "chain id"),
    ({"verifying_contract": "0x1234"}, "verifying contract"),
    ({"synthetic_resolution": 0}, "synthetic resolution"),
    ({"collateral_resolution": "1e6"}, "collateral resolution"),
    ({"fee_rate": Decimal("-0.1")}, "fee rate"),
    ({"contract_id": "BTCUSD"}, "contract id"),
])
def test_edgex_bad_metadata_is_a_value_error(changes, message):
    with pytest.raises(ValueError, match=message):
        edgex_signer(**changes)


@pytest.mark.parametrize("changes, message", [
    ({"size": Decimal("-1")}, "size"),
    ({"price": Decimal("Infinity")}, "price: expected a finite Decimal"),
    ({"expire_time_ms": 2**64 - 1}, "expire time"),
])
def test_edgex_bad_orders_are_value_errors(changes, message):
    with pytest.raises(ValueError, match=message):
        edgex_vector_order(**changes)


@settings(max_examples=60, deadline=None)
@given(size=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3),
       price=st.decimals(min_value=Decimal("0.1"), max_value=Decimal(500000), places=1),
       fee_rate=st.decimals(min_value=Decimal(0), max_value=Decimal("0.01"), places=6),
       synthetic_resolution=st.sampled_from([10**6, 10**9, 10**10]),
       collateral_resolution=st.sampled_from([10**6, 10**8]))
def test_edgex_amounts_are_the_sdk_arithmetic(size, price, fee_rate, synthetic_resolution, collateral_resolution):
    # edgex-python-sdk 2.x order/client.py, in Python's Decimal.
    value = price * size
    limit_fee = (value * fee_rate).to_integral_value(rounding=ROUND_CEILING)
    signer = edgex_signer(fee_rate=fee_rate, synthetic_resolution=synthetic_resolution,
                          collateral_resolution=hex(collateral_resolution))
    signed = edgex_vector_order(signer, size=size, price=price)
    assert (signed.l2_value, signed.l2_limit_fee) == (value, limit_fee)
    assert signed.body_fields["l2Value"] == str(value)
    assert signed.body_fields["l2LimitFee"] == str(limit_fee)
    m = signed.message
    assert m["amountSynthetic"] == str(int(size * synthetic_resolution))
    assert m["amountCollateral"] == str(int(value * collateral_resolution))
    assert m["amountFee"] == str(int(limit_fee * collateral_resolution))


def _python_hmac(secret: str, message: str) -> str:
    # edgex_sdk/internal/auth.py: the key is the base64 text of the secret.
    return hmac.new(base64.b64encode(secret.encode()), message.encode(), hashlib.sha256).hexdigest()


@settings(max_examples=50, deadline=None)
@given(secret=st.text(min_size=1), timestamp=st.integers(min_value=0, max_value=2**53),
       method=st.sampled_from(["GET", "POST"]), path=st.text(), content=st.text())
def test_edgex_request_signature_is_the_sdk_hmac(secret, timestamp, method, path, content):
    signature = signing.edgex_request_signature(Secret(secret), timestamp, method, path, content)
    assert signature == _python_hmac(secret, f"{timestamp}{method}{path}{content}")
    assert signing.edgex_verify_request_signature(Secret(secret), str(timestamp), method, path, content, signature)
    assert not signing.edgex_verify_request_signature(Secret(secret), timestamp + 1, method, path, content,
                                                      signature)


def test_edgex_private_websocket_auth():
    content = signing.edgex_ws_auth_content(12345, 1700000000000)
    assert content == "accountId=12345&timestamp=1700000000000"
    signature = signing.edgex_request_signature(Secret("s3cret"), 1700000000000, "GET",
                                                signing.EDGEX_PRIVATE_WS_PATH, content)
    assert signature == _python_hmac("s3cret", "1700000000000GET/api/v1/private/ws" + content)
    assert not signing.edgex_verify_request_signature(Secret("s3cret"), 1700000000000, "GET",
                                                      signing.EDGEX_PRIVATE_WS_PATH, content, "not hex")


# --- secrets -------------------------------------------------------------------------------------------


def _edgex_with_key(key: object) -> signing.EdgexSigner:
    return signing.EdgexSigner(key, account_id=1, chain_id=1,  # type: ignore[arg-type]
                               verifying_contract=EDGEX["domain"]["verifyingContract"], **EDGEX_CONTRACT)


def _paradex_with_key(key: object) -> signing.ParadexSigner:
    return signing.ParadexSigner(key, "0x1", "SN_MAIN")  # type: ignore[arg-type]


def test_keys_must_be_secrets():
    for make in (_edgex_with_key, _paradex_with_key):
        with pytest.raises(TypeError, match="Secret"):
            make("0x" + "11" * 32)
    with pytest.raises(TypeError, match="Secret"):
        signing.edgex_request_signature("secret", 1, "GET", "/", "")  # type: ignore[arg-type]


def test_keys_never_show():
    key = "0x" + "ab" * 32
    shown = [repr(_paradex_with_key(Secret(key[:60]))), repr(_edgex_with_key(Secret(key))),
             repr(paradex_signer().sign_order(**paradex_vector_order())), repr(edgex_vector_order())]
    for bad in ["0x" + "zz" * 32, "0x" + "ff" * 32, "0x0"]:  # not hex; above either curve's order; zero
        for make in (_edgex_with_key, _paradex_with_key):
            with pytest.raises(ValueError, match="private key") as err:
                make(Secret(bad))
            shown.append(str(err.value))
    for text in shown:
        for secret in (key, key[:60], PARADEX["private_key"], EDGEX["private_key"], "zz" * 32, "ff" * 32):
            assert secret[2:] not in text, text
