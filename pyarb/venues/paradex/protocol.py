"""Paradex as data: URLs and paths, the auth headers and the JWT, the error body and ``results`` lists, JSON-RPC
messages and channel names, and what an order, fill or position says. Decimals go on the wire as
``pyarb.model.fmt`` writes them.

Pure functions shared by the client (``pyarb.venues.paradex.client``) and the simulator (``pyarb.sim.paradex``), so the
two can only disagree about the venue where the venue itself is ambiguous. Sources: Paradex's OpenAPI, AsyncAPI and
OpenRPC specs, the paradex-py SDK, and ``/work/shared/venues/paradex/NOTES.md``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import orjson

from pyarb.model import Side
from pyarb.venues.base import Fill

# --- where ----------------------------------------------------------------------------------------------

VERSION = "/v1"  # the REST paths are below it and the websocket is at it


@dataclass(frozen=True, slots=True)
class ParadexEndpoints:
    rest: str  # ends in VERSION
    ws: str

    @classmethod
    def for_env(cls, env: str) -> ParadexEndpoints:
        """``prod`` or ``testnet``: the venue's documented URLs."""
        if env not in ("prod", "testnet"):
            raise ValueError(f"unknown Paradex environment {env!r}: expected prod or testnet")
        return cls(rest=f"https://api.{env}.paradex.trade{VERSION}", ws=f"wss://ws.api.{env}.paradex.trade{VERSION}")

    @classmethod
    def from_base_url(cls, url: str) -> ParadexEndpoints:
        """One base URL serving both, as the simulator does: ``http://127.0.0.1:8123`` ->
        REST ``http://127.0.0.1:8123/v1``, websocket ``ws://127.0.0.1:8123/v1``."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) base URL: {url!r}")
        base = f"{parts.netloc}{parts.path.rstrip('/')}"
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        return cls(rest=f"{parts.scheme}://{base}{VERSION}", ws=f"{ws_scheme}://{base}{VERSION}")


# REST paths, below VERSION. A ``{name}`` part is a route pattern to the simulator and a format field to the client.
SYSTEM_CONFIG = "/system/config"
SYSTEM_STATE = "/system/state"  # {"status": "ok" | "maintenance" | "cancel_only"}
SYSTEM_TIME = "/system/time"
MARKETS = "/markets"
ORDERBOOK = "/orderbook/{market}"
ONBOARDING = "/onboarding"
AUTH = "/auth"
AUTH_FOR_KEY = "/auth/{public_key}"  # as the SDK calls it
ORDERS = "/orders"
ORDER = "/orders/{order_id}"
ORDER_BY_CLIENT_ID = "/orders/by_client_id/{client_id}"  # GET finds open orders only; the rest are in the history
ORDERS_HISTORY = "/orders-history"
FILLS = "/fills"
POSITIONS = "/positions"

# --- auth -----------------------------------------------------------------------------------------------

# POST /auth and POST /onboarding are signed with the account's StarkNet key; these headers carry the signature.
H_ACCOUNT = "PARADEX-STARKNET-ACCOUNT"
H_SIGNATURE = "PARADEX-STARKNET-SIGNATURE"  # '["r","s"]'
H_TIMESTAMP = "PARADEX-TIMESTAMP"  # seconds
H_EXPIRATION = "PARADEX-SIGNATURE-EXPIRATION"  # seconds
H_ETHEREUM_ACCOUNT = "PARADEX-ETHEREUM-ACCOUNT"  # onboarding only

AUTH_SIGNATURE_LIFETIME = 30 * 60  # seconds: the venue's default PARADEX-SIGNATURE-EXPIRATION, after the timestamp
JWT_LIFETIME = 300.0  # seconds a JWT from POST /auth lives
BEARER = "Bearer "  # then the JWT, in the Authorization header of every private call


def b64url(data: bytes) -> str:
    """Base64url without padding, as a JWT writes its parts."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_jwt(token: str) -> tuple[str, Any, bytes]:
    """A JWT's signed part (``header.claims``), its claims and its signature: read, not verified. Raises
    ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT: expected three parts")
    try:
        return f"{parts[0]}.{parts[1]}", orjson.loads(_unb64url(parts[1])), _unb64url(parts[2])
    except ValueError:  # bad base64 (binascii.Error) and bad JSON (orjson.JSONDecodeError) are ValueErrors
        raise ValueError("not a JWT: undecodable parts") from None


def jwt_lifetime(token: str) -> float:
    """Seconds the token lives, from its ``iat`` and ``exp`` claims; :data:`JWT_LIFETIME` when they cannot be read."""
    try:
        claims = read_jwt(token)[1]
        return max(1.0, float(claims["exp"]) - float(claims["iat"]))
    except (KeyError, TypeError, ValueError):
        return JWT_LIFETIME


# --- answers --------------------------------------------------------------------------------------------

# the error codes both sides act on
INVALID_TOKEN = "INVALID_TOKEN"  # the JWT is missing, expired or unknown
CLIENT_ORDER_ID_NOT_FOUND = "CLIENT_ORDER_ID_NOT_FOUND"
ORDER_ID_NOT_FOUND = "ORDER_ID_NOT_FOUND"


def error_body(code: str, message: str) -> dict[str, Any]:
    """``{"error": code, "message": ..., "data": null}``: every refusal."""
    return {"error": code, "message": message, "data": None}


def error_of(body: Any) -> tuple[str, str] | None:
    """``(code, message)`` of an error body; None when ``body`` is not one."""
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("message", ""))
    return None


def listing(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A list answer that is not paged."""
    return {"results": results}


