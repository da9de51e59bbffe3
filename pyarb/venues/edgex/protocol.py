"""EdgeX V2 as data: paths, the HMAC request content, the metadata, order and fill shapes, and the L2 order terms.

Pure functions shared by the client (``pyarb.venues.edgex.client``) and the simulator (``pyarb.sim.edgex``), so the
two can only disagree about the venue where the venue itself is ambiguous. Sources: edgex-Tech/edgex-python-sdk
(V2, main), EdgeX's V2 API docs, and ``/work/shared/venues/edgex/NOTES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Mapping

from pyarb.model import MarketSpec, OrderFinal, OrderOpen, Side

PROD_REST_URL = "https://edgex-prod-v2.edgex.exchange"
PROD_WS_URL = "wss://edgex-quote-prod-v2.edgex.exchange"

# REST (V2 keeps V1's endpoint names under /api/v2/). The websockets kept their /api/v1/ paths.
SERVER_TIME = "/api/v2/public/meta/getServerTime"
METADATA = "/api/v2/public/meta/getMetaData"
DEPTH = "/api/v2/public/quote/getDepth"
CREATE_ORDER = "/api/v2/private/order/createOrder"
ORDER_BY_CLIENT_ID = "/api/v2/private/order/getOrderByClientOrderId"
HISTORY_ORDER_BY_CLIENT_ID = "/api/v2/private/order/getHistoryOrderByClientOrderId"
CANCEL_BY_CLIENT_ID = "/api/v2/private/order/cancelOrderByClientOrderId"
POSITIONS = "/api/v2/private/account/getPositionByContractId"
FILLS_PAGE = "/api/v2/private/order/getHistoryOrderFillTransactionPage"
PUBLIC_WS = "/api/v1/public/ws"
PRIVATE_WS = "/api/v1/private/ws"

# The four HMAC headers of every private call (REST and the private websocket handshake).
H_KEY = "X-edgeX-Api-Key"
H_PASSPHRASE = "X-edgeX-Passphrase"
H_SIGNATURE = "X-edgeX-Signature"
H_TIMESTAMP = "X-edgeX-Timestamp"

SUCCESS = "SUCCESS"
FINAL_STATUSES = frozenset({"FILLED", "CANCELED"})  # PENDING, OPEN, CANCELING, UNTRIGGERED are still working

ZERO = Decimal(0)
_DAY_MS = 86_400_000
# As the V2 SDK sets them: expireTime is 22 days out, and l2ExpireTime (>= expireTime + 8 days) 30 days out.
ORDER_EXPIRY_MS = 22 * _DAY_MS
L2_EXPIRY_MARGIN_MS = 8 * _DAY_MS


# --- the HMAC request content ---------------------------------------------------------------------------


def content_of(value: Any) -> str:
    """The text EdgeX signs for a request body: objects as key-sorted ``k=v`` joined by ``&``, lists joined by
    ``&``, booleans in lower case, null as nothing. It is not the JSON sent on the wire."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "&".join(f"{k}={content_of(value[k])}" for k in sorted(value))
    if isinstance(value, (list, tuple)):
        return "&".join(content_of(item) for item in value)
    return str(value)


