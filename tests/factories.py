"""Small valid bundles and workspaces for tests, built without scikit-learn.

The helpers, in the order a test usually calls them:

- ``make_workspace(folder)``: a workspace with a few units, one stochastic target
  variable (``ged_sb``) from one source (``ucdp``) over ``months`` months ending at
  ``last_month``, with the coverage table filled as ingest fills it. Returns the open
  ``Workspace``.
- ``make_bundle(folder, workspace=None)``: a bundle folder whose ONNX graph
  (``make_graph``: draws = ReLU(features @ W + b), so draws depend on the features
  and many are exactly zero) and manifest are consistent, digests included. With a
  workspace, the reference distributions are the workspace's own features over its
  recent origins, so the gate finds no drift; the bundle is valid over ``now``.
  Returns the folder; open it with ``engine.bundle.Bundle.open``.
- ``write_manifest(folder, manifest)``: recompute every file digest, write
  ``manifest.json``; use it after changing a file on purpose.
- ``make_archive(folder, archive)``: a ``.tar.gz`` (or ``.zip``) of a bundle folder.
- ``graph_bytes(...)``: a graph with chosen names, widths and failures (NaN or
  negative draws, an extra output) for tests of bad bundles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import sqlite3
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from engine.drift import reference_from_values
from engine.features import (
    DEFAULT_FEATURES,
    LOOKBACK_MONTHS,
    design_matrix,
    feature_definition,
    load_panel,
)
from engine.manifest import GRAPH_NAME, MANIFEST_NAME, Manifest, TrainingSnapshot
from engine.months import first_day, format_month, month_index
from engine.schema import MIGRATIONS
from engine.spec import (
    FeatureSpec,
    InputSpec,
    OutputSpec,
    ReferenceDistribution,
    SourceSpec,
)
from engine.workspace import Workspace, _statements, timestamp

TARGET = "ged_sb"
SOURCE = "ucdp"
LAST_MONTH = month_index(2024, 6)
# A moment in the month after LAST_MONTH: the default origin is then LAST_MONTH.
NOW = first_day(LAST_MONTH + 1) + dt.timedelta(days=9)


# Workspaces ---------------------------------------------------------------------------


def make_workspace(
    folder: Path,
    *,
    units: int | Sequence[str] = 6,
    months: int = 120,
    last_month: int = LAST_MONTH,
    seed: int = 7,
) -> Workspace:
    """A workspace with synthetic fatalities: many zeros, persistent episodes."""
    names = (
        [f"Unit {index:02d}" for index in range(units)]
        if isinstance(units, int)
        else list(units)
    )
    rng = np.random.default_rng(seed)
    first_month = last_month - months + 1
    values = _synthetic_counts(rng, len(names), months)

    workspace = Workspace.open(folder)
    with workspace.atomic():
        db = workspace.db
        db.execute(
            "INSERT INTO sources (name, cadence_months, description) "
            "VALUES (?, 1, 'synthetic test source')",
            (SOURCE,),
        )
        db.execute(
            "INSERT INTO variables (name, tag, measure, is_count, description) "
            "VALUES (?, 'stochastic', 'deaths', 1, 'state-based fatalities')",
            (TARGET,),
        )
        batch = db.execute(
            "INSERT INTO batches (source, file_name, sha256, rows_read, rows_accepted, "
            "created_at, person, status, vintage, first_month, last_month) "
            "VALUES (?, 'synthetic.csv', ?, ?, ?, ?, 'test', 'accepted', 1, ?, ?)",
            (
                SOURCE,
                "0" * 64,
                values.size,
                values.size,
                timestamp(),
                first_month,
                last_month,
            ),
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO units (name, kind) VALUES (?, 'country')",
            [(name,) for name in names],
        )
        ids = workspace.unit_ids()
        rows = [
            (ids[name], first_month + column, TARGET, float(values[row, column]), batch)
            for row, name in enumerate(names)
            for column in range(months)
        ]
        db.conn.executemany(
            "INSERT INTO observations (unit_id, month, variable, value, batch_id) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        db.conn.executemany(
            "INSERT INTO coverage (unit_id, variable, source, first_month, last_month) "
            "VALUES (?, ?, ?, ?, ?)",
            [(ids[name], TARGET, SOURCE, first_month, last_month) for name in names],
        )
    return workspace


def old_workspace(folder: Path, version: int, rows: str) -> Path:
    """A workspace database left at schema ``version``, holding the SQL ``rows``.

    As an earlier release left it, so that opening it runs the later migrations.
    """
    folder.mkdir(parents=True)
    connection = sqlite3.connect(folder / "workspace.sqlite", isolation_level=None)
    for script in MIGRATIONS[:version]:
        assert isinstance(script, str)
        for statement in _statements(script):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {version}")
    connection.executescript(rows)
    connection.close()
    return folder


def _synthetic_counts(rng: np.random.Generator, units: int, months: int) -> np.ndarray:
    """Conflict-like counts: episodes that persist, heavy-tailed sizes, many zeros."""
    active = np.zeros((units, months), dtype=bool)
    state = rng.random(units) < 0.4
    for month in range(months):
        flip = rng.random(units) < np.where(state, 0.08, 0.04)
        state = np.where(flip, ~state, state)
        active[:, month] = state
    sizes = np.floor(rng.pareto(1.5, (units, months)) * 5)
    return np.where(active, sizes, 0.0)


# Graphs -------------------------------------------------------------------------------


def graph_bytes(
    features: int,
    draws: int,
    *,
    input_name: str = "features",
    output_name: str = "draws",
    output_width: int | None = None,
    input_type: int = TensorProto.FLOAT,
    failure: str | None = None,
    extra_output: bool = False,
    symbolic_output: bool = False,
    seed: int = 11,
) -> bytes:
    """An ONNX graph mapping ``[rows, features]`` to ``[rows, draws]`` draws.

    Draws are ReLU(features @ W + b) (counts with a point mass at zero, depending on
    the features). ``failure`` of ``"nan"`` or ``"negative"`` spoils every draw;
    ``output_width`` makes the graph give another number of draws than ``draws``;
    ``extra_output`` adds a second output; ``input_type`` changes the input's type;
    ``symbolic_output`` declares the draw count as a name, so only running the graph
    shows a wrong count.
    """
    width = output_width or draws
    rng = np.random.default_rng(seed)
    weights = (rng.normal(0.0, 1.0, (features, width)) * 0.6).astype(np.float32)
    bias = rng.normal(0.5, 2.0, width).astype(np.float32)

    nodes = []
    source = input_name
    if input_type != TensorProto.FLOAT:
        nodes.append(helper.make_node("Cast", [input_name], ["as_float"], to=1))
        source = "as_float"
    nodes += [
        helper.make_node("MatMul", [source, "weights"], ["linear"]),
        helper.make_node("Add", ["linear", "bias"], ["shifted"]),
    ]
    if failure == "nan":
        nodes.append(helper.make_node("Mul", ["shifted", "nan"], [output_name]))
    elif failure == "negative":
        nodes.append(helper.make_node("Sub", ["shifted", "big"], [output_name]))
    else:
        nodes.append(helper.make_node("Relu", ["shifted"], [output_name]))
    initializers = [
        numpy_helper.from_array(weights, "weights"),
        numpy_helper.from_array(bias, "bias"),
        numpy_helper.from_array(np.array(np.nan, dtype=np.float32), "nan"),
        numpy_helper.from_array(np.array(1e6, dtype=np.float32), "big"),
    ]
    declared = [None, "draw_count" if symbolic_output else width]
    outputs = [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, declared)]
    if extra_output:
        outputs.append(
            helper.make_tensor_value_info("linear", TensorProto.FLOAT, [None, width])
        )
    graph = helper.make_graph(
        nodes,
        "test_draws",
        [helper.make_tensor_value_info(input_name, input_type, [None, features])],
        outputs,
        initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


# Bundles ------------------------------------------------------------------------------


def make_input_spec(
    features: Sequence[str] = DEFAULT_FEATURES,
    *,
    references: dict[str, ReferenceDistribution] | None = None,
    units: Sequence[str] = (),
    max_staleness_months: int = 2,
) -> InputSpec:
    """An input spec over known features; references default to a broad spread."""
    specs = []
    for name in features:
        definition = feature_definition(name)
        reference = (references or {}).get(name) or reference_from_values(
            np.linspace(0.0, 10.0, 101)
        )
        specs.append(
            FeatureSpec(
                name=name,
                description=definition.description,
                dtype="float32",
                tag=definition.tag,
                variables=(TARGET,) if definition.uses_target else (),
                sources=(SOURCE,) if definition.uses_target else (),
                minimum=0.0 if definition.uses_target or name == "horizon" else -1.0,
                maximum=None,
                max_missing_share=0.2,
                reference=reference,
            )
        )
    return InputSpec(
        features=tuple(specs),
        sources=(SourceSpec(SOURCE, max_staleness_months, "synthetic test source"),),
        units=tuple(units),
        target_variable=TARGET,
        lookback_months=LOOKBACK_MONTHS,
    )


def workspace_references(
    workspace: Workspace,
    features: Sequence[str] = DEFAULT_FEATURES,
    *,
    horizons: Sequence[int] = (1, 2, 3),
    origins: int = 24,
    last_origin: int = LAST_MONTH,
) -> dict[str, ReferenceDistribution]:
    """Reference distributions of the workspace's own features over recent origins."""
    first = last_origin - origins - LOOKBACK_MONTHS + 1
    panel = load_panel(workspace, TARGET, first, last_origin)
    origin_list = range(last_origin - origins + 1, last_origin + 1)
    matrix = design_matrix(panel, features, origin_list, horizons)
    return {
        name: reference_from_values(matrix[:, column])
        for column, name in enumerate(features)
    }


