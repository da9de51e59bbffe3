"""``pyarb sign paradex|edgex ...``: the message hash and signature of given inputs, as JSON, to debug a
signature that a venue rejects.

Keys and secrets are read from environment variables only, never from the command line (where shell history
and ``ps`` would keep them), and are never printed:

- ``PYARB_PARADEX_PRIVATE_KEY``: the Paradex account's StarkNet private key (hex);
- ``PYARB_EDGEX_PRIVATE_KEY``: the EdgeX account's EIP-712 trading key (hex, 32 bytes);
- ``PYARB_EDGEX_API_SECRET``: the EdgeX API secret (for ``edgex request``).

``--key-env NAME`` reads the key from another variable instead.
"""

from __future__ import annotations

import functools
import json
import os
import time
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from pyarb import signing
from pyarb.config import SECRET_ENV
from pyarb.model import Side
from pyarb.secrets import Secret
from pyarb.venues.edgex.protocol import ORDER_EXPIRY_MS

# the variables the engine reads the same keys from
PARADEX_KEY_ENV = SECRET_ENV[("paradex", "private_key")]
EDGEX_KEY_ENV = SECRET_ENV[("edgex", "trading_private_key")]
EDGEX_SECRET_ENV = SECRET_ENV[("edgex", "api_secret")]
PARADEX_MAINNET = "PRIVATE_SN_PARACLEAR_MAINNET"


class _DecimalType(click.ParamType):
    name = "decimal"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a finite decimal", param, ctx)
        return number


DECIMAL = _DecimalType()
SIDE = click.Choice(["buy", "sell"], case_sensitive=False)


def _secret(env: str, what: str) -> Secret:
    value = os.environ.get(env, "").strip()
    if not value:
        raise click.ClickException(f"set {env} to {what}")
    return Secret(value)


def _emit(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, indent=2))


def _signing_errors(fn):
    """Bad input is a one-line error naming the field (never the key), not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group()
def sign() -> None:
    """Print the message hash and signature of an order or request as JSON."""


@sign.group()
def paradex() -> None:
    """Paradex: StarkNet typed data signed with the account's Stark key ($PYARB_PARADEX_PRIVATE_KEY)."""


def _paradex_options(fn):
    fn = click.option("--key-env", default=PARADEX_KEY_ENV, show_default=True,
                      help="Environment variable holding the StarkNet private key.")(fn)
    fn = click.option("--chain-id", default=PARADEX_MAINNET, show_default=True,
                      help="starknet_chain_id from GET /system/config.")(fn)
    return click.option("--account", required=True, help="The account's StarkNet address (hex).")(fn)


def _paradex_payload(signer: signing.ParadexSigner, signed: signing.Signed, inputs: dict[str, Any]) -> dict:
    return {"venue": "paradex", "account": signer.account, "chain_id": signer.chain_id,
            "public_key": signer.public_key, **inputs, "message_hash": signed.message_hash,
            "signature": [signed.r, signed.s], "signature_header": signed.signature}


@paradex.command("order")
@_paradex_options
@click.option("--market", required=True, help="E.g. BTC-USD-PERP.")
@click.option("--side", type=SIDE, required=True)
@click.option("--size", type=DECIMAL, required=True)
@click.option("--price", type=DECIMAL, default=None, help="Required unless --type MARKET (signed as 0).")
@click.option("--type", "order_type", default="LIMIT", show_default=True)
@click.option("--timestamp-ms", type=int, default=None, help="The order's signature_timestamp [default: now].")
@_signing_errors
def paradex_order(account: str, chain_id: str, key_env: str, market: str, side: str, size: Decimal,
                  price: Decimal | None, order_type: str, timestamp_ms: int | None) -> None:
    """Sign an order as POST /orders carries it."""
    signer = signing.ParadexSigner(_secret(key_env, "the StarkNet private key"), account, chain_id)
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    order_type = order_type.upper()
    signed = signer.sign_order(timestamp_ms=timestamp_ms, market=market, side=Side(side.lower()), size=size,
                               price=price, order_type=order_type)
    _emit(_paradex_payload(signer, signed, {
        "order": {"market": market, "side": side.upper(), "type": order_type, "size": format(size, "f"),
                  "price": None if price is None else format(price, "f"), "signature_timestamp": timestamp_ms}}))


@paradex.command("auth")
@_paradex_options
@click.option("--timestamp", type=int, default=None, help="PARADEX-TIMESTAMP, seconds [default: now].")
@click.option("--expiration", type=int, default=None,
              help="PARADEX-SIGNATURE-EXPIRATION, seconds [default: timestamp + 30 minutes].")
