"""Order and request signing for Paradex and EdgeX V2: the typed face of the Rust signers in ``pyarb._core``.

A signer is built once, from a :class:`~pyarb.secrets.Secret` and the venue's domain, and keeps the key inside
Rust; signing an order then does no setup (0.05 to 0.15 ms, where the official SDKs take 6 to 7 ms). Keys are
revealed only here, to hand them to Rust, and appear in no repr and no error message.

- **Paradex**: StarkNet typed data (``StarkNetDomain``, Pedersen) of an ``Order``, of the ``POST /v1/auth``
  ``Request`` or of the ``POST /v1/onboarding`` ``Constant``, signed with Stark ECDSA exactly as paradex-py signs it
  (RFC 6979 ``k`` with its extra entropy).
- **EdgeX V2**: EIP-712 ``LimitOrderParams`` with the amounts, nonce and expiries edgex-python-sdk derives,
  signed with secp256k1 as eth-account does; and the HMAC that authenticates REST calls and the private websocket.

The venue side (the simulators) uses :class:`ParadexTypedData`, :func:`paradex_verify`, :class:`EdgexOrderHasher`,
:func:`edgex_recover` and :func:`edgex_verify_request_signature`. Malformed input is a ``ValueError`` naming the
field; a ``TypeError`` when a key is not a :class:`~pyarb.secrets.Secret`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from pyarb import _core
from pyarb.model import Side
from pyarb.secrets import Secret

EDGEX_PRIVATE_WS_PATH = "/api/v1/private/ws"


def _reveal(secret: Secret, what: str) -> str:
    if not isinstance(secret, Secret):
        raise TypeError(f"{what} must be a pyarb.secrets.Secret, not {type(secret).__name__}")
    return secret.reveal()


def _plain(value: Decimal | str, what: str) -> str:
    """A decimal in plain notation (never an exponent), which is how both venues write numbers. Text passes as
    it is, so that a venue can check exactly what a request carried; Rust rejects anything that is not a
    non-negative plain decimal."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{what}: expected a finite Decimal, got {value!r}")
    return format(value, "f")


# --- Paradex ---------------------------------------------------------------------------------------------


class Signed(NamedTuple):
    """A Paradex message hash and its Stark signature: ``message_hash`` in 0x-hex, ``r`` and ``s`` in decimal."""

    message_hash: str
    r: str
    s: str

    @property
    def signature(self) -> str:
        """As Paradex takes it in an order's ``signature`` and in ``PARADEX-STARKNET-SIGNATURE``: ``["r","s"]``."""
        return f'["{self.r}","{self.s}"]'


class ParadexTypedData:
    """The message hashes of one account on one chain, without a key: what the venue checks signatures against.
    ``chain_id`` is ``starknet_chain_id`` from ``GET /system/config`` (``PRIVATE_SN_PARACLEAR_MAINNET``)."""

    __slots__ = ("_core", "account", "chain_id")

    def __init__(self, chain_id: str, account: str) -> None:
        self._core = _core.ParadexTypedData(chain_id, account)
        self.chain_id = chain_id
        self.account = account

    def order_hash(self, *, timestamp_ms: int, market: str, side: Side, size: Decimal | str,
                   price: Decimal | str | None, order_type: str = "LIMIT") -> str:
        """``price`` is signed as 0 for a MARKET order and required otherwise; ``size`` and ``price`` are scaled
        by 1e8 and must have at most 8 decimals."""
        return self._core.order_hash(timestamp_ms, market, side is Side.BUY, order_type, _plain(size, "size"),
                                     None if price is None else _plain(price, "price"))

    def auth_hash(self, *, timestamp: int, expiration: int) -> str:
        """``timestamp`` and ``expiration`` in seconds, as the PARADEX-TIMESTAMP and
        PARADEX-SIGNATURE-EXPIRATION headers carry them."""
        return self._core.auth_hash(timestamp, expiration)

    def onboarding_hash(self) -> str:
        """The hash ``POST /v1/onboarding`` signs: the ``Constant`` ``{action: "Onboarding"}``, bound to this
        account and chain only."""
        return self._core.onboarding_hash()

    def __repr__(self) -> str:
        return f"ParadexTypedData(chain_id={self.chain_id!r}, account={self.account!r})"