def make_manifest(
    *,
    features: Sequence[str] = DEFAULT_FEATURES,
    draws: int = 64,
    horizons: Sequence[int] = (1, 2, 3),
    references: dict[str, ReferenceDistribution] | None = None,
    units: Sequence[str] = (),
    now: dt.datetime = NOW,
    bundle_id: str = "test-cm-r1",
    release: int = 1,
    **changes: Any,
) -> Manifest:
    """A manifest valid around ``now``; ``files`` is filled by ``write_manifest``."""
    manifest = Manifest(
        id=bundle_id,
        model_line="test-cm",
        release=release,
        created=timestamp(now - dt.timedelta(days=30)),
        valid_from=timestamp(now - dt.timedelta(days=30)),
        valid_until=timestamp(now + dt.timedelta(days=365)),
        code_version="tests",
        training=TrainingSnapshot(
            data_digest="0" * 64,
            rows=1000,
            first_month="2015-01",
            last_month=format_month(LAST_MONTH - 12),
            last_month_per_source={SOURCE: format_month(LAST_MONTH - 12)},
            units=len(units),
        ),
        parameters={"model": "relu-linear test graph"},
        seeds={"model": 11},
        priors={},
        input_spec=make_input_spec(features, references=references, units=units),
        output_spec=OutputSpec(
            target=TARGET, transform="identity", draws=draws, horizons=tuple(horizons)
        ),
        evaluation={},
        model_card={
            "intended_use": "Tests of the field install.",
            "limitations": ["Synthetic weights; forecasts mean nothing."],
        },
        files={},
    )
    return dataclasses.replace(manifest, **changes)


