"""Type stubs for the Rust extension ``pyarb._core`` (built from ``rust/python``)."""

# --- books and spread (rust/python/src/book.rs) ---------------------------------------------------------

from decimal import Decimal as _Decimal
from typing import Literal as _Literal

from pyarb.model import MarketSpec as _MarketSpec
from pyarb.model import Venue as _Venue

_Direction = _Literal["buy_edgex_sell_paradex", "buy_paradex_sell_edgex"]

class Quote:
    """Executing one direction at one size; prices and sizes are decimal strings."""

    @property
    def direction(self) -> _Direction: ...
    @property
    def buy_venue(self) -> _Venue: ...
    @property
    def sell_venue(self) -> _Venue: ...
    @property
    def size(self) -> str: ...
    @property
    def buy_vwap(self) -> str: ...
    @property
    def sell_vwap(self) -> str: ...
    @property
    def buy_limit(self) -> str:
        """The buy leg's IOC limit: the worst ask the walk reaches."""
    @property
    def sell_limit(self) -> str:
        """The sell leg's IOC limit: the worst bid the walk reaches."""
    @property
    def edge_bps(self) -> float:
        """Net of both taker fees, relative to the buy notional."""
    @property
    def edge_usd(self) -> str:
        """Net of both taker fees, exact."""

class FrameResult:
    """What one frame did to its venue's book."""

    @property
    def venue(self) -> _Venue: ...
    @property
    def kind(self) -> _Literal["applied", "duplicate", "awaiting_snapshot", "rejected", "other"]: ...
    @property
    def reason(self) -> _Literal["malformed", "gap", "crossed"] | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def resync(self) -> bool:
        """The frame was rejected: the book is stale until the venue sends a fresh snapshot."""
    @property
    def stale(self) -> bool: ...
    @property
    def best_bid(self) -> str | None: ...
    @property
    def best_ask(self) -> str | None: ...
    @property
    def opportunity(self) -> Quote | None:
        """After an applied frame, with both books fresh: the largest size with the minimum edge."""
    @property
    def what(self) -> str | None:
        """Other frames: the EdgeX ``type`` or the Paradex ``method`` ("result"/"error" for replies)."""
    @property
    def channel(self) -> str | None: ...
    @property
    def time(self) -> str | None:
        """Other frames: their ``time`` field, which a ``pong`` echoes."""

class Books:
    """Both venues' books for one market pair, and the spread between them."""

    def __init__(
        self,
        edgex: _MarketSpec,
        paradex: _MarketSpec,
        min_edge_bps: _Decimal | str,
        max_size: _Decimal | str,
        max_age_ms: int,
    ) -> None:
        """Raises ValueError on a bad config (e.g. a zero tick, a fee outside [0, 1))."""
    def on_frame(self, venue: _Venue, frame: bytes | str, now_ms: int) -> FrameResult:
        """Applies one raw websocket frame received at ``now_ms``. Never raises on frame content.

        Results and quotes are immutable, so one that says the same as the last one handed out is that
        same object again (most frames change neither the best prices nor the opportunity)."""
    def best(self, now_ms: int) -> Quote | None: ...
    def quote(self, direction: _Direction, size: _Decimal | str, now_ms: int) -> Quote | None:
        """Executing ``direction`` at ``size``; None when a book is stale, too old, or too thin."""
    def levels(self, venue: _Venue, n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The best ``n`` (price, size) levels: (bids, asks)."""
    def is_stale(self, venue: _Venue) -> bool: ...
    def mark_stale(self, venue: _Venue) -> None:
        """Distrusts the book (e.g. after a disconnect) until its next snapshot."""

# --- signing (rust/python/src/sign.rs) ------------------------------------------------------------------
# Numbers cross as text: decimals in plain notation, hashes and keys in hex. Keys enter once, when a signer
# is built. Bad input raises ValueError naming the field; the typed facade is ``pyarb.signing``.

class ParadexTypedData:
    """StarkNet typed-data hashes (SNIP-12 rev 0, Pedersen) of one account on one chain."""

    def __init__(self, chain_id: str, account: str) -> None: ...
    def order_hash(
        self, timestamp_ms: int, market: str, buy: bool, order_type: str, size: str, price: str | None = None
    ) -> str:
        """0x-hex message hash of an ``Order``; price is signed as 0 for MARKET."""
    def auth_hash(self, timestamp: int, expiration: int) -> str:
        """0x-hex message hash of the ``POST /v1/auth`` ``Request`` (seconds)."""
    def onboarding_hash(self) -> str:
        """0x-hex message hash of the ``POST /v1/onboarding`` ``Constant`` (action "Onboarding")."""

class ParadexSigner:
    def __init__(self, private_key: str, chain_id: str, account: str) -> None: ...
    @property
    def public_key(self) -> str: ...
    def sign_order(
        self, timestamp_ms: int, market: str, buy: bool, order_type: str, size: str, price: str | None = None
    ) -> tuple[str, str, str]:
        """(message hash in 0x-hex, r, s in decimal)."""
    def sign_auth(self, timestamp: int, expiration: int) -> tuple[str, str, str]: ...
    def sign_onboarding(self) -> tuple[str, str, str]: ...

def paradex_public_key(private_key: str) -> str: ...
def paradex_verify(public_key: str, message_hash: str, r: str, s: str) -> bool:
    """False for a malformed or out-of-range signature; ValueError for a malformed key or hash."""

class EdgexContract:
    """A perpetual's order terms from getMetaData (resolutions in decimal or 0x-hex)."""

    def __init__(
        self,
        contract_id: str,
        collateral_coin_id: str,
        synthetic_resolution: str,
        collateral_resolution: str,
        fee_rate: str,
    ) -> None: ...

class EdgexDomain:
    """The EIP-712 domain {name "EdgeX", version "1", chainId, verifyingContract}."""

    def __init__(self, chain_id: str, verifying_contract: str) -> None: ...
    def order_digest(
        self,
        contract: EdgexContract,
        account_id: int,
        signer: str,
        buy: bool,
        size: str,
        value: str,
        limit_fee: str,
        nonce: int,
        expire_time_ms: int,
    ) -> str:
        """0x-hex digest of an order as its body states it (l2Size, l2Value, l2LimitFee, l2Nonce, expireTime)."""

class EdgexSigner:
    def __init__(self, private_key: str, account_id: int, domain: EdgexDomain) -> None: ...
    @property
    def address(self) -> str: ...
    def sign_order(
        self, contract: EdgexContract, buy: bool, size: str, price: str, client_order_id: str, expire_time_ms: int
    ) -> tuple[str, str, int, str, str, int, str]:
        """(digest, signature hex without 0x, l2 nonce, l2 value, l2 limit fee, l2 expire time ms, message JSON)."""

def edgex_address(private_key: str) -> str: ...
def edgex_nonce(client_order_id: str) -> int: ...
def edgex_recover(digest: str, signature: str) -> str | None:
    """None for a malformed signature or one that recovers no key; ValueError for a malformed digest."""
def edgex_request_signature(secret: str, timestamp: str, method: str, path: str, content: str) -> str: ...
def edgex_verify_request_signature(
    secret: str, timestamp: str, method: str, path: str, content: str, signature: str
) -> bool: ...