class ParadexSigner:
    """Signs one Paradex account's orders, auth requests and onboarding with its StarkNet key."""

    __slots__ = ("_core", "account", "chain_id")

    def __init__(self, private_key: Secret, account: str, chain_id: str) -> None:
        self._core = _core.ParadexSigner(_reveal(private_key, "private_key"), chain_id, account)
        self.account = account
        self.chain_id = chain_id

    @property
    def public_key(self) -> str:
        return self._core.public_key

    def sign_order(self, *, timestamp_ms: int, market: str, side: Side, size: Decimal | str,
                   price: Decimal | str | None, order_type: str = "LIMIT") -> Signed:
        """``timestamp_ms`` is the order's ``signature_timestamp``; see :meth:`ParadexTypedData.order_hash`."""
        return Signed(*self._core.sign_order(timestamp_ms, market, side is Side.BUY, order_type,
                                             _plain(size, "size"), None if price is None else _plain(price, "price")))

    def sign_auth(self, *, timestamp: int, expiration: int) -> Signed:
        """The signature of ``POST /v1/auth`` (seconds, as in its headers)."""
        return Signed(*self._core.sign_auth(timestamp, expiration))

    def sign_onboarding(self) -> Signed:
        """The PARADEX-STARKNET-SIGNATURE of ``POST /v1/onboarding``, which registers this key's public key."""
        return Signed(*self._core.sign_onboarding())

    def __repr__(self) -> str:
        return f"ParadexSigner(account={self.account!r}, public_key={self.public_key!r})"


def paradex_public_key(private_key: Secret) -> str:
    return _core.paradex_public_key(_reveal(private_key, "private_key"))


def paradex_verify(public_key: str, message_hash: str, r: str, s: str) -> bool:
    """Whether ``(r, s)`` (decimal or 0x-hex) signs ``message_hash`` under ``public_key``. A malformed or
    out-of-range signature is False; a malformed key or hash is a ValueError."""
    return _core.paradex_verify(public_key, message_hash, r, s)


# --- EdgeX V2 --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EdgexSignedOrder:
    """A signed EdgeX order and the body fields its signature covers."""

    message_hash: str  # the EIP-712 digest, 0x-hex
    signature: str  # r || s || v in hex without 0x, as ``l2Signature`` carries it
    nonce: int  # l2Nonce
    l2_size: str
    l2_value: Decimal  # price * size
    l2_limit_fee: Decimal  # ceil(l2_value * fee rate), whole collateral units
    expire_time_ms: int  # expireTime; the message signs it in seconds
    l2_expire_time_ms: int  # expireTime + 8 days
    message_json: str = field(repr=False)  # the signed message as eth-account's typed data writes it

    @property
    def message(self) -> dict[str, Any]:
        return json.loads(self.message_json)

    @property
    def body_fields(self) -> dict[str, str]:
        """The createOrder body fields that carry the signature and what it signs."""
        return {
            "expireTime": str(self.expire_time_ms),
            "l2Nonce": str(self.nonce),
            "l2Value": format(self.l2_value, "f"),
            "l2Size": self.l2_size,
            "l2LimitFee": format(self.l2_limit_fee, "f"),
            "l2ExpireTime": str(self.l2_expire_time_ms),
            "l2Signature": self.signature,
        }


class EdgexOrderHasher:
    """The EIP-712 digests of one EdgeX market's orders, without a key: what the venue checks ``l2Signature``
    against. All terms come from ``getMetaData``:

    - ``chain_id``, ``verifying_contract``: ``global.nativeChainId`` and ``global.contractAddress``;
    - ``contract_id``, ``collateral_coin_id``: the contract's ``contractId`` and ``quoteCoinId``;
    - ``synthetic_resolution``, ``collateral_resolution``: the contract's and its quote coin's ``resolution``
      (an int, or the text getMetaData gives: decimal or 0x-hex);
    - ``fee_rate``: the rate the signed fee cap uses; the official SDK takes the larger of the contract's
      ``defaultTakerFeeRate`` and ``defaultMakerFeeRate``.
    """

    __slots__ = ("_contract", "_domain", "contract_id")

    def __init__(self, *, chain_id: int | str, verifying_contract: str, contract_id: str, collateral_coin_id: str,
                 synthetic_resolution: int | str, collateral_resolution: int | str, fee_rate: Decimal) -> None:
        self._domain = _core.EdgexDomain(str(chain_id), verifying_contract)
        self._contract = _core.EdgexContract(str(contract_id), str(collateral_coin_id), str(synthetic_resolution),
                                             str(collateral_resolution), _plain(fee_rate, "fee_rate"))
        self.contract_id = str(contract_id)

    def order_digest(self, *, account_id: int, signer: str, side: Side, size: Decimal | str, value: Decimal | str,
                     limit_fee: Decimal | str, nonce: int, expire_time_ms: int) -> str:
        """The digest of an order as its body states it: ``l2Size``, ``l2Value``, ``l2LimitFee``, ``l2Nonce`` and
        ``expireTime``; ``signer`` is the account's registered signer address."""
        return self._domain.order_digest(self._contract, account_id, signer, side is Side.BUY, _plain(size, "size"),
                                         _plain(value, "value"), _plain(limit_fee, "limit_fee"), nonce, expire_time_ms)

    def __repr__(self) -> str:
        return f"EdgexOrderHasher(contract_id={self.contract_id!r})"


