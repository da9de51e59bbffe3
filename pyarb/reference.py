"""A small pure-Python reference of the Rust books and spread (``pyarb._core.Books``).

Same semantics, written plainly: orjson for the frames, a dict and a sorted list of prices per side,
Python integers for the arithmetic. Property tests require the two to agree exactly (books, stale and
resync reports, opportunities), and the latency benchmark measures the Rust path against it. The engine
never uses it.

One difference is left on purpose: a frame that repeats a key of a book update (two "price" keys in a
level) is malformed for Rust, while orjson silently keeps the last one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import orjson

from pyarb.model import MarketSpec

MAX_UNITS = 10**12  # largest price or size, in grid units
MAX_EXP = 10  # most decimals of a tick or step
FEE_EXP = 6  # fee rates in millionths
FEE_SCALE = 10**FEE_EXP
MIN_EDGE_EXP = 2  # the minimum edge in hundredths of a basis point
EDGE_SCALE = 10**6  # one, in hundredths of a basis point
VWAP_EXTRA_EXP = 4  # decimals of a VWAP beyond the price grid
MAX_DEPTH = 1000
MAX_VERSION = 2**64 - 1
DIRECTIONS = ("buy_edgex_sell_paradex", "buy_paradex_sell_edgex")

Levels = list[tuple[int, int]]  # (price, size), best first
Legs = tuple[Levels, Levels, int, int]  # the buy venue's asks, the sell venue's bids, their fees

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")


class Malformed(Exception):
    """A frame that cannot be used as it is."""


def parse_units(text: str, exp: int) -> int:
    """A plain non-negative decimal as an integer count of 10^-exp; ValueError otherwise."""
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"{text!r} is not a non-negative decimal")
    whole, _, frac = text.partition(".")
    if frac[exp:].strip("0"):
        raise ValueError(f"{text!r} has more decimals than the market allows")
    value = int(whole + frac[:exp].ljust(exp, "0"))
    if value > MAX_UNITS:
        raise ValueError(f"{text!r} is out of range")
    return value


def decimals(text: str) -> int:
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"{text!r} is not a non-negative decimal")
    return len(text.partition(".")[2].rstrip("0"))


def format_units(value: int, exp: int) -> str:
    """``value * 10^-exp`` as a plain decimal without trailing zeros."""
    sign = "-" if value < 0 else ""
    digits = str(abs(value)).rjust(exp + 1, "0")
    whole, frac = digits[: len(digits) - exp], digits[len(digits) - exp :].rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


@dataclass(frozen=True, slots=True)
class Grid:
    exp: int
    increment: int

    def parse(self, text: str) -> int:
        units = parse_units(text, self.exp)
        if units % self.increment:
            raise ValueError(f"{text!r} is not a multiple of the market's increment")
        return units


@dataclass(frozen=True, slots=True)
class Market:
    name: str
    price: Grid
    size: Grid


class Side:
    """One side of a book: sizes by price, and the prices kept sorted ascending."""

    __slots__ = ("bids", "sizes", "prices")

    def __init__(self, bids: bool) -> None:
        self.bids = bids
        self.sizes: dict[int, int] = {}
        self.prices: list[int] = []

    def set(self, price: int, size: int) -> None:
        if size == 0:
            if self.sizes.pop(price, None) is not None:
                del self.prices[bisect.bisect_left(self.prices, price)]
        else:
            if price not in self.sizes:
                bisect.insort(self.prices, price)
            self.sizes[price] = size

    def best(self) -> int | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.bids else self.prices[0]

    def levels(self) -> list[tuple[int, int]]:
        """Best first."""
        prices = reversed(self.prices) if self.bids else self.prices
        return [(p, self.sizes[p]) for p in prices]

    def truncate(self, depth: int) -> None:
        dropped = self.prices[:-depth] if self.bids else self.prices[depth:]
        for price in dropped:
            del self.sizes[price]
        self.prices = self.prices[-depth:] if self.bids else self.prices[:depth]

    def copy(self) -> Side:
        other = Side(self.bids)
        other.sizes, other.prices = dict(self.sizes), list(self.prices)
        return other


class Book:
    __slots__ = ("bid", "ask")

    def __init__(self) -> None:
        self.bid, self.ask = Side(True), Side(False)

    def copy(self) -> Book:
        other = Book()
        other.bid, other.ask = self.bid.copy(), self.ask.copy()
        return other

    def crossed(self) -> bool:
        bid, ask = self.bid.best(), self.ask.best()
        return bid is not None and ask is not None and bid >= ask


@dataclass(frozen=True, slots=True)
class Entry:
    snapshot: bool
    start: int
    end: int
    ops: list[tuple[bool, int, int]]  # (is_bid, price, size); size 0 removes


@dataclass(frozen=True, slots=True)
class Other:
    what: str
    channel: str | None
    time: str | None


# --- decoding ---------------------------------------------------------------------------------------------


def _loads(frame: bytes | str) -> dict[str, Any]:
    try:
        msg = orjson.loads(frame)
    except orjson.JSONDecodeError as e:
        raise Malformed(f"bad frame: {e}") from None
    return _object(msg)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _opt_text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise Malformed(f"`{key}` is not a string")
    return value


def _text(obj: dict[str, Any], key: str) -> str:
    value = _opt_text(obj, key)
    if value is None:
        raise Malformed(f"missing field `{key}`")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise Malformed(f"`{key}` is not a list")
    return value


def _opt_version(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is int and 0 <= value <= MAX_VERSION:
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value) and int(value) <= MAX_VERSION:
        return int(value)
    raise Malformed(f"`{key}` is not a version")


def _level(market: Market, is_bid: bool, price: str, size: str) -> tuple[bool, int, int]:
    try:
        price_units = market.price.parse(price)
        size_units = market.size.parse(size)
    except ValueError as e:
        raise Malformed(str(e)) from None
    if price_units == 0:
        raise Malformed(f"price {price!r} is not positive")
    return is_bid, price_units, size_units


def decode_paradex(frame: bytes | str, market: Market) -> tuple[list[Entry], int | None] | Other:
    msg = _loads(frame)
    method = _opt_text(msg, "method")
    params = msg.get("params")
    channel, data = None, None
    if params is not None:
        params = _object(params)
        channel, data = _opt_text(params, "channel"), params.get("data")
    if not (method == "subscription" and channel is not None and channel.startswith("order_book.")):
        if method is not None:
            what = method
        elif msg.get("result") is not None:
            what = "result"
        else:
            what = "error" if msg.get("error") is not None else "unknown"
        return Other(what, channel, None)
    if data is None:
        raise Malformed("missing field `data`")
    data = _object(data)
    seq_no = _opt_version(data, "seq_no")
    name, update_type = _opt_text(data, "market"), _opt_text(data, "update_type")
    lists = [(_list(data, key), key == "deletes") for key in ("inserts", "updates", "deletes")]
    rows = [
        (_text(level, "side"), _text(level, "price"), _text(level, "size"), removes)
        for levels, removes in lists
        for level in map(_object, levels)
    ]
    if seq_no is None:
        raise Malformed("missing field `seq_no`")
    if name != market.name:
        raise Malformed(f"market {name!r} is not {market.name!r}")
    if update_type not in ("s", "d"):
        raise Malformed(f"unknown update_type {update_type!r}")
    ops = []
    for side, price, size, removes in rows:
        if side not in ("BUY", "SELL"):
            raise Malformed(f"unknown side {side!r}")
        is_bid, price_units, size_units = _level(market, side == "BUY", price, size)
        ops.append((is_bid, price_units, 0 if removes else size_units))
    return [Entry(update_type == "s", seq_no, seq_no, ops)], None


def _edgex_level(level: Any) -> tuple[str, str]:
    if isinstance(level, list) and len(level) == 2:
        price, size = level
    elif isinstance(level, dict):
        price, size = level.get("price"), level.get("size")
    else:
        raise Malformed("a level is {price, size} or [price, size]")
    if not isinstance(price, str) or not isinstance(size, str):
        raise Malformed("a level's price and size are strings")
    return price, size


def _depth(channel: str) -> int:
    head, _, depth = channel.rpartition(".")
    if head.count(".") != 1 or not _DIGITS.fullmatch(depth):
        raise Malformed(f"no depth in channel {channel!r}")
    if not 1 <= int(depth) <= MAX_DEPTH:
        raise Malformed(f"depth {depth} in channel {channel!r} is out of range")
    return int(depth)


def _depth_type(text: str | None) -> bool:
    if text is None:
        raise Malformed("missing field `dataType`")
    if text.isascii() and text.lower() in ("snapshot", "changed"):
        return text.lower() == "snapshot"
    raise Malformed(f"unknown depth type {text!r}")


def decode_edgex(frame: bytes | str, market: Market) -> tuple[list[Entry], int | None] | Other:
    msg = _loads(frame)
    kind, channel = _opt_text(msg, "type"), _opt_text(msg, "channel")
    if not (kind == "quote-event" and channel is not None and channel.startswith("depth.")):
        time = msg.get("time")
        return Other("unknown" if kind is None else kind, channel, _time_text(time))
    depth = _depth(channel)
    if msg.get("content") is None:
        raise Malformed("missing field `content`")
    content = _object(msg["content"])
    data_type = _opt_text(content, "dataType")
    if content.get("data") is None:
        raise Malformed("missing field `data`")
    raw_entries = [_object(e) for e in _list(content, "data")]
    parsed = []
    for e in raw_entries:
        start, end = _opt_version(e, "startVersion"), _opt_version(e, "endVersion")
        depth_type, contract = _opt_text(e, "depthType"), _opt_text(e, "contractName")
        sides = [(True, [_edgex_level(lv) for lv in _list(e, "bids")])]
        sides.insert(0, (False, [_edgex_level(lv) for lv in _list(e, "asks")]))
        parsed.append((start, end, depth_type, contract, sides))
    if not parsed:
        raise Malformed("no depth entries in `data`")
    entries = []
    for start, end, depth_type, contract, sides in parsed:
        snapshot = _depth_type(depth_type if depth_type is not None else data_type)
        if contract is not None and contract != market.name:
            raise Malformed(f"contract {contract!r} is not {market.name!r}")
        if end is None:
            raise Malformed("missing field `endVersion`")
        if start is None:
            if not snapshot:
                raise Malformed("missing field `startVersion`")
            start = end
        if start > end:
            raise Malformed(f"startVersion {start} is after endVersion {end}")
        ops = [_level(market, is_bid, price, size) for is_bid, levels in sides for price, size in levels]
        entries.append(Entry(snapshot, start, end, ops))
    return entries, depth


def _time_text(value: Any) -> str | None:
    """A string's contents or an integer's digits; anything else is no time."""
    if isinstance(value, str):
        return value
    return str(value) if type(value) is int else None


# --- one venue's feed -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    reason: str  # malformed | gap | crossed
    detail: str


class Feed:
    def __init__(self, market: Market, exact: bool) -> None:
        self.market = market
        self.exact = exact  # Paradex: seq_no + 1; EdgeX: versions with harmless duplicates
        self.book = Book()
        self.stale = True
        self.version = 0
        self.applied_at_ms: int | None = None

    def fresh(self, now_ms: int, max_age_ms: int) -> bool:
        return not self.stale and self.applied_at_ms is not None and now_ms - self.applied_at_ms <= max_age_ms

    def apply(self, entries: list[Entry], depth: int | None, now_ms: int) -> str | Problem:
        """'applied', 'duplicate', 'awaiting_snapshot', or the Problem that rejected the frame."""
        book, stale, version = self.book.copy(), self.stale, self.version
        applied = awaited = False
        for entry in entries:
            if entry.snapshot:
                book = Book()
            elif stale:
                awaited = True
                continue
            elif self.exact and entry.start != version + 1:
                return self._reject(Problem("gap", f"seq_no {entry.start} does not follow {version}"))
            elif not self.exact and entry.end <= version:
                continue
            elif not self.exact and entry.start > min(version + 1, MAX_VERSION):
                return self._reject(Problem("gap", f"startVersion {entry.start} does not follow {version}"))
            for is_bid, price, size in entry.ops:
                (book.bid if is_bid else book.ask).set(price, size)
            stale, version, applied = False, entry.end, True
        if not applied:
            return "awaiting_snapshot" if awaited else "duplicate"
        if book.crossed():
            return self._reject(Problem("crossed", f"best bid {book.bid.best()} >= best ask {book.ask.best()}"))
        if depth is not None:
            book.bid.truncate(depth)
            book.ask.truncate(depth)
        self.book, self.stale, self.version, self.applied_at_ms = book, stale, version, now_ms
        return "applied"

    def _reject(self, problem: Problem) -> Problem:
        self.stale = True
        return problem


# --- the spread -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Walk:
    size: int
    notional: int
    worst: int


def walk(levels: Levels, size: int) -> Walk | None:
    left, notional = size, 0
    for price, level_size in levels:
        taken = min(left, level_size)
        notional += price * taken
        left -= taken
        if left == 0:
            return Walk(size, notional, price) if size > 0 else None
    return None


def largest_size(
    asks: Levels, bids: Levels, buy_fee: int, sell_fee: int, lot: int, min_size: int, max_size: int, min_edge: int
) -> int | None:
    """The end of the interval of sizes whose net edge is at least the minimum (see spread.rs)."""
    sell_weight = EDGE_SCALE * (FEE_SCALE - sell_fee)
    buy_weight = EDGE_SCALE * (FEE_SCALE + buy_fee) + min_edge * FEE_SCALE
    if not asks or not bids:
        return None
    i = j = 0
    ask_left, bid_left = asks[0][1], bids[0][1]
    size = surplus = 0
    while size < max_size:
        segment = min(ask_left, bid_left, max_size - size)
        margin = sell_weight * bids[j][0] - buy_weight * asks[i][0]
        if margin < 0 and surplus // -margin < segment:
            size += surplus // -margin
            break
        surplus += margin * segment
        size += segment
        ask_left, bid_left = ask_left - segment, bid_left - segment
        if ask_left == 0:
            i += 1
            if i == len(asks):
                break
            ask_left = asks[i][1]
        if bid_left == 0:
            j += 1
            if j == len(bids):
                break
            bid_left = bids[j][1]
    size = size // lot * lot
    return size if size >= min_size else None


@dataclass(frozen=True, slots=True)
class Quote:
    direction: str
    buy_venue: str
    sell_venue: str
    size: str
    buy_vwap: str
    sell_vwap: str
    buy_limit: str
    sell_limit: str
    edge_bps: float
    edge_usd: str


@dataclass(frozen=True, slots=True)
class FrameResult:
    venue: str
    kind: str
    reason: str | None
    error: str | None
    resync: bool
    stale: bool
    best_bid: str | None
    best_ask: str | None
    opportunity: Quote | None
    what: str | None = None
    channel: str | None = None
    time: str | None = None


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else format(value, "f")


class ReferenceBooks:
    """The same API as ``pyarb._core.Books``."""

    def __init__(
        self, edgex: MarketSpec, paradex: MarketSpec, min_edge_bps: Any, max_size: Any, max_age_ms: int
    ) -> None:
        e = {k: _text_of(getattr(edgex, k)) for k in ("tick", "step", "min_size", "max_size", "taker_fee")}
        p = {k: _text_of(getattr(paradex, k)) for k in ("tick", "step", "min_size", "max_size", "taker_fee")}
        for what in (e["tick"], p["tick"], e["step"], p["step"]):
            if decimals(what) > MAX_EXP:
                raise ValueError(f"{what!r} has more than {MAX_EXP} decimals")
        pe = max(decimals(e["tick"]), decimals(p["tick"]))
        se = max(decimals(e["step"]), decimals(p["step"]))
        self.price_exp, self.size_exp = pe, se
        grids = []
        for name, m in ((edgex.market, e), (paradex.market, p)):
            tick, step = parse_units(m["tick"], pe), parse_units(m["step"], se)
            low, high = parse_units(m["min_size"], se), parse_units(m["max_size"], se)
            fee = parse_units(m["taker_fee"], FEE_EXP)
            if not (tick and step and high) or fee >= FEE_SCALE:
                raise ValueError(f"invalid market {name}")
            grids.append((Market(name, Grid(pe, tick), Grid(se, step)), step, low, high, fee))
        (em, e_step, e_min, e_max, self.edgex_fee), (pm, p_step, p_min, p_max, self.paradex_fee) = grids
        self.min_edge = parse_units(_text_of(min_edge_bps), MIN_EDGE_EXP)
        if self.min_edge > 1_000_000 or max_age_ms < 0:
            raise ValueError("invalid min_edge_bps or max_age_ms")
        limit = parse_units(_text_of(max_size), se)
        lot = e_step * p_step // _gcd(e_step, p_step)
        if limit == 0 or lot > MAX_UNITS:
            raise ValueError("invalid max_size or steps")
        self.lot = lot
        self.min_size = -(-max(e_min, p_min, lot) // lot) * lot
        self.max_size = min(limit, e_max, p_max) // lot * lot
        if self.max_size < self.min_size:
            raise ValueError("max_size is below the smallest size both venues accept")
        self.max_age_ms = max_age_ms
        self.feeds = {"edgex": Feed(em, exact=False), "paradex": Feed(pm, exact=True)}

    def on_frame(self, venue: str, frame: bytes | str, now_ms: int) -> FrameResult:
        feed = self.feeds[venue]
        decode = decode_edgex if venue == "edgex" else decode_paradex
        other, kind, problem = None, "", None
        try:
            decoded = decode(frame, feed.market)
        except Malformed as e:
            feed.stale, problem = True, Problem("malformed", str(e))
        else:
            if isinstance(decoded, Other):
                other, kind = decoded, "other"
            else:
                outcome = feed.apply(*decoded, now_ms)
                if isinstance(outcome, Problem):
                    problem = outcome
                else:
                    kind = outcome
        if problem is not None:
            kind = "rejected"
        book = feed.book
        return FrameResult(
            venue=venue,
            kind=kind,
            reason=problem.reason if problem else None,
            error=f"{problem.reason}: {problem.detail}" if problem else None,
            resync=problem is not None,
            stale=feed.stale,
            best_bid=self._price(book.bid.best()),
            best_ask=self._price(book.ask.best()),
            opportunity=self.best(now_ms) if kind == "applied" else None,
            what=other.what if other else None,
            channel=other.channel if other else None,
            time=other.time if other else None,
        )

    def _price(self, units: int | None) -> str | None:
        return None if units is None else format_units(units, self.price_exp)

    def _legs(self, direction: str, now_ms: int) -> Legs | None:
        """The buy venue's asks, the sell venue's bids and their fees, if both books are fresh."""
        _, buy, _, sell = direction.split("_")
        if not (self.feeds[buy].fresh(now_ms, self.max_age_ms) and self.feeds[sell].fresh(now_ms, self.max_age_ms)):
            return None
        fees = {"edgex": self.edgex_fee, "paradex": self.paradex_fee}
        return self.feeds[buy].book.ask.levels(), self.feeds[sell].book.bid.levels(), fees[buy], fees[sell]

    def _vwap(self, w: Walk) -> str:
        """Rounded half up, to VWAP_EXTRA_EXP decimals beyond the price grid."""
        units = (2 * w.notional * 10**VWAP_EXTRA_EXP + w.size) // (2 * w.size)
        return format_units(units, self.price_exp + VWAP_EXTRA_EXP)

    def _quote(self, direction: str, legs: Legs, size: int) -> tuple[int, Quote] | None:
        """(edge, quote) of executing ``direction`` at ``size``, if the books hold it."""
        asks, bids, buy_fee, sell_fee = legs
        bought, sold = walk(asks, size), walk(bids, size)
        if bought is None or sold is None:
            return None
        edge = sold.notional * (FEE_SCALE - sell_fee) - bought.notional * (FEE_SCALE + buy_fee)
        _, buy, _, sell = direction.split("_")
        return edge, Quote(
            direction=direction,
            buy_venue=buy,
            sell_venue=sell,
            size=format_units(size, self.size_exp),
            buy_vwap=self._vwap(bought),
            sell_vwap=self._vwap(sold),
            buy_limit=format_units(bought.worst, self.price_exp),
            sell_limit=format_units(sold.worst, self.price_exp),
            edge_bps=float(edge * 10_000) / float(bought.notional * FEE_SCALE),
            edge_usd=format_units(edge, self.price_exp + self.size_exp + FEE_EXP),
        )

    def best(self, now_ms: int) -> Quote | None:
        best: tuple[int, Quote] | None = None
        for direction in DIRECTIONS:
            legs = self._legs(direction, now_ms)
            if legs is None:
                return None
            size = largest_size(*legs, self.lot, self.min_size, self.max_size, self.min_edge)
            found = None if size is None else self._quote(direction, legs, size)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best[1] if best else None

    def quote(self, direction: str, size: Any, now_ms: int) -> Quote | None:
        units = parse_units(_text_of(size), self.size_exp)
        if units == 0:
            raise ValueError("size must be positive")
        legs = self._legs(direction, now_ms)
        found = None if legs is None else self._quote(direction, legs, units)
        return found[1] if found else None

    def levels(self, venue: str, n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        book = self.feeds[venue].book

        def text(side: Side) -> list[tuple[str, str]]:
            return [(format_units(p, self.price_exp), format_units(s, self.size_exp)) for p, s in side.levels()[:n]]

        return text(book.bid), text(book.ask)

    def is_stale(self, venue: str) -> bool:
        return self.feeds[venue].stale

    def mark_stale(self, venue: str) -> None:
        self.feeds[venue].stale = True


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a