def make_bundle(
    folder: Path,
    workspace: Workspace | None = None,
    *,
    features: Sequence[str] = DEFAULT_FEATURES,
    draws: int = 64,
    horizons: Sequence[int] = (1, 2, 3),
    graph: bytes | None = None,
    extra_files: dict[str, bytes] | None = None,
    list_units: bool = True,
    **changes: Any,
) -> Path:
    """A valid bundle folder (see the module docstring); returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    references = (
        workspace_references(workspace, features, horizons=horizons)
        if workspace is not None
        else None
    )
    units = (
        tuple(sorted(workspace.unit_ids()))
        if workspace is not None and list_units
        else ()
    )
    manifest = make_manifest(
        features=features,
        draws=draws,
        horizons=horizons,
        references=references,
        units=units,
        **changes,
    )
    (folder / manifest.graph).write_bytes(graph or graph_bytes(len(features), draws))
    for name, data in (extra_files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    write_manifest(folder, manifest)
    return folder


def write_manifest(folder: Path, manifest: Manifest) -> Manifest:
    """List every file in ``folder`` (but the manifest) with its sha256; write it."""
    files = {
        path.relative_to(folder).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_NAME
    }
    manifest = dataclasses.replace(manifest, files=files)
    (folder / MANIFEST_NAME).write_bytes(manifest.to_json_bytes())
    return manifest


def read_manifest(folder: Path) -> Manifest:
    return Manifest.from_json_bytes((folder / MANIFEST_NAME).read_bytes())


def make_archive(folder: Path, archive: Path, *, top: str | None = "bundle") -> Path:
    """A ``.tar.gz`` or ``.zip`` of the bundle folder, under one top-level folder."""
    prefix = f"{top}/" if top else ""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
            for path in files:
                package.write(path, prefix + path.relative_to(folder).as_posix())
        return archive
    with tarfile.open(archive, "w:gz") as tar:
        for path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(prefix + path.relative_to(folder).as_posix())
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


__all__ = [
    "GRAPH_NAME",
    "LAST_MONTH",
    "NOW",
    "SOURCE",
    "TARGET",
    "graph_bytes",
    "make_archive",
    "make_bundle",
    "make_input_spec",
    "make_manifest",
    "make_workspace",
    "read_manifest",
    "workspace_references",
    "write_manifest",
]
