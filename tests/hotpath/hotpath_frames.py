"""Builders of EdgeX and Paradex book frames in the venues' real shapes, shared by the hot-path tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from pyarb.model import MarketSpec

EDGEX = MarketSpec("BTCUSD", Decimal("0.1"), Decimal("0.001"), Decimal("0.001"), Decimal("50"), Decimal("0.00038"))
PARADEX = MarketSpec(
    "BTC-USD-PERP", Decimal("0.1"), Decimal("0.00001"), Decimal("0.0001"), Decimal("100"), Decimal("0.0002")
)

Level = tuple[str, str]  # (price, size) as the venue writes them


def paradex_msg(
    seq_no: int,
    snapshot: bool,
    inserts: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    updates: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    deletes: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    market: str = "BTC-USD-PERP",
) -> dict[str, Any]:
    """A ``subscription`` notification on the deltas channel; levels are (side, price, size)."""

    def rows(levels: list[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"side": side, "price": price, "size": size} for side, price, size in levels]

    return {
        "jsonrpc": "2.0",
        "method": "subscription",
        "params": {
            "channel": f"order_book.{market}.deltas",
            "data": {
                "seq_no": seq_no,
                "market": market,
                "last_updated_at": 1_760_000_000_000 + seq_no,
                "update_type": "s" if snapshot else "d",
                "inserts": rows(list(inserts)),
                "updates": rows(list(updates)),
                "deletes": rows(list(deletes)),
            },
        },
    }


def edgex_entry(
    start: int,
    end: int,
    asks: list[Level],
    bids: list[Level],
    kind: str | None,
    arrays: bool = False,
    contract: str = "BTCUSD",
) -> dict[str, Any]:
    def rows(levels: list[Level]) -> list[Any]:
        return [[p, s] if arrays else {"price": p, "size": s} for p, s in levels]

    entry: dict[str, Any] = {
        "startVersion": str(start),
        "endVersion": str(end),
        "level": 15,
        "contractId": "10000001",
        "contractName": contract,
        "asks": rows(asks),
        "bids": rows(bids),
    }
    if kind is not None:
        entry["depthType"] = kind
    return entry


def edgex_msg(entries: list[dict[str, Any]], data_type: str | None, depth: int = 15) -> dict[str, Any]:
    channel = f"depth.10000001.{depth}"
    content: dict[str, Any] = {"channel": channel, "data": entries}
    if data_type is not None:
        content["dataType"] = data_type
    return {"type": "quote-event", "channel": channel, "content": content}


def dumps(msg: Any) -> bytes:
    return orjson.dumps(msg)
