"""``pyarb reconcile``: the ledger's expected positions against the venues', explained.

Exit code 0 when everything matches, 3 on a mismatch. ``--adopt`` records each venue's actual position as an
external adjustment, with an audit entry, so that the ledger matches it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import click

from pyarb.cli.ledger import DEFAULT_DB, echo_json
from pyarb.cli.run import ledger_path, load_config

MISMATCH_EXIT = 3


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--edgex-url", default=None, help="A standalone EdgeX simulator's base URL.")
@click.option("--paradex-url", default=None, help="A standalone Paradex simulator's base URL.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None, envvar="PYARB_DB",
              help=f"The ledger (default: $PYARB_DB, else engine.db from the config, else {DEFAULT_DB} here).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--adopt", is_flag=True, help="Record each mismatch as an external adjustment (needs the writer: "
                                             "stop the engine first).")
@click.option("--since-hours", type=float, default=24.0, show_default=True,
              help="How far back to look for venue fills the ledger does not know.")
def reconcile(config_path: Path | None, edgex_url: str | None, paradex_url: str | None, db_path: Path | None,
              as_json: bool, adopt: bool, since_hours: float) -> None:
    """Compare the ledger with each venue's positions; list external fills and residuals."""
    from pyarb.config import ConfigError
    from pyarb.connect import build_clients, market_of
    from pyarb.ledger import Ledger, LedgerError, LedgerReader

    config = load_config(config_path, db_path, {"edgex": edgex_url, "paradex": paradex_url})
    if config.paper:
        raise click.ClickException("reconcile needs the venues: give --edgex-url and --paradex-url, or a config")
    try:
        clients = build_clients(config, {})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    path = ledger_path(config)
    try:
        ledger = Ledger.open(path) if adopt else LedgerReader.open_readonly(path)
    except LedgerError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        markets = {v: (market_of(config, v),) for v in clients}
        result = asyncio.run(_reconcile(ledger, clients, markets, config, since_hours))
        drift = ledger.verify_open_state()  # the ledger's kept totals against its own history
        if adopt:
            for check in result.mismatches:
                ledger.add_adjustment(check.venue, check.market, check.difference,
                                      f"reconcile --adopt: venue reported {check.actual}, ledger expected "
                                      f"{check.expected}")
    finally:
        ledger.close()
    _print(result, as_json, adopt, drift)
    raise SystemExit(0 if (result.ok or adopt) and not drift else MISMATCH_EXIT)


async def _reconcile(ledger: Any, clients: dict[str, Any], markets: dict[str, tuple[str, ...]], config: Any,
                     since_hours: float) -> Any:
    from pyarb.engine.reconcile import reconcile as run_reconcile
    from pyarb.engine.reconcile import tolerances

    try:
        await asyncio.gather(*(c.start() for c in clients.values()))
        specs = {v: c.market_spec(markets[v][0]) for v, c in clients.items()}
        tolerance = tolerances(config.reconcile.tolerance, specs)
        since = int((time.time() - since_hours * 3600) * 1000)
        return await run_reconcile(ledger, clients, markets, tolerance, fills_since_ms=since)
    except Exception as exc:
        raise click.ClickException(f"could not reach the venues: {exc}") from None
    finally:
        await asyncio.gather(*(c.close() for c in clients.values()), return_exceptions=True)


def _print(result: Any, as_json: bool, adopted: bool, drift: list[str]) -> None:
    if as_json:
        echo_json({**result.as_json(), "adopted": adopted and not result.ok, "ledger_drift": drift})
        return
    for line in drift:
        click.echo(f"LEDGER DRIFT: {line}")
    for check in result.checks:
        status = {True: "match", False: "MISMATCH", None: "skipped"}[check.matches]
        actual = "unknown" if check.actual is None else check.actual
        click.echo(f"{check.venue} {check.market}: ledger {check.expected}, venue {actual}, "
                   f"difference {check.difference if check.difference is not None else '?'} "
                   f"(tolerance {check.tolerance}): {status}")
        for c in check.contributions:
            click.echo(f"    {c.quantity:>12} {c.source:<10} trade {c.trade_id} pair {c.pair_id} "
                       f"{c.client_id or ''} {c.state or ''} {c.note}")
    for venue, why in result.skipped.items():
        click.echo(f"{venue}: position query failed ({why}); skipped, not read as flat")
    for r in result.residuals:
        click.echo(f"residual: pair {r.pair_id}{' (' + r.legacy_id + ')' if r.legacy_id else ''} leaves "
                   f"{r.quantity} on {r.venue} {r.market}")
    for venue, fills in result.external_fills.items():
        for f in fills:
            click.echo(f"external fill on {venue}: {f.side.value} {f.size} {f.market} @ {f.price} "
                       f"(order {f.venue_order_id}, client id {f.client_id or 'none'})")
    click.echo(result.summary() + (" -- adopted as adjustments" if adopted and not result.ok else ""))