def page(results: list[dict[str, Any]], next_cursor: str | None, prev_cursor: str | None) -> dict[str, Any]:
    """One page of a paged list; ``next_cursor`` (sent back as ``cursor``) is None on the last page."""
    return {"next": next_cursor, "prev": prev_cursor, "results": results}


def results_of(body: Any) -> list[dict[str, Any]] | None:
    """The ``results`` of a list answer; None when ``body`` is not one (which never means "empty")."""
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        return None
    return results


def next_cursor(body: dict[str, Any]) -> str | None:
    """The ``cursor`` of the page after this one; None on the last."""
    cursor = body.get("next")
    return str(cursor) if cursor else None


# --- the websocket: JSON-RPC 2.0 ------------------------------------------------------------------------

JSONRPC = "2.0"
SUBSCRIPTION = "subscription"  # the method of every channel message


def rpc_request(rpc_id: int, method: str, params: dict[str, Any]) -> str:
    """A request, as text: the venue reads text frames."""
    return orjson.dumps({"jsonrpc": JSONRPC, "method": method, "params": params, "id": rpc_id}).decode()


def rpc_result(rpc_id: Any, result: dict[str, Any], us_in: int, us_out: int) -> bytes:
    """The answer to a request: received at ``us_in``, answered at ``us_out`` (microseconds)."""
    return orjson.dumps({"jsonrpc": JSONRPC, "result": result, "usIn": us_in, "usDiff": us_out - us_in, "id": rpc_id})


def rpc_error(rpc_id: Any, code: int, message: str, us_in: int, us_out: int) -> bytes:
    """The refusal of a request, timed as :func:`rpc_result` is."""
    return orjson.dumps({"jsonrpc": JSONRPC, "error": {"code": code, "message": message}, "usIn": us_in,
                         "usOut": us_out, "usDiff": us_out - us_in, "id": rpc_id})


def notification(channel: str, data: dict[str, Any]) -> bytes:
    return orjson.dumps({"jsonrpc": JSONRPC, "method": SUBSCRIPTION, "params": {"channel": channel, "data": data}})


# Channels. The book: a snapshot first, then deltas whose seq_no is the previous one's + 1. The venue refuses
# parameters on deltas; the snapshot feed takes a depth of 15, a refresh rate and an optional price tick.
BOOK_CHANNEL = re.compile(r"order_book\.(?P<market>[^.]+)\.(?P<feed>[a-z_]+)(?P<params>@.*)?")
BOOK_PARAMS = re.compile(r"@15@(?P<rate>50ms|100ms)(?:@(?P<tick>[0-9_]+))?")
PRIVATE_CHANNEL = re.compile(r"(?P<kind>orders|fills)\.(?P<market>[^.]+)")  # a market, or ALL
POSITIONS_CHANNEL = "positions"
ALL_PRIVATE = ("orders.ALL", "fills.ALL", POSITIONS_CHANNEL)  # every market's orders and fills, and the positions


def book_channel(market: str) -> str:
    return f"order_book.{market}.deltas"


def channel_kind(channel: str) -> str:
    """What a channel carries: ``orders``, ``fills``, ``positions``, ``order_book``, ..."""
    return channel.split(".", 1)[0]


# --- orders, fills, positions ---------------------------------------------------------------------------

NEW, OPEN, CLOSED = "NEW", "OPEN", "CLOSED"  # an order's status; a position is OPEN or CLOSED
REDUCE_ONLY = "REDUCE_ONLY"  # an order flag
_SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}


def side_text(side: Side) -> str:
    return "BUY" if side is Side.BUY else "SELL"


def side_of(text: Any) -> Side:
    """Raises ValueError for anything but BUY or SELL."""
    try:
        return _SIDES[text]
    except (KeyError, TypeError):
        raise ValueError(f"side must be BUY or SELL, not {text!r}") from None


def dec(value: Any) -> Decimal:
    """A decimal field that may be empty (meaning zero)."""
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def executed(order: dict[str, Any]) -> tuple[Decimal, Decimal | None]:
    """An ``OrderResp``'s filled size and average fill price (None until something fills). Raises KeyError,
    TypeError or InvalidOperation when it cannot be read."""
    filled = Decimal(order["size"]) - Decimal(order["remaining_size"])
    avg = dec(order.get("avg_fill_price"))
    return filled, avg if filled and avg else None


def closed_status(order: dict[str, Any]) -> str:
    """How a closed order is reported: ``CLOSED`` and the venue's cancel reason, if any."""
    return f"{CLOSED} {order.get('cancel_reason') or ''}".strip()


def position_size(position: dict[str, Any]) -> Decimal:
    """A position's signed size (long positive); zero once closed."""
    return Decimal(position["size"]) if position.get("status") != CLOSED else Decimal(0)


def fill_of(data: dict[str, Any]) -> Fill:
    """A ``fills`` result. Raises KeyError, TypeError, ValueError or InvalidOperation when it cannot be read."""
    return Fill(
        client_id=data.get("client_id") or None,
        venue_order_id=str(data["order_id"]) if data.get("order_id") else None,
        market=data["market"],
        side=side_of(data["side"]),
        size=Decimal(data["size"]),
        price=Decimal(data["price"]),
        fee=dec(data.get("fee")),
        time_ms=int(data["created_at"]),
        fill_id=str(data.get("id", "")),
    )
