"""``pyarb sim edgex|paradex``: one simulated venue in one process, REST and websocket on one port.

The first line printed is the base URL, so that a parent process can read it and connect."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import click

from pyarb.model import VENUES


@click.command()
@click.argument("venue", type=click.Choice(VENUES))
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep positions, orders and fills in this file across restarts.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the fair-price walk. Two simulators with one seed share the walk.")
@click.option("--delta-hz", type=float, default=20.0, show_default=True, help="Book deltas published per second.")
def sim(venue: str, port: int, host: str, state_path: Path | None, seed: int, delta_hz: float) -> None:
    """Run a simulated VENUE that speaks its real protocol over loopback."""
    module = importlib.import_module(f"pyarb.sim.{venue}")
    asyncio.run(_serve(module, host, port, state_path, seed, delta_hz))


async def _serve(module, host: str, port: int, state_path: Path | None, seed: int, delta_hz: float) -> None:
    from aiohttp import web

    app = module.build_app(seed=seed, state_path=state_path, delta_hz=delta_hz)
    runner = web.AppRunner(app, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]  # the port the OS picked when --port is 0
    click.echo(f"http://{host}:{bound}", nl=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
