"""Reading the old bot's ``positions.json``: ``{"positions": [ArbitragePosition...], "lastUpdate": ms}``.

Pure: text in, interpreted records and the ones it could not interpret out. Each record keeps its exact
source text. Nothing is guessed: a leg is what its fills say when it has fills (a missing or empty list means
the fills were never fetched, so the intended ``amount`` stands), a leg the record does not mention is absent,
and anything contradictory or unreadable rejects the whole record with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pyarb.model import BTC_PERP, VENUES, Side

STATUSES = ("open", "closing", "closed")
_WS = re.compile(r"\s*")
_ID_TIME = re.compile(r"^pos_(\d{10,})_")
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)


class LegacyFormatError(ValueError):
    """The file is not the old bot's ``{"positions": [...]}`` document at all."""


@dataclass(frozen=True, slots=True)
class LegacyFill:
    fill_id: str | None
    order_id: str | None
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    fee_token: str | None
    liquidity: str | None
    time_ms: int | None


@dataclass(frozen=True, slots=True)
class LegacyLeg:
    venue: str
    market: str
    side: Side
    size: Decimal  # from the fills when there are any, else the record's amount
    price: Decimal | None
    fee: Decimal
    order_ids: tuple[str, ...]
    fills: tuple[LegacyFill, ...]


@dataclass(frozen=True, slots=True)
class LegacyRecord:
    id: str
    status: str
    open_time_ms: int | None
    legs: tuple[LegacyLeg, ...]
    raw: str  # the record's text, exactly as in the file


@dataclass(frozen=True, slots=True)
class Uninterpretable:
    index: int
    id: str | None
    reason: str
    raw: str


@dataclass(slots=True)
class LegacyFile:
    records: list[LegacyRecord] = field(default_factory=list)
    uninterpretable: list[Uninterpretable] = field(default_factory=list)
    last_update_ms: int | None = None


class _Reject(Exception):
    pass


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _expect(text: str, i: int, ch: str) -> int:
    i = _skip(text, i)
    if text[i:i + 1] != ch:
        raise LegacyFormatError(f"expected {ch!r} at offset {i}")
    return i + 1


def _positions_with_text(text: str) -> tuple[list[tuple[object, str]], object]:
    """The ``positions`` array's elements, each with its exact source text, and ``lastUpdate``."""
    try:
        doc = _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise LegacyFormatError(f"not JSON: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("positions"), list):
        raise LegacyFormatError('expected an object with a "positions" array')
    # Walk the top-level object again to find each element's span (the parse above proved it well formed).
    i = _expect(text, 0, "{")
    while True:
        key, i = _DECODER.raw_decode(text, _skip(text, i))
        i = _skip(text, _expect(text, i, ":"))
        if key == "positions":
            break
        _, i = _DECODER.raw_decode(text, i)
        i = _expect(text, i, ",")
    i = _expect(text, i, "[")
    elements: list[tuple[object, str]] = []
    if text[_skip(text, i)] != "]":
        while True:
            start = _skip(text, i)
            value, i = _DECODER.raw_decode(text, start)
            elements.append((value, text[start:i]))
            i = _skip(text, i)
            if text[i] == "]":
                break
            i = _expect(text, i, ",")
    return elements, doc.get("lastUpdate")


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, str)):
        raise _Reject(f"{what} is not a number: {value!r}")
    try:
        d = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _Reject(f"{what} is not a number: {value!r}") from None
    if not d.is_finite():
        raise _Reject(f"{what} is not a finite number: {value!r}")
    return d


def _side(value: object, what: str) -> Side:
    if isinstance(value, str) and value.strip().lower() in ("buy", "sell"):
        return Side(value.strip().lower())
    raise _Reject(f"{what} is not buy or sell: {value!r}")


def _ms(value: object, what: str) -> int | None:
    if value is None:
        return None
    d = _decimal(value, what)
    if d != d.to_integral_value():
        raise _Reject(f"{what} is not a whole number of milliseconds: {value!r}")
    return int(d)


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, (str, Decimal)) else None


