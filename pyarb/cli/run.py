"""``pyarb run``: the engine. With no arguments it paper-trades on two embedded simulators."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from pathlib import Path
from typing import Any

import click

from pyarb.cli.ledger import DEFAULT_DB
from pyarb.model import VENUES

log = logging.getLogger("pyarb.run")


def load_config(config_path: Path | None, db: Path | None, urls: dict[str, str | None]) -> Any:
    """The config file with the command line's ``--db`` and venue URLs on top; a bad one is a click error."""
    from pyarb.config import ConfigError, load

    overrides: dict[str, dict[str, Any]] = {}
    if db is not None:
        overrides["engine"] = {"db": str(db)}
    for venue, url in urls.items():
        if url is not None:
            overrides[f"venues.{venue}"] = {"url": url}
    try:
        return load(config_path, overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def ledger_path(config: Any) -> Path:
    return Path(config.engine.db or DEFAULT_DB)


def _environment(config: Any) -> str:
    """paper (embedded simulators), simulator (standalone ones, by base URL) or live."""
    if config.paper:
        return "paper"
    if all(config.venue(v).url for v in VENUES):
        return "simulator"
    return "live"


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML config (see examples/). Without one: paper trading with the defaults.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None, envvar="PYARB_DB",
              help=f"The ledger (default: $PYARB_DB, else engine.db from the config, else {DEFAULT_DB} here).")
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
@click.option("--no-dashboard", is_flag=True, help="Plain logs on stderr instead of the live dashboard.")
@click.option("--log-format", type=click.Choice(["plain", "json"]), default="plain", show_default=True)
@click.option("--edgex-url", default=None, help="A standalone EdgeX simulator's base URL.")
@click.option("--paradex-url", default=None, help="A standalone Paradex simulator's base URL.")
@click.option("--seed", type=int, default=None, help="Paper trading: the embedded simulators' shared seed.")
def run(config_path: Path | None, db: Path | None, duration: float | None, no_dashboard: bool, log_format: str,
        edgex_url: str | None, paradex_url: str | None, seed: int | None) -> None:
    """Run the arbitrage engine."""
    from pyarb import logs

    config = load_config(config_path, db, {"edgex": edgex_url, "paradex": paradex_url})
    environment = _environment(config)
    db_path = ledger_path(config)
    dashboard = not no_dashboard
    log_path = db_path.with_name(db_path.name + ".log")
    if dashboard:  # the dashboard owns the terminal; the full story goes to the log file
        with contextlib.suppress(OSError):
            logs.configure(log_format, stream=open(log_path, "a", buffering=1))
    else:
        logs.configure(log_format)
    code = _run(config, db_path, environment, duration, dashboard, seed, log_path)
    raise SystemExit(code)


def _run(config: Any, db_path: Path, environment: str, duration: float | None, dashboard: bool,
         seed: int | None, log_path: Path) -> int:
    from pyarb.alerts import Alerts, WebhookConfig
    from pyarb.config import ConfigError
    from pyarb.connect import build_clients, market_of
    from pyarb.engine.controls import ENVIRONMENT
    from pyarb.ledger import Ledger, LedgerError
    from pyarb.metrics import Metrics
    from pyarb.sim.process import start_simulator

    clients = None
    if environment != "paper":  # credentials are checked before anything is opened or started
        try:
            clients = build_clients(config, {})
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        ledger = Ledger.open(db_path)
    except LedgerError as exc:
        raise click.ClickException(str(exc)) from None
    simulators = []
    try:
        recorded = ledger.control(ENVIRONMENT)
        if recorded is not None and (recorded == "live") != (environment == "live"):
            raise click.ClickException(f"{db_path} is a {recorded} ledger; refusing to trade {environment} on it")
        if recorded is None:
            ledger.set_control(ENVIRONMENT, environment)
        if clients is None:
            shared_seed = seed if seed is not None else random.randrange(1, 2**31)
            urls = {}
            for venue in VENUES:
                sim = start_simulator(venue, seed=shared_seed,
                                      state_path=db_path.with_name(f"{db_path.name}.{venue}-sim.jsonl"),
                                      log_path=db_path.with_name(f"{db_path.name}.{venue}-sim.log"))
                simulators.append(sim)
                urls[venue] = sim.url
            log.info("paper trading on embedded simulators (seed %d): %s", shared_seed, urls)
            clients = build_clients(config, urls)
        metrics = Metrics()
        alerts = Alerts([WebhookConfig(w.url, w.format, w.chat_id) for w in config.alerts.webhooks])
        markets = {v: market_of(config, v) for v in VENUES}
        return asyncio.run(_main(config, ledger, clients, markets, metrics, alerts, environment, duration,
                                 dashboard, db_path, log_path))
    finally:
        ledger.close()
        for sim in simulators:
            sim.stop()


async def _main(config: Any, ledger: Any, clients: dict[str, Any], markets: dict[str, str], metrics: Any,
                alerts: Any, environment: str, duration: float | None, dashboard: bool, db_path: Path,
                log_path: Path) -> int:
    from pyarb.dashboard import Dashboard
    from pyarb.engine.engine import Engine

    engine = Engine(config, ledger, clients, markets=markets, alerts=alerts, metrics=metrics,
                    status_path=db_path.with_name(db_path.name + ".status.json"), mode=environment)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, engine.stop)
    await alerts.start()
    try:
        try:
            await engine.start()
        except Exception as exc:  # a venue refused us or could not be reached: say which, and stop cleanly
            log.error("start-up failed: %s", exc)
            click.echo(f"Error: start-up failed: {exc}", err=True)
            await asyncio.gather(*(c.close() for c in clients.values()), return_exceptions=True)
            return 1
        if config.metrics.enabled:
            port = metrics.serve(config.metrics.port, config.metrics.host)
            log.info("metrics on http://%s:%d/metrics", config.metrics.host, port)
        if not dashboard:
            await engine.run(duration)
            return 0
        with Dashboard() as dash:
            refresher = asyncio.create_task(_refresh(engine, dash))
            try:
                await engine.run(duration)
            finally:
                refresher.cancel()
        click.echo(f"stopped; the full log is in {log_path}")
        return 0
    finally:
        await alerts.close()


async def _refresh(engine: Any, dash: Any) -> None:
    while True:
        dash.update(engine.snapshot())
        await asyncio.sleep(0.25)
