"""The ``fieldcast`` subcommands; each module adds its commands to ``COMMANDS``."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
