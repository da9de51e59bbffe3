"""The live terminal dashboard of ``pyarb run``.

It stays off the hot path: the engine hands it a plain snapshot a few times a second (cheap, on the event
loop), and rich renders that snapshot to the terminal from its own refresh thread.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_BREAKER_STYLE = {"closed": "green", "half_open": "yellow", "open": "bold red"}


def _book(venue: str, book: dict[str, Any]) -> Table:
    title = f"{venue}" + (" [red](stale)[/red]" if book.get("stale") else "")
    table = Table(title=title, expand=True, show_edge=False)
    table.add_column("bid size", justify="right")
    table.add_column("bid", justify="right", style="green")
    table.add_column("ask", justify="right", style="red")
    table.add_column("ask size", justify="right")
    bids, asks = book.get("bids", []), book.get("asks", [])
    for i in range(max(len(bids), len(asks))):
        bid = bids[i] if i < len(bids) else ("", "")
        ask = asks[i] if i < len(asks) else ("", "")
        table.add_row(bid[1], bid[0], ask[0], ask[1])
    return table


def render(snap: dict[str, Any] | None) -> Any:
    if snap is None:
        return Panel(Text("connecting to the venues..."), title="pyarb")
    halt = snap.get("halt")
    state = (f"[bold red]HALTED[/bold red] ({halt['reason']})" if halt else
             "[green]trading[/green]" if snap.get("opening") else "[yellow]starting: resuming and reconciling[/yellow]")
    header = Text.from_markup(f"[bold]pyarb[/bold] {snap['mode']}  pid {snap['pid']}  since {snap['started_at']}  "
                              f"{state}")

    books = Table.grid(expand=True)
    books.add_column()
    books.add_column()
    venues = sorted(snap.get("books", {}))
    books.add_row(*[_book(v, snap["books"][v]) for v in venues])

    spreads = Table(title="spread (net of taker fees, at the minimum size)", expand=True, show_edge=False)
    spreads.add_column("direction")
    spreads.add_column("edge bps", justify="right")
    for direction, quote in snap.get("spreads", {}).items():
        spreads.add_row(direction.replace("_", " "), "-" if quote is None else f"{quote['edge_bps']:.2f}")

    money = Table(title="positions (ledger) and PnL", expand=True, show_edge=False)
    money.add_column("venue")
    money.add_column("position", justify="right")
    money.add_column("breaker")
    for venue, position in snap.get("positions", {}).items():
        breaker = snap.get("breakers", {}).get(venue, {})
        style = _BREAKER_STYLE.get(breaker.get("state", ""), "")
        money.add_row(venue, position, f"[{style}]{breaker.get('state', '?')}[/{style}]"
                      + (f" ({breaker['consecutive_errors']} errors)" if breaker.get("consecutive_errors") else ""))
    money.add_row("PnL today", f"{snap.get('pnl_today', '0')} USD", "")

    pairs = Table(title=f"open pairs ({len(snap.get('open_pairs', []))}); trades in flight: "
                        f"{snap.get('in_flight') or 'none'}", expand=True, show_edge=False)
    for column in ("pair", "status", "opened", "positions", "realised", "fees"):
        pairs.add_column(column)
    for p in snap.get("open_pairs", [])[-8:]:
        held = ", ".join(f"{v} {q}" for v, ms in p["positions"].items() for q in ms.values())
        pairs.add_row(str(p["id"]), p["status"], (p["opened_at"] or "")[11:19], held, p["realised"], p["fees"])

    reconciliation = snap.get("last_reconciliation")
    recon = "not yet" if reconciliation is None else (
        ("[green]match[/green] " if reconciliation["ok"] else "[bold red]MISMATCH[/bold red] ")
        + reconciliation["summary"])
    events = "\n".join(snap.get("events", [])[-8:] + snap.get("alerts", [])[-3:]) or "none yet"
    footer = Text.from_markup(f"opportunities seen: {snap.get('opportunities', 0)}   reconciliation: {recon}")
    return Group(header, books, spreads, money, pairs, footer, Panel(events, title="latest events"))


class Dashboard:
    """``update()`` from the event loop; rich redraws from its own thread."""

    def __init__(self, refresh_per_second: float = 4.0) -> None:
        self._snapshot: dict[str, Any] | None = None
        self._live = Live(get_renderable=lambda: render(self._snapshot), refresh_per_second=refresh_per_second,
                          screen=False, transient=False)

    def update(self, snapshot: dict[str, Any]) -> None:
        self._snapshot = snapshot  # one reference swap: the refresh thread reads whole snapshots only

    def __enter__(self) -> Dashboard:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)
