"""EdgeX V2 as data: the HMAC request content, envelopes, metadata, and what an order object says was filled."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyarb.model import OrderFinal, OrderOpen, Side
from pyarb.secrets import Secret
from pyarb.sim.edgex import metadata_json
from pyarb.venues.edgex import protocol as p
from pyarb.venues.edgex.client import EdgexCredentials, order_signer


def test_the_signed_content_of_a_body_is_sorted_key_values_not_json() -> None:
    body = {"size": "0.005", "accountId": "12", "reduceOnly": False, "openTp": None,
            "clientOrderIdList": ["a", "b"], "nested": {"z": True, "a": "1"}}
    assert p.content_of(body) == "accountId=12&clientOrderIdList=a&b&nested=a=1&z=true&openTp=&reduceOnly=false&size=0.005"
    assert p.content_of([]) == "" and p.content_of(None) == ""


def test_the_signed_content_of_a_query_is_its_parameters_sorted() -> None:
    assert p.query_content({"size": "10", "accountId": "7", "filterTypeList": "X"}) == \
        "accountId=7&filterTypeList=X&size=10"


def test_an_envelope_is_recognised_only_with_a_code() -> None:
    env = p.parse_envelope({"code": "GATEWAY_INTERNAL_ERROR", "msg": "unknown error",
                            "traceId": "56d8392fe4b4e24b8ad8ed21c2952521"})
    assert env == p.Envelope("GATEWAY_INTERNAL_ERROR", None, "unknown error", "56d8392fe4b4e24b8ad8ed21c2952521")
    assert not env.ok
    assert p.parse_envelope({"code": "SUCCESS", "data": {"orderId": "1"}}).ok
    for not_one in (None, [], {"data": {}}, {"code": ""}, {"code": 0}, "SUCCESS"):
        assert p.parse_envelope(not_one) is None


def test_metadata_gives_the_market_and_the_signing_terms() -> None:
    meta = p.parse_metadata(metadata_json())
    btc = meta.contracts["BTCUSD"]
    assert btc.contract_id == "10000001" and meta.by_id["10000001"] is btc
    assert (btc.spec.tick, btc.spec.step, btc.spec.min_size, btc.spec.max_size, btc.spec.taker_fee) == \
        (Decimal("0.1"), Decimal("0.001"), Decimal("0.001"), Decimal("50"), Decimal("0.00038"))
    assert btc.limit_fee_rate == Decimal("0.00038")  # the larger of the default taker and maker rates
    assert (btc.coin_id, btc.synthetic_resolution, btc.collateral_resolution) == ("1000", "0x2540be400", "0xf4240")
    assert meta.chain_id and meta.verifying_contract.startswith("0x")


def test_metadata_without_the_domain_or_a_resolution_is_refused() -> None:
    no_domain = metadata_json()
    del no_domain["global"]["contractAddress"]
    with pytest.raises(ValueError, match="contractAddress"):
        p.parse_metadata(no_domain)
    no_resolution = metadata_json()
    del no_resolution["contractList"][0]["resolution"]
    with pytest.raises(ValueError, match="BTCUSD"):
        p.parse_metadata(no_resolution)


def _order(**fields: str) -> dict:
    return {"id": "9", "clientOrderId": "c-1", **fields}


def test_an_ioc_that_filled_partly_ends_canceled_with_its_matched_size() -> None:
    state = p.order_state(_order(status="CANCELED", cumMatchSize="0.003", cumMatchValue="366.0",
                                 cumMatchFee="0.139", cumFillSize="0"))
    assert state == OrderFinal("c-1", Decimal("0.003"), Decimal("122000"), Decimal("0.139"), "CANCELED", "9")
    assert str(state.avg_price) == "122000"


def test_what_failed_settlement_is_not_filled() -> None:
    state = p.order_state(_order(status="FILLED", cumMatchSize="0.005", cumMatchValue="610", cumMatchFee="0.2",
                                 cumFailSize="0.001", cumFailValue="122", cumFailFee="0.04"))
    assert isinstance(state, OrderFinal) and state.filled == Decimal("0.004") and str(state.avg_price) == "122000"


def test_answers_without_match_fields_use_the_fill_fields() -> None:
    state = p.order_state(_order(status="FILLED", cumFillSize="0.001", cumFillValue="97.4445", cumFillFee="0.01754"))
    assert state == OrderFinal("c-1", Decimal("0.001"), Decimal("97444.5"), Decimal("0.01754"), "FILLED", "9")


@pytest.mark.parametrize("status", ["PENDING", "OPEN", "CANCELING", "UNTRIGGERED"])
def test_working_statuses_are_open(status: str) -> None:
    assert p.order_state(_order(status=status)) == OrderOpen("c-1", Decimal(0), None, "9")


@given(st.decimals(min_value=1, max_value=10**6, places=3), st.sampled_from([Side.BUY, Side.SELL]))
def test_a_price_goes_on_the_tick_and_never_more_aggressive(price: Decimal, side: Side) -> None:
    tick = Decimal("0.1")
    on_tick = p.to_tick(price, tick, side)
    assert on_tick % tick == 0
    assert (on_tick <= price) if side is Side.BUY else (on_tick >= price)
    assert abs(on_tick - price) < tick


def test_orders_are_signed_with_the_metadata_terms_exactly_as_the_v2_sdk_signs_them() -> None:
    vector = orjson.loads((Path(__file__).parent.parent / "vectors" / "edgex_v2_order.json").read_bytes())
    message = vector["message"]
    metadata = metadata_json()
    metadata["global"].update(nativeChainId=str(vector["domain"]["chainId"]),
                              contractAddress=vector["domain"]["verifyingContract"])
    metadata["coinList"][0].update(resolution="1000000")  # as the vector's amounts were scaled
    metadata["contractList"][0].update(resolution="10000000000")
    meta = p.parse_metadata(metadata)
    creds = EdgexCredentials(account_id=message["base"]["accountId"], api_key=Secret("k"), api_secret=Secret("s"),
                             api_passphrase=Secret("p"), trading_private_key=Secret(vector["private_key"]))
    signer = order_signer(creds, meta, meta.contracts["BTCUSD"])
    # 0.1 BTC at 1,000,000: amountSynthetic 0.1e10, amountCollateral 100000e6, fee cap ceil(100000 * 0.00038) = 38.
    signed = signer.sign_order(side=Side.BUY, size=Decimal("0.1"), price=Decimal("1000000"),
                               client_order_id=vector["client_order_id"],
                               expire_time_ms=int(message["base"]["expirationTimestamp"]) * 1000)
    assert signer.address == vector["signer"]
    assert signed.message_hash == vector["digest"]
    assert signed.signature == vector["signature"]
    assert signed.body_fields["l2Nonce"] == message["base"]["nonce"]