def query_content(params: Mapping[str, str]) -> str:
    """The content of a GET: its query parameters sorted by name, unencoded."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params))


# --- envelope -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Envelope:
    """``{"code", "data", "msg", "traceId", ...}``: every REST answer, success or not."""

    code: str
    data: Any
    msg: str
    trace_id: str | None

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS


def parse_envelope(body: Any) -> Envelope | None:
    """The envelope, or None when ``body`` is not one (then the answer means nothing)."""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not body["code"]:
        return None
    trace = body.get("traceId")
    return Envelope(body["code"], body.get("data"), str(body.get("msg") or ""), str(trace) if trace else None)


def envelope(code: str, data: Any = None, msg: str | None = None, trace_id: str = "", now_ms: int = 0) -> dict:
    """An answer as EdgeX shapes it (used by the simulator)."""
    return {"code": code, "data": data, "msg": msg, "errorParam": None, "requestTime": str(now_ms),
            "responseTime": str(now_ms), "traceId": trace_id}


# --- metadata -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contract:
    """One perpetual as getMetaData describes it. The signing terms stay text, exactly as the venue wrote them
    (resolutions come as decimal or 0x-hex), for the signer to parse."""

    contract_id: str
    spec: MarketSpec
    coin_id: str  # the collateral (quote) coin: assetIdCollateral in the L2 order
    synthetic_resolution: str
    collateral_resolution: str
    limit_fee_rate: Decimal  # max(taker, maker) default rate: the fee cap signed into every order, as the SDK sets it


@dataclass(frozen=True, slots=True)
class Metadata:
    chain_id: str  # global.nativeChainId, decimal or 0x-hex
    verifying_contract: str  # global.contractAddress
    contracts: dict[str, Contract]  # by contract name ("BTCUSD")
    by_id: dict[str, Contract]


def parse_metadata(data: Any) -> Metadata:
    """getMetaData's ``data``. Raises ValueError naming what is missing, since no order can be signed without it."""
    if not isinstance(data, dict):
        raise ValueError("getMetaData: no data")
    glob = data.get("global") or {}
    chain = str(glob.get("nativeChainId") or glob.get("chainId") or "").strip()
    contract_address = str(glob.get("contractAddress") or "").strip()
    if not chain or not contract_address:
        raise ValueError("getMetaData: global.nativeChainId and global.contractAddress are required")
    coins = {str(c.get("coinId")): c for c in data.get("coinList") or []}
    contracts: dict[str, Contract] = {}
    for c in data.get("contractList") or []:
        try:
            coin = coins[str(c["quoteCoinId"])]
            taker, maker = Decimal(c["defaultTakerFeeRate"]), Decimal(c["defaultMakerFeeRate"])
            contracts[c["contractName"]] = Contract(
                contract_id=str(c["contractId"]),
                spec=MarketSpec(market=c["contractName"], tick=Decimal(c["tickSize"]), step=Decimal(c["stepSize"]),
                                min_size=Decimal(c["minOrderSize"]), max_size=Decimal(c["maxOrderSize"]),
                                taker_fee=taker),
                coin_id=str(coin["coinId"]),
                synthetic_resolution=str(c["resolution"]),
                collateral_resolution=str(coin["resolution"]),
                limit_fee_rate=max(taker, maker),
            )
        except (KeyError, ArithmeticError, TypeError) as exc:
            raise ValueError(f"getMetaData: contract {c.get('contractName')!r} is incomplete ({exc!r})") from None
    return Metadata(chain_id=chain, verifying_contract=contract_address, contracts=contracts,
                    by_id={c.contract_id: c for c in contracts.values()})


def to_tick(price: Decimal, tick: Decimal, side: Side) -> Decimal:
    """A limit price on the tick grid, never more aggressive than asked: a buy rounds down, a sell up."""
    steps = (price / tick).to_integral_value(rounding=ROUND_FLOOR if side is Side.BUY else ROUND_CEILING)
    return (steps * tick).quantize(tick)


def _plain(d: Decimal) -> Decimal:
    """Without trailing zeros and without an exponent: 122000, not 1.22E+5."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def text(d: Decimal) -> str:
    """A decimal as EdgeX writes one: plain notation, never an exponent."""
    return format(d, "f")


# --- orders, fills, positions ---------------------------------------------------------------------------


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def filled_of(order: Mapping[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    """``(size, value, fee)`` that really executed. ``cumMatch*`` is what matched (an IOC that filled partly ends
    CANCELED with cumMatchSize > 0); ``cumFail*`` is what matched but then failed L2 settlement. Older answers carry
    only ``cumFill*``."""
    if order.get("cumMatchSize") not in (None, ""):
        return (dec(order["cumMatchSize"]) - dec(order.get("cumFailSize")),
                dec(order.get("cumMatchValue")) - dec(order.get("cumFailValue")),
                dec(order.get("cumMatchFee")) - dec(order.get("cumFailFee")))
    return dec(order.get("cumFillSize")), dec(order.get("cumFillValue")), dec(order.get("cumFillFee"))


def order_state(order: Mapping[str, Any]) -> OrderOpen | OrderFinal:
    """One order object (REST or ORDER_UPDATE) as the engine's vocabulary."""
    size, value, fee = filled_of(order)
    avg = _plain(value / size) if size > 0 else None
    cid, oid = str(order.get("clientOrderId") or ""), str(order.get("id") or "") or None
    status = str(order.get("status"))
    if status in FINAL_STATUSES:
        return OrderFinal(client_id=cid, filled=size, avg_price=avg, fee=fee, status=status, venue_order_id=oid)
    return OrderOpen(client_id=cid, filled=size, avg_price=avg, venue_order_id=oid)


def side_text(side: Side) -> str:
    return "BUY" if side is Side.BUY else "SELL"


def side_of(text_side: str) -> Side:
    return Side.BUY if text_side == "BUY" else Side.SELL


def epoch_ms(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
