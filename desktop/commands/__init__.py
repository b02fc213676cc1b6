"""The ``fieldcast`` subcommands, one module per group of jobs.

Each module named in ``MODULES`` has a ``COMMANDS`` list of click commands; the main
group adds them all. A new module adds its name here and nothing else.
"""

from __future__ import annotations

import importlib

import click

MODULES: tuple[str, ...] = ("data", "bundle", "build", "controls", "forecast", "app")


def all_commands() -> list[click.Command]:
    commands: list[click.Command] = []
    for name in MODULES:
        commands.extend(commands_of(name))
    return commands


def commands_of(module_name: str) -> list[click.Command]:
    """The commands of one module in ``MODULES`` (imported now)."""
    module = importlib.import_module(f"desktop.commands.{module_name}")
    return list(module.COMMANDS)