@_signing_errors
def paradex_auth(account: str, chain_id: str, key_env: str, timestamp: int | None, expiration: int | None) -> None:
    """Sign the POST /v1/auth request that obtains a JWT."""
    signer = signing.ParadexSigner(_secret(key_env, "the StarkNet private key"), account, chain_id)
    timestamp = int(time.time()) if timestamp is None else timestamp
    expiration = timestamp + 1800 if expiration is None else expiration
    signed = signer.sign_auth(timestamp=timestamp, expiration=expiration)
    _emit(_paradex_payload(signer, signed, {"timestamp": timestamp, "expiration": expiration}))


@sign.group()
def edgex() -> None:
    """EdgeX V2: EIP-712 orders ($PYARB_EDGEX_PRIVATE_KEY) and HMAC requests ($PYARB_EDGEX_API_SECRET)."""


@edgex.command("order")
@click.option("--key-env", default=EDGEX_KEY_ENV, show_default=True,
              help="Environment variable holding the EIP-712 trading key.")
@click.option("--account-id", type=int, required=True)
@click.option("--chain-id", required=True, help="getMetaData global.nativeChainId.")
@click.option("--verifying-contract", required=True, help="getMetaData global.contractAddress.")
@click.option("--contract-id", required=True, help="E.g. 10000001 (BTCUSD).")
@click.option("--coin-id", "collateral_coin_id", required=True, help="The contract's quoteCoinId.")
@click.option("--synthetic-resolution", required=True, help="The contract's resolution (decimal or 0x-hex).")
@click.option("--collateral-resolution", required=True, help="The quote coin's resolution (decimal or 0x-hex).")
@click.option("--fee-rate", type=DECIMAL, required=True,
              help="The fee cap rate: max(defaultTakerFeeRate, defaultMakerFeeRate).")
@click.option("--side", type=SIDE, required=True)
@click.option("--size", type=DECIMAL, required=True)
@click.option("--price", type=DECIMAL, required=True, help="The limit (worst) price.")
@click.option("--client-order-id", required=True)
@click.option("--expire-time-ms", type=int, default=None, help="expireTime [default: now + 22 days, as the SDK].")
@_signing_errors
def edgex_order(key_env: str, account_id: int, chain_id: str, verifying_contract: str, contract_id: str,
                collateral_coin_id: str, synthetic_resolution: str, collateral_resolution: str, fee_rate: Decimal,
                side: str, size: Decimal, price: Decimal, client_order_id: str, expire_time_ms: int | None) -> None:
    """Sign a createOrder's LimitOrderParams."""
    signer = signing.EdgexSigner(
        _secret(key_env, "the EIP-712 trading key"), account_id=account_id, chain_id=chain_id,
        verifying_contract=verifying_contract, contract_id=contract_id, collateral_coin_id=collateral_coin_id,
        synthetic_resolution=synthetic_resolution, collateral_resolution=collateral_resolution, fee_rate=fee_rate)
    if expire_time_ms is None:
        expire_time_ms = int(time.time() * 1000) + ORDER_EXPIRY_MS
    signed = signer.sign_order(side=Side(side.lower()), size=size, price=price, client_order_id=client_order_id,
                               expire_time_ms=expire_time_ms)
    _emit({"venue": "edgex", "signer": signer.address, "domain": {
        "name": "EdgeX", "version": "1", "chainId": chain_id, "verifyingContract": verifying_contract},
        "message": signed.message, "body": signed.body_fields, "message_hash": signed.message_hash,
        "signature": signed.signature})


@edgex.command("request")
@click.option("--key-env", default=EDGEX_SECRET_ENV, show_default=True,
              help="Environment variable holding the API secret.")
@click.option("--timestamp", required=True, help="X-edgeX-Timestamp (ms).")
@click.option("--method", required=True, help="GET or POST (the private websocket signs as GET).")
@click.option("--path", required=True, help="E.g. /api/v2/private/order/createOrder.")
@click.option("--content", default="", help="Sorted k=v&... of the query or body; the websocket's is "
                                            "accountId=<id>&timestamp=<ts>.")
@_signing_errors
def edgex_request(key_env: str, timestamp: str, method: str, path: str, content: str) -> None:
    """Sign a REST call or the private websocket handshake (X-edgeX-Signature)."""
    secret = _secret(key_env, "the EdgeX API secret")
    signature = signing.edgex_request_signature(secret, timestamp, method, path, content)
    _emit({"venue": "edgex", "message": f"{timestamp}{method.upper()}{path}{content}", "signature": signature})