def _leg(record: dict, venue: str) -> LegacyLeg | None:
    side_raw = record.get(f"{venue}Side")
    fills_raw = record.get(f"{venue}Fills")
    if fills_raw is not None and not isinstance(fills_raw, list):
        raise _Reject(f"{venue}Fills is not a list")
    side = _side(side_raw, f"{venue}Side") if side_raw is not None else None
    if not fills_raw:
        if side is None:
            return None  # the record tells nothing of this leg
        if record.get("amount") is None:
            raise _Reject(f"{venue}Side is {side.value} but amount is missing and there are no fills")
        size = _decimal(record["amount"], "amount")
        if size <= 0:
            raise _Reject(f"amount is not positive: {record['amount']!r}")
        price = record.get(f"{venue}Price")
        return LegacyLeg(venue, BTC_PERP[venue], side, size,
                         _decimal(price, f"{venue}Price") if price is not None else None, Decimal(0), (), ())
    fills = []
    for n, f in enumerate(fills_raw):
        what = f"{venue}Fills[{n}]"
        if not isinstance(f, dict):
            raise _Reject(f"{what} is not an object")
        fill_side = _side(f["side"], f"{what}.side") if f.get("side") is not None else side
        if fill_side is None:
            raise _Reject(f"{what} has no side and neither has {venue}Side")
        size = _decimal(f.get("size"), f"{what}.size")
        if size <= 0:
            raise _Reject(f"{what}.size is not positive: {f.get('size')!r}")
        fills.append(LegacyFill(
            _optional_str(f.get("id")), _optional_str(f.get("orderId")), fill_side, size,
            _decimal(f.get("price"), f"{what}.price"),
            _decimal(f["fee"], f"{what}.fee") if f.get("fee") is not None else Decimal(0),
            _optional_str(f.get("feeToken")), _optional_str(f.get("liquidity")),
            _ms(f.get("timestamp"), f"{what}.timestamp"),
        ))
    net = sum((f.side.sign * f.size for f in fills), Decimal(0))
    if net == 0:
        raise _Reject(f"{venue}Fills net to zero: the leg's side cannot be told")
    leg_side = Side.BUY if net > 0 else Side.SELL
    if side is not None and side != leg_side:
        raise _Reject(f"{venue}Side says {side.value} but its fills net to {net}")
    gross = sum((f.size for f in fills), Decimal(0))
    vwap = sum((f.size * f.price for f in fills), Decimal(0)) / gross
    order_ids = tuple(dict.fromkeys(f.order_id for f in fills if f.order_id))
    return LegacyLeg(venue, BTC_PERP[venue], leg_side, abs(net), vwap, sum((f.fee for f in fills), Decimal(0)),
                     order_ids, tuple(fills))


def _record(value: object, raw: str) -> LegacyRecord:
    if not isinstance(value, dict):
        raise _Reject("not an object")
    rid = value.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise _Reject("no id")
    status = value.get("status")
    if status not in STATUSES:
        raise _Reject(f"status is not one of {', '.join(STATUSES)}: {status!r}")
    open_time = _ms(value.get("openTime"), "openTime")
    if open_time is None and (m := _ID_TIME.match(rid)):
        open_time = int(m.group(1))  # the id's number is the open time in ms
    legs = tuple(leg for venue in VENUES if (leg := _leg(value, venue)) is not None)
    if not legs:
        raise _Reject("tells of no leg: no side and no fills on either venue")
    return LegacyRecord(rid, status, open_time, legs, raw)


def parse(text: str) -> LegacyFile:
    """Raises :class:`LegacyFormatError` if ``text`` is not the old bot's document at all."""
    elements, last_update = _positions_with_text(text)
    out = LegacyFile()
    try:
        out.last_update_ms = _ms(last_update, "lastUpdate")
    except _Reject:
        out.last_update_ms = None
    seen: set[str] = set()
    for index, (value, raw) in enumerate(elements):
        rid = value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None
        try:
            if rid in seen:
                raise _Reject("the same id appears earlier in the file")
            out.records.append(_record(value, raw))
            seen.add(rid)
        except _Reject as e:
            out.uninterpretable.append(Uninterpretable(index, rid, str(e), raw))
    return out
