"""Ledger commands: ``trades``, ``trade``, ``positions``, ``backup``, ``export``, ``import-legacy``.

All but ``import-legacy`` open the ledger read-only, so they work while an engine holds the writer lock.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from pyarb.ledger import Ledger, LedgerError, LedgerReader, LegacyFormatError, describe_order
from pyarb.model import VENUES, fmt
from pyarb.trade import STATES, Trade

DEFAULT_DB = Path("pyarb.db")

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, envvar="PYARB_DB",
    show_default=True, help=f"The ledger (default: $PYARB_DB, else {DEFAULT_DB} here).")


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(jsonable(value), indent=2))


def trade_json(t: Trade) -> dict[str, Any]:
    out = jsonable(t)
    out["quantities"] = jsonable(t.quantities.as_json())
    out["terminal"] = t.terminal
    return out


@contextmanager
def reading(db_path: Path) -> Iterator[LedgerReader]:
    try:
        reader = LedgerReader.open_readonly(db_path)
    except LedgerError as e:
        raise click.ClickException(str(e)) from None
    try:
        yield reader
    except LedgerError as e:
        raise click.ClickException(str(e)) from None
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"ledger {reader.path} is damaged or unreadable: {e}") from None
    finally:
        reader.close()


def _leg_summary(t: Trade) -> tuple[str, str]:
    q = t.quantities
    a = f"{t.leg_a.venue} {t.leg_a.side.value} {fmt(q.filled_a)}/{fmt(t.intended)}"
    if t.leg_b is None:
        return a, "-"
    return a, f"{t.leg_b.venue} {t.leg_b.side.value} {fmt(q.filled_b)}"


@click.command()
@db_option
@click.option("--state", type=click.Choice(STATES), default=None, help="Only trades in this state.")
@click.option("--limit", type=int, default=None, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def trades(db_path: Path, state: str | None, limit: int | None, as_json: bool) -> None:
    """Trades, newest first, with each leg's real outcome."""
    with reading(db_path) as ledger:
        found = ledger.trades(state=state, limit=limit)
    if as_json:
        echo_json([trade_json(t) for t in found])
        return
    if not found:
        click.echo("no trades")
        return
    rows = [("ID", "KIND", "PAIR", "STATE", "LEG A filled/intended", "HEDGE filled", "OPEN EXPOSURE", "CREATED")]
    for t in found:
        q = t.quantities
        exposure = f"{fmt(q.open_exposure)} {q.exposure_venue}" if q.open_exposure else "0"
        if t.state == "residual":
            exposure = f"{fmt(q.residual)} {q.exposure_venue} (residual)"
        rows.append((str(t.id), t.kind.value, str(t.pair_id or "-"), t.state, *_leg_summary(t), exposure,
                     t.created_at[:19]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@click.command()
@click.argument("trade_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def trade(trade_id: int, db_path: Path, as_json: bool) -> None:
    """One trade: its full transition history, its orders (with every answer) and its fills."""
    with reading(db_path) as ledger:
        t = ledger.trade(trade_id)
        history = ledger.transitions(trade_id)
        events = {o.id: ledger.order_events(o.id) for o in t.orders}
        fills = ledger.fills(trade_id=trade_id)
    if as_json:
        out = trade_json(t)
        out["transitions"] = jsonable(history)
        out["order_events"] = {o.client_id: events[o.id] for o in t.orders}
        out["fills"] = jsonable(fills)
        echo_json(out)
        return
    q = t.quantities
    outcome = "success" if t.state == "complete" else ("in flight" if not t.terminal else "not a success")
    click.echo(f"trade {t.id}  {t.kind.value}  pair {t.pair_id or '-'}  {t.policy.value}  "
               f"state {t.state} ({outcome})")
    click.echo(f"  leg A: {t.leg_a.venue} {t.leg_a.market} {t.leg_a.side.value}")
    if t.leg_b:
        click.echo(f"  leg B: {t.leg_b.venue} {t.leg_b.market} {t.leg_b.side.value}")
    click.echo(f"  quantities: {q.describe()}")
    click.echo("transitions:")
    for h in history:
        click.echo(f"  {h.seq:>3}  {h.time}  {h.from_state or '-'} -> {h.to_state}  [{h.trigger}]  {h.reason}")
    click.echo("orders:")
    for o in t.orders:
        click.echo(f"  {describe_order(o)}  limit {o.limit_price}  reduce-only {'yes' if o.reduce_only else 'no'}"
                   f"  venue id {o.venue_order_id or '-'}")
        for e in events[o.id]:
            detail = f" ({e['detail']})" if e["detail"] else ""
            filled = f" filled {e['filled']}" if e["filled"] is not None else ""
            click.echo(f"      {e['time']}  {e['status']}{filled}{detail}")
    click.echo("fills:" if fills else "fills: none recorded")
    for f in fills:
        click.echo(f"  {f.venue} {f.side.value} {fmt(f.size)} @ {f.price} fee {f.fee}  id {f.fill_id or '-'}  "
                   f"client id {f.client_id or '-'}")


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True,
              help='JSON: {"edgex": {"<market>": "<decimal>"}, "paradex": {...}}.')
@click.option("--verify", is_flag=True,
              help="Also check the positions, pairs and daily PnL kept by every write against the same derived "
                   "from all history (reads all of it); exit 1 listing any difference.")
def positions(db_path: Path, as_json: bool, verify: bool) -> None:
    """The signed position (long positive) the ledger expects on each venue and market."""
    with reading(db_path) as ledger:
        expected = ledger.expected_positions()
        residual_trades = ledger.residuals()
        differences = ledger.verify_open_state() if verify else []
    book = {v: {} for v in VENUES} | expected
    if as_json:
        click.echo(json.dumps({v: {m: fmt(q) for m, q in sorted(ms.items())} for v, ms in book.items()}))
    else:
        for venue, markets in book.items():
            if not markets:
                click.echo(f"{venue}: no position")
            for market, q in sorted(markets.items()):
                click.echo(f"{venue} {market} {fmt(q)}")
        for t in residual_trades:
            q = t.quantities
            click.echo(f"  includes residual {fmt(q.residual)} on {q.exposure_venue} {q.exposure_market} "
                       f"from trade {t.id}")
        if verify and not differences:
            click.echo("verified: the kept positions, pairs and PnL equal those derived from all history")
    if differences:
        raise click.ClickException("the kept open state differs from all history:\n  " + "\n  ".join(differences))


@click.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(dest: Path, db_path: Path) -> None:
    """Copy the ledger to DEST, consistently, even while an engine writes to it."""
    with reading(db_path) as ledger:
        written = ledger.backup(dest)
    click.echo(f"backed up {ledger.path} to {written}")


@click.command()
@click.option("--format", "form", type=click.Choice(["csv", "json"]), required=True)
@click.option("--table", type=click.Choice(["trades", "orders", "fills", "transitions", "pairs", "adjustments",
                                              "order_events", "positions"]),
              default="trades", show_default=True, help="For CSV: which table (JSON holds them all).")
@db_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout.")
def export(form: str, table: str, db_path: Path, out: Path | None) -> None:
    """Export the ledger: every table as JSON, or one table as CSV."""
    with reading(db_path) as ledger:
        tables = ledger.export_tables()
    if form == "json":
        text = json.dumps(tables, indent=2) + "\n"
    else:
        rows = tables[table]
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        text = buf.getvalue()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text)
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror}") from None


@click.command("import-legacy")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def import_legacy(source: Path, db_path: Path) -> None:
    """Import the old bot's positions.json: each record becomes a pair with the legs it tells of.

    Importing the same file again adds nothing. Records that cannot be interpreted are listed and not
    imported; then the exit code is 1."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot read {source}: {e}") from None
    try:
        ledger = Ledger.open(db_path)
    except LedgerError as e:
        raise click.ClickException(str(e)) from None
    try:
        result = ledger.import_legacy(text)
    except LegacyFormatError as e:
        raise click.ClickException(f"{source} is not the old bot's positions file: {e}") from None
    finally:
        ledger.close()
    for rid in result.imported:
        click.echo(f"imported {rid}")
    for rid in result.already_present:
        click.echo(f"already imported {rid}")
    for u in result.uninterpretable:
        click.echo(f"NOT imported record #{u.index} ({u.id or 'no id'}): {u.reason}")
        click.echo(f"    {u.raw}")
    click.echo(f"{len(result.imported)} imported, {len(result.already_present)} already present, "
               f"{len(result.uninterpretable)} not interpretable")
    if result.uninterpretable:
        sys.exit(1)