class EdgexSigner:
    """Signs one EdgeX account's orders on one market with its EIP-712 trading key. The market's terms are those
    of :class:`EdgexOrderHasher`."""

    __slots__ = ("_core", "account_id", "hasher")

    def __init__(self, private_key: Secret, *, account_id: int, chain_id: int | str, verifying_contract: str,
                 contract_id: str, collateral_coin_id: str, synthetic_resolution: int | str,
                 collateral_resolution: int | str, fee_rate: Decimal) -> None:
        self.hasher = EdgexOrderHasher(
            chain_id=chain_id, verifying_contract=verifying_contract, contract_id=contract_id,
            collateral_coin_id=collateral_coin_id, synthetic_resolution=synthetic_resolution,
            collateral_resolution=collateral_resolution, fee_rate=fee_rate)
        self._core = _core.EdgexSigner(_reveal(private_key, "private_key"), account_id, self.hasher._domain)
        self.account_id = account_id

    @property
    def address(self) -> str:
        """The checksummed signer address."""
        return self._core.address

    def sign_order(self, *, side: Side, size: Decimal, price: Decimal, client_order_id: str,
                   expire_time_ms: int) -> EdgexSignedOrder:
        """An order of ``size`` at worst price ``price`` (the limit price; for a market order, the SDK signs a
        worst price too). ``expire_time_ms`` is the body's ``expireTime``; the SDK uses now + 22 days."""
        l2_size = _plain(size, "size")
        digest, signature, nonce, value, fee, l2_expire, message = self._core.sign_order(
            self.hasher._contract, side is Side.BUY, l2_size, _plain(price, "price"), client_order_id,
            expire_time_ms)
        return EdgexSignedOrder(message_hash=digest, signature=signature, nonce=nonce, l2_size=l2_size,
                                l2_value=Decimal(value), l2_limit_fee=Decimal(fee), expire_time_ms=expire_time_ms,
                                l2_expire_time_ms=l2_expire, message_json=message)

    def __repr__(self) -> str:
        return f"EdgexSigner(account_id={self.account_id!r}, address={self.address!r}, hasher={self.hasher!r})"


def edgex_address(private_key: Secret) -> str:
    """The checksummed address of an EIP-712 trading key."""
    return _core.edgex_address(_reveal(private_key, "private_key"))


def edgex_nonce(client_order_id: str) -> int:
    """``l2Nonce``: the first 32 bits of sha256(clientOrderId)."""
    return _core.edgex_nonce(client_order_id)


def edgex_recover(message_hash: str, signature: str) -> str | None:
    """The checksummed address that made ``signature`` (65 bytes of hex), or None when it is malformed or
    recovers no key. Compare addresses case-insensitively."""
    return _core.edgex_recover(message_hash, signature)


def edgex_request_signature(secret: Secret, timestamp: int | str, method: str, path: str, content: str) -> str:
    """``X-edgeX-Signature``: hex HMAC-SHA256, keyed with the base64 text of the API secret, of
    ``timestamp + METHOD + path + content``. ``content`` is the sorted ``k=v&...`` form of the query (GET) or of
    the JSON body (POST), as the venue client builds it; for the private websocket see
    :func:`edgex_ws_auth_content`."""
    return _core.edgex_request_signature(_reveal(secret, "secret"), str(timestamp), method, path, content)


def edgex_verify_request_signature(secret: Secret, timestamp: int | str, method: str, path: str, content: str,
                                   signature: str) -> bool:
    """Whether ``signature`` is the request's signature (compared in constant time)."""
    return _core.edgex_verify_request_signature(_reveal(secret, "secret"), str(timestamp), method, path, content,
                                                signature)


def edgex_ws_auth_content(account_id: int | str, timestamp: int | str) -> str:
    """The content of the private websocket's handshake, signed as a GET of :data:`EDGEX_PRIVATE_WS_PATH`."""
    return f"accountId={account_id}&timestamp={timestamp}"
