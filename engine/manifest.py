"""The bundle manifest: its self-description, written by the build, read everywhere.

``manifest.json`` is canonical JSON (sorted keys, two-space indent, UTF-8, one final
newline), so the same content always gives the same bytes and the same digest. The
bundle's digest is the sha256 of those bytes; the manifest lists the sha256 of every
other file in the bundle.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.errors import BundleError
from engine.spec import InputSpec, OutputSpec

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1
GRAPH_NAME = "model.onnx"


@dataclass(frozen=True)
class TrainingSnapshot:
    """Exactly which data a bundle was trained on."""

    data_digest: str
    rows: int
    first_month: str
    last_month: str
    last_month_per_source: dict[str, str]
    units: int


@dataclass(frozen=True)
class Manifest:
    """Everything a device needs to know about a bundle before it runs it."""

    id: str
    model_line: str
    release: int
    created: str
    valid_from: str
    valid_until: str
    code_version: str
    training: TrainingSnapshot
    parameters: dict[str, Any]
    seeds: dict[str, int]
    priors: dict[str, Any]
    input_spec: InputSpec
    output_spec: OutputSpec
    evaluation: dict[str, Any]
    model_card: dict[str, Any]
    files: dict[str, str]
    graph: str = GRAPH_NAME
    schema_version: int = MANIFEST_SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["input_spec"] = self.input_spec.to_dict()
        data["output_spec"] = self.output_spec.to_dict()
        return data

    def to_json_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if not isinstance(data, dict):
            raise BundleError(
                "manifest.json is not a JSON object; the bundle is broken."
            )
        version = data.get("schema_version")
        if version != MANIFEST_SCHEMA_VERSION:
            raise BundleError(
                f"This bundle's manifest has schema version {version!r}; fieldcast "
                f"reads version {MANIFEST_SCHEMA_VERSION}. Update fieldcast or ask the "
                "regional office for a bundle built for this version."
            )
        try:
            return cls(
                **{
                    **data,
                    "training": TrainingSnapshot(**data["training"]),
                    "input_spec": InputSpec.from_dict(data["input_spec"]),
                    "output_spec": OutputSpec.from_dict(data["output_spec"]),
                    "release": int(data["release"]),
                }
            )
        except (KeyError, TypeError, ValueError) as err:
            raise BundleError(
                f"manifest.json is missing or has a malformed field ({err!r}); the "
                "bundle cannot be used. Ask the regional office for a rebuilt bundle."
            ) from err

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise BundleError(
                f"manifest.json is not valid JSON ({err}); the bundle is damaged."
            ) from err
        return cls.from_dict(data)


def canonical_json(data: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, fixed indent, UTF-8, final newline."""
    text = json.dumps(
        data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")
