"""``fieldcast bundle``: look inside a model bundle and verify it (folder or archive).

The build half of the group (``bundle build``) is added by its own module; this one
holds what a field device needs: ``inspect`` and ``verify``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine.bundle import Bundle, opened
from engine.manifest import MANIFEST_NAME

# A Markdown rendering of the model card that the build may ship beside the manifest.
CARD_FILES = ("model_card.md", "card.md", "MODEL_CARD.md")


@click.group("bundle")
def bundle_group() -> None:
    """Inspect, verify and build model bundles."""


@bundle_group.command("inspect")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def inspect(path: Path) -> None:
    """Show a bundle's manifest summary and its model card (verified first)."""
    with opened(path) as bundle:
        click.echo(manifest_summary(bundle))
        click.echo("")
        click.echo(model_card_markdown(bundle))


@bundle_group.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def verify(path: Path) -> None:
    """Check every file digest and the model graph of a bundle folder or archive."""
    with opened(path) as bundle:
        manifest = bundle.manifest
        click.echo(
            f"Bundle {manifest.id} (release {manifest.release} of "
            f"{manifest.model_line}) is intact: {len(manifest.files)} file(s) match "
            f"their digests and the model graph matches the manifest."
        )
        click.echo(f"Bundle digest: {bundle.digest}")


def manifest_summary(bundle: Bundle) -> str:
    """The manifest in a few readable lines, as Markdown."""
    manifest = bundle.manifest
    spec, output = manifest.input_spec, manifest.output_spec
    training = manifest.training
    horizons = output.horizons
    lines = [
        f"# Bundle {manifest.id}",
        "",
        f"- Model line: {manifest.model_line}, release {manifest.release}",
        f"- Created: {manifest.created}",
        f"- Valid from {manifest.valid_from} until {manifest.valid_until}",
        f"- Code version: {manifest.code_version}",
        f"- Target: {output.target} ({output.transform}), {output.draws} draws per "
        f"forecast, horizons {min(horizons)} to {max(horizons)} months "
        f"({len(horizons)} in all)",
        f"- Trained on {training.rows:,} rows of {training.units:,} units, "
        f"{training.first_month} to {training.last_month}",
        f"- Units known: {len(spec.units):,}",
        f"- Manifest digest (the bundle's digest): {bundle.digest}",
        "",
        "## Sources and how old their data may be",
        "",
    ]
    lines += [
        f"- {source.name}: at most {source.max_staleness_months} month(s) old"
        + (f" ({source.description})" if source.description else "")
        for source in spec.sources
    ]
    lines += ["", "## Features", ""]
    for feature in spec.features:
        bounds = _bounds(feature.minimum, feature.maximum)
        lines.append(f"- {feature.name} ({feature.tag}{bounds}): {feature.description}")
    lines += ["", "## Files", ""]
    lines += [f"- {name}: sha256 {digest}" for name, digest in manifest.files.items()]
    lines.append(f"- {MANIFEST_NAME}: the manifest itself")
    return "\n".join(lines)


def _bounds(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return (
        f", from {'-inf' if low is None else low} to {'inf' if high is None else high}"
    )


def model_card_markdown(bundle: Bundle) -> str:
    """The model card as Markdown: the bundle's own rendering, or one made here."""
    for name in CARD_FILES:
        if name in bundle.manifest.files:
            # Bundle.open checked this file's digest.
            return (bundle.folder / name).read_text(encoding="utf-8")
    card = bundle.manifest.model_card
    title = card.get("title") or f"Model card: {bundle.manifest.id}"
    lines = [f"# {title}", ""]
    for key, value in card.items():
        if key == "title":
            continue
        lines += [f"## {key.replace('_', ' ').capitalize()}", ""]
        lines += _markdown_value(value)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_value(value: Any, depth: int = 0) -> list[str]:
    indent = "  " * depth
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{indent}- {key}:")
                lines += _markdown_value(item, depth + 1)
            else:
                lines.append(f"{indent}- {key}: {item}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict | list):
                lines += _markdown_value(item, depth)
            else:
                lines.append(f"{indent}- {item}")
        return lines
    return [f"{indent}{value}"]


COMMANDS = [bundle_group]
