"""``fieldcast forecast``: run the gate and the model, print a readable table.

A blocked unit shows its reasons and no number; a blocked run prints its reasons and
exits with code 1, so scripts notice.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from engine import controls
from engine.bundle import Bundle, opened
from engine.decision import Severity
from engine.errors import ForecastError
from engine.forecast import StoredRun, read_run, run_forecast
from engine.months import format_month, month_name, parse_month
from engine.workspace import Workspace

DEFAULT_HORIZONS = (1, 3, 6, 12)


@click.command("forecast")
@click.option("--origin", help="Forecast origin month, YYYY-MM (default: last month).")
@click.option("--unit", "units", multiple=True, help="Only this unit (repeatable).")
@click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(exists=True, path_type=Path),
    help="A bundle folder or archive (default: the workspace's active bundle).",
)
@click.option(
    "--horizon",
    "horizons",
    multiple=True,
    type=int,
    help="Months ahead to show (repeatable; default 1, 3, 6 and 12).",
)
@click.option("--person", default=None, help="Who runs the forecast (default: you).")
@click.pass_obj
def forecast(
    obj: Any,
    origin: str | None,
    units: tuple[str, ...],
    bundle_path: Path | None,
    horizons: tuple[int, ...],
    person: str | None,
) -> None:
    """Forecast fatalities for the workspace's units with the active bundle."""
    try:
        origin_month = parse_month(origin) if origin else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--origin") from err

    with Workspace.open(obj.workspace, create=False) as workspace:
        known = workspace.unit_ids()
        unknown = [unit for unit in units if unit not in known]
        if unknown:
            raise ForecastError(
                f"Unknown unit(s): {', '.join(unknown)}. Run 'fieldcast status' to "
                "see the workspace's units."
            )
        with _bundle(workspace, bundle_path) as bundle:
            shown = _horizons(bundle, horizons)
            result = run_forecast(
                workspace,
                bundle,
                origin=origin_month,
                person=person or _user(),
                units=units or None,
            )
        run = read_run(workspace, result.run_id)

    click.echo(format_run(run, shown))
    hint = _origin_hint(run) if origin is None else None
    if hint:
        click.echo(hint)
    if result.blocked:
        raise SystemExit(1)


def _origin_hint(run: StoredRun) -> str | None:
    """What to do when the default origin is past every unit's data (stale for all).

    The default origin is the last complete month by the clock, as field use wants;
    data that end earlier (a file ingested months ago, or historical data) make every
    unit stale, and the way out is to name the data's last month as the origin.
    """
    info = run.info
    if not info.data_through or run.units:
        return None
    stale = {"stale_data", "stale_source"}
    reasons = [*run.run_reasons, *(r for rs in run.unit_reasons.values() for r in rs)]
    blocking = {r.code for r in reasons if r.severity is Severity.BLOCK}
    if not blocking or not blocking <= stale:
        return None  # something else blocks too (an expired model, say)
    last = max(parse_month(month) for month in info.data_through.values())
    if last >= info.origin:
        return None
    return (
        f"\nThe data end in {month_name(last)}, before the forecast origin "
        f"{month_name(info.origin)} (by default the last complete month). To forecast "
        f"from the data's last month, run again with --origin {format_month(last)}; "
        "to forecast from now, ingest newer data first."
    )


@contextlib.contextmanager
def _bundle(workspace: Workspace, path: Path | None) -> Iterator[Bundle]:
    if path is not None:
        with opened(path) as bundle:
            yield bundle
        return
    active = controls.active_bundle(workspace)
    if active is None:
        raise ForecastError(
            "No bundle is active in this workspace. Import one, or name one with "
            "--bundle PATH."
        )
    yield active


def _horizons(bundle: Bundle, asked: tuple[int, ...]) -> tuple[int, ...]:
    available = bundle.manifest.output_spec.horizons
    if asked:
        missing = [h for h in asked if h not in available]
        if missing:
            raise click.BadParameter(
                f"bundle {bundle.id} forecasts {min(available)} to {max(available)} "
                f"months ahead; {missing} is not among them",
                param_hint="--horizon",
            )
        return asked
    shown = tuple(h for h in DEFAULT_HORIZONS if h in available)
    return shown or tuple(available[:4])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def format_run(run: StoredRun, horizons: tuple[int, ...]) -> str:
    """The run as a person reads it: header, run-wide reasons, one row per forecast."""
    info = run.info
    through = ", ".join(
        f"{source} to {month_name(parse_month(month))}"
        for source, month in sorted(info.data_through.items())
    )
    lines = [
        f"Forecast run {info.id} from {month_name(info.origin)} with bundle "
        f"{info.bundle_id} ({info.bundle_digest[:12]}), status: {info.status}",
        f"Data: {through or 'none'}. Units: {info.units_total}, blocked: "
        f"{info.units_blocked}.",
    ]
    if run.run_reasons:
        lines.append("")
        for reason in run.run_reasons:
            lines.append(f"{_label(reason.severity)}: {reason.message}")
    if run.run_blocked or info.status == "failed":
        lines.append("")
        lines.append("No forecast was made.")
        return "\n".join(lines)

    columns = ("unit", "month", "forecast", "50% HDI", "90% HDI", "P(any)", "status")
    table: list[tuple[str, ...]] = []
    notes: list[str] = []
    index = {h: i for i, h in enumerate(run.horizons)}
    for unit in run.covered_units():
        verdict = run.unit_verdict(unit)
        own = run.unit_reasons.get(unit, ())
        notes += [f"{unit}: {_label(r.severity)}: {r.message}" for r in own]
        numbers = run.forecast(unit)
        for horizon in horizons:
            month = month_name(info.origin + horizon)
            if numbers is None:
                table.append((unit, month, "-", "-", "-", "-", "BLOCKED"))
                continue
            i = index[horizon]
            table.append(
                (
                    unit,
                    month,
                    _count(numbers.point[i]),
                    f"{_count(numbers.hdi50_low[i])}-{_count(numbers.hdi50_high[i])}",
                    f"{_count(numbers.hdi90_low[i])}-{_count(numbers.hdi90_high[i])}",
                    f"{numbers.p_any[i]:.0%}",
                    "warning" if verdict.value == "pass_with_warnings" else "ok",
                )
            )
    lines += ["", *_aligned(columns, table)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _label(severity: Severity) -> str:
    return "BLOCKED" if severity is Severity.BLOCK else "Warning"


def _count(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [
        max(len(header[c]), *(len(row[c]) for row in rows)) if rows else len(header[c])
        for c in range(len(header))
    ]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return [line(header), line(tuple("-" * w for w in widths)), *map(line, rows)]


COMMANDS = [forecast]
