"""The ``pyarb`` command. Subcommands load lazily, so ``pyarb trades`` never pays for the engine's imports."""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command. One line per subcommand; the module owns its options.
COMMANDS: dict[str, str] = {
    "sim": "pyarb.cli.sim:sim",
    "sign": "pyarb.cli.sign:sign",
    "trades": "pyarb.cli.ledger:trades",
    "trade": "pyarb.cli.ledger:trade",
    "positions": "pyarb.cli.ledger:positions",
    "backup": "pyarb.cli.ledger:backup",
    "export": "pyarb.cli.ledger:export",
    "import-legacy": "pyarb.cli.ledger:import_legacy",
    "run": "pyarb.cli.run:run",
    "halt": "pyarb.cli.control:halt",
    "resume": "pyarb.cli.control:resume",
    "status": "pyarb.cli.control:status",
    "reconcile": "pyarb.cli.reconcile:reconcile",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup)
@click.version_option(package_name="pyarb")
def main() -> None:
    """Cross-venue perpetual futures arbitrage between EdgeX and Paradex."""
