"""``pyarb halt``, ``pyarb resume`` and ``pyarb status``: the kill switch and what the engine is doing.

The halt flag lives in the ledger, so it reaches a running engine (which follows it within a second) and
survives restarts. These commands never take the engine's writer lock.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from pyarb.cli.ledger import db_option, echo_json, reading
from pyarb.engine.controls import HALT, LAST_RECONCILIATION
from pyarb.ledger import LedgerError, write_control


def _write(db_path: Path, value: Any) -> None:
    if not db_path.exists():
        raise click.ClickException(f"no ledger at {db_path}")
    try:
        write_control(db_path, HALT, value)
    except LedgerError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@db_option
@click.option("--reason", default="operator halt", show_default=True)
def halt(db_path: Path, reason: str) -> None:
    """Stop opening trades; trades in flight are still managed to their end."""
    _write(db_path, {"reason": reason, "source": "operator", "time": datetime.now(UTC).isoformat(timespec="seconds")})
    click.echo(f"halted: {reason}. A running engine stops opening within a second; `pyarb resume` reverses it.")


@click.command()
@db_option
def resume(db_path: Path) -> None:
    """Allow opening trades again (reverses `pyarb halt`, or a halt the engine set)."""
    _write(db_path, None)
    click.echo("resumed: the engine may open trades again (a new mismatch halts it again).")


def _engine_status(db_path: Path) -> dict[str, Any] | None:
    """The running engine's status file, if its process is alive."""
    path = db_path.with_name(db_path.name + ".status.json")
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(int(status["pid"]), 0)
    except (OSError, KeyError, ValueError):
        status["running"] = False
    else:
        status["running"] = True
    status["age_s"] = round(time.time() - path.stat().st_mtime, 1)
    return status


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True)
def status(db_path: Path, as_json: bool) -> None:
    """Open pairs, trades in flight, breakers, the halt state and the last reconciliation."""
    with reading(db_path) as ledger:
        pairs = ledger.open_pairs()
        in_flight = ledger.in_flight()
        controls = ledger.controls()
    engine = _engine_status(db_path)
    report = {
        "ledger": str(db_path),
        "engine": None if engine is None else {
            "running": engine["running"], "pid": engine.get("pid"), "mode": engine.get("mode"),
            "updated_s_ago": engine["age_s"], "breakers": engine.get("breakers", {}),
            "opportunities": engine.get("opportunities"), "halt_seen": engine.get("halt")},
        "halt": controls.get(HALT),
        "in_flight": [{"id": t.id, "kind": t.kind.value, "state": t.state} for t in in_flight],
        "open_pairs": [{"id": p.id, "status": p.status, "opened_at": p.opened_at, "positions": p.positions,
                        "realised": p.realised, "fees": p.fees} for p in pairs],
        "last_reconciliation": controls.get(LAST_RECONCILIATION),
    }
    if as_json:
        echo_json(report)
        return
    if engine is None:
        click.echo("engine: no status file (not started with this ledger)")
    else:
        state = "running" if engine["running"] else "not running"
        click.echo(f"engine: {state} (pid {engine.get('pid')}, {engine.get('mode')}), status {engine['age_s']}s old")
        for venue, b in engine.get("breakers", {}).items():
            click.echo(f"  breaker {venue}: {b['state']}" + (f", {b['consecutive_errors']} consecutive errors, "
                                                             f"last: {b['last_error']}" if b["consecutive_errors"] else ""))
    halted = controls.get(HALT)
    click.echo(f"halt: {'HALTED (' + halted['source'] + '): ' + halted['reason'] if halted else 'no'}")
    click.echo(f"trades in flight: {', '.join(f'{t.id} ({t.state})' for t in in_flight) or 'none'}")
    click.echo(f"open pairs: {len(pairs)}")
    for p in pairs:
        held = ", ".join(f"{v} {m} {q}" for v, ms in p.positions.items() for m, q in ms.items())
        click.echo(f"  pair {p.id} {p.status} since {p.opened_at}: {held}; realised {p.realised}, fees {p.fees}")
    recon = controls.get(LAST_RECONCILIATION)
    click.echo("last reconciliation: " + ("none" if recon is None else
                                          f"{'match' if recon['ok'] else 'MISMATCH'} ({recon.get('when')}): "
                                          f"{recon['summary']}"))
