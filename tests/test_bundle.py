"""Opening bundles: each bad bundle is refused clearly, and nothing is left behind."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto

from engine import bundle as bundle_module
from engine.bundle import Bundle, extract_archive, opened
from engine.errors import BundleError
from engine.manifest import GRAPH_NAME, MANIFEST_NAME
from engine.runner import Runner, new_session
from tests.factories import (
    graph_bytes,
    make_archive,
    make_bundle,
    read_manifest,
    write_manifest,
)

FEATURES = 13  # DEFAULT_FEATURES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "bundle", extra_files={"model_card.md": b"# Card\n"})


def _flip_byte(path: Path, offset: int = -2) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name)


# A valid bundle -----------------------------------------------------------------------


def test_a_valid_bundle_opens_with_the_digest_of_its_manifest(folder):
    bundle = Bundle.open(folder)
    raw = (folder / MANIFEST_NAME).read_bytes()
    assert bundle.digest == hashlib.sha256(raw).hexdigest()
    assert bundle.manifest.id == "test-cm-r1"
    bundle.verify()


@pytest.mark.parametrize("name", ["bundle.tar.gz", "bundle.zip", "bundle.tgz"])
@pytest.mark.parametrize("top", ["bundle", None])
def test_archives_unpack_to_the_same_bundle(folder, tmp_path, name, top):
    archive = make_archive(folder, tmp_path / name.replace(".tgz", ".tar.gz"), top=top)
    if name.endswith(".tgz"):
        archive = archive.rename(tmp_path / name)
    target = extract_archive(archive, tmp_path / "out" / "unpacked")
    assert Bundle.open(target).digest == Bundle.open(folder).digest
    assert _leftovers(target.parent) == []


def test_opened_verifies_an_archive_in_a_temporary_folder(folder, tmp_path):
    archive = make_archive(folder, tmp_path / "bundle.tar.gz")
    with opened(archive) as bundle:
        unpacked = bundle.folder
        assert bundle.manifest.id == "test-cm-r1"
    assert not unpacked.exists()


# Damaged archives ---------------------------------------------------------------------


def _expect_refused(archive: Path, tmp_path: Path, match: str) -> None:
    destination = tmp_path / "dest" / "bundle"
    with pytest.raises(BundleError, match=match):
        extract_archive(archive, destination)
    assert not destination.exists()
    assert _leftovers(destination.parent) == []


def test_a_corrupt_archive_is_refused(tmp_path):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(os.urandom(4096))
    _expect_refused(archive, tmp_path, "damaged or incomplete")


@pytest.mark.parametrize("name", ["bundle.tar.gz", "bundle.zip"])
def test_a_truncated_archive_is_refused(folder, tmp_path, name):
    archive = make_archive(folder, tmp_path / name)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) * 2 // 3])
    _expect_refused(archive, tmp_path, "damaged or incomplete")


def test_a_changed_byte_inside_an_archive_is_refused(folder, tmp_path):
    _flip_byte(folder / GRAPH_NAME)  # the manifest still holds the old digest
    archive = make_archive(folder, tmp_path / "bundle.tar.gz")
    with pytest.raises(BundleError, match="does not match the digest"), opened(archive):
        pass


def _tar_with(tmp_path: Path, *members: tarfile.TarInfo) -> Path:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for member in members:
            data = b"x" * member.size if member.isreg() else None
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return archive


def _member(name: str, kind: bytes = tarfile.REGTYPE, size: int = 3) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size if kind == tarfile.REGTYPE else 0
    if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        info.linkname = "/etc/passwd"
    return info


@pytest.mark.parametrize(
    ("member", "match"),
    [
        (_member("../escape.txt"), "steps outside"),
        (_member("bundle/../../escape.txt"), "steps outside"),
        (_member("/etc/cron.d/evil"), "absolute"),
        (_member("bundle\\..\\evil"), "backslash"),
        (_member("bundle/link", tarfile.SYMTYPE), "link or a device"),
        (_member("bundle/hard", tarfile.LNKTYPE), "link or a device"),
        (_member("bundle/dev", tarfile.CHRTYPE), "link or a device"),
        (_member("bundle/fifo", tarfile.FIFOTYPE), "link or a device"),
    ],
    ids=[
        "parent",
        "nested-parent",
        "absolute",
        "backslash",
        "symlink",
        "hardlink",
        "device",
        "fifo",
    ],
)
def test_unsafe_tar_members_are_refused(tmp_path, member, match):
    archive = _tar_with(tmp_path, _member("bundle/manifest.json"), member)
    _expect_refused(archive, tmp_path, match)
    assert not (tmp_path / "escape.txt").exists()


def test_unsafe_zip_members_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("bundle/manifest.json", "{}")
        package.writestr("../escape.txt", "x")
    _expect_refused(archive, tmp_path, "steps outside")


def test_a_zip_symlink_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as package:
        info = zipfile.ZipInfo("bundle/link")
        info.external_attr = (0o120777) << 16
        package.writestr(info, "/etc/passwd")
    _expect_refused(archive, tmp_path, "link or a device")


def test_an_absurd_declared_member_size_is_refused_before_reading(tmp_path):
    # A header that claims 50 GB, followed by almost nothing.
    header = _member("bundle/model.onnx", size=50 * 1024**3).tobuf(
        format=tarfile.GNU_FORMAT
    )
    archive = tmp_path / "huge.tar.gz"
    archive.write_bytes(gzip.compress(header + b"\0" * 1024))
    _expect_refused(archive, tmp_path, "declares a file of")


def test_an_archive_unpacking_past_the_limit_is_refused(folder, tmp_path, monkeypatch):
    archive = make_archive(folder, tmp_path / "bundle.zip")
    monkeypatch.setattr(bundle_module, "MAX_TOTAL_BYTES", 1000)
    _expect_refused(archive, tmp_path, "more than")


def test_an_archive_with_too_many_members_is_refused(folder, tmp_path, monkeypatch):
    archive = make_archive(folder, tmp_path / "bundle.tar.gz")
    monkeypatch.setattr(bundle_module, "MAX_MEMBERS", 2)
    _expect_refused(archive, tmp_path, "more than 2 files")


def test_an_archive_is_never_unpacked_over_an_existing_folder(folder, tmp_path):
    archive = make_archive(folder, tmp_path / "bundle.tar.gz")
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    with pytest.raises(BundleError, match="already exists"):
        extract_archive(archive, existing)
    assert (existing / "keep.txt").read_text() == "mine"


# Damaged folders ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [GRAPH_NAME, "model_card.md"])
def test_one_changed_byte_is_refused(folder, name):
    _flip_byte(folder / name, offset=len((folder / name).read_bytes()) // 2)
    with pytest.raises(BundleError, match=f"'{name}'.*does not match the digest"):
        Bundle.open(folder)


def test_a_missing_file_is_refused(folder):
    (folder / "model_card.md").unlink()
    with pytest.raises(BundleError, match=r"missing model_card.md"):
        Bundle.open(folder)


def test_an_extra_file_is_refused(folder):
    (folder / "notes.txt").write_text("added later")
    with pytest.raises(BundleError, match=r"does not list: notes.txt"):
        Bundle.open(folder)


def test_a_missing_manifest_is_refused(folder):
    (folder / MANIFEST_NAME).unlink()
    with pytest.raises(BundleError, match=r"no file 'manifest.json'"):
        Bundle.open(folder)


def test_a_symlinked_file_is_refused(folder, tmp_path):
    outside = tmp_path / "card-copy.md"
    outside.write_bytes((folder / "model_card.md").read_bytes())
    (folder / "model_card.md").unlink()
    (folder / "model_card.md").symlink_to(outside)
    with pytest.raises(BundleError, match="symbolic link"):
        Bundle.open(folder)


@pytest.mark.parametrize("path", ["../outside.bin", "/tmp/outside.bin", "a/./b"])
def test_a_manifest_path_escaping_the_folder_is_refused(folder, tmp_path, path):
    manifest = read_manifest(folder)
    files = {**manifest.files, path: "0" * 64}
    raw = dataclasses.replace(manifest, files=files).to_json_bytes()
    (folder / MANIFEST_NAME).write_bytes(raw)
    with pytest.raises(BundleError, match="whose path"):
        Bundle.open(folder)


def test_an_unknown_manifest_schema_version_is_refused(folder):
    manifest = read_manifest(folder)
    write_manifest(folder, dataclasses.replace(manifest, schema_version=99))
    with pytest.raises(BundleError, match="schema version 99"):
        Bundle.open(folder)


def test_a_manifest_that_is_not_json_is_refused(folder):
    (folder / MANIFEST_NAME).write_bytes(b"\x00\xffnot json")
    with pytest.raises(BundleError, match="not valid JSON"):
        Bundle.open(folder)


@pytest.mark.parametrize(
    "field",
    [
        {"draws": 10**9},
        {"draws": 0},
        {"horizons": tuple(range(1, 10_000))},
        {"horizons": (1, 1)},
    ],
    ids=["absurd-draws", "no-draws", "absurd-horizons", "repeated-horizon"],
)
def test_absurd_declared_sizes_are_refused(folder, field):
    manifest = read_manifest(folder)
    output = dataclasses.replace(manifest.output_spec, **field)
    write_manifest(folder, dataclasses.replace(manifest, output_spec=output))
    with pytest.raises(BundleError, match=r"fieldcast accepts|horizon"):
        Bundle.open(folder)


def test_a_deterministic_flag_that_is_not_true_or_false_is_refused(folder):
    manifest = read_manifest(folder)
    output = dataclasses.replace(manifest.output_spec, deterministic="yes")
    write_manifest(folder, dataclasses.replace(manifest, output_spec=output))
    with pytest.raises(BundleError, match="output spec is malformed"):
        Bundle.open(folder)


def test_an_absurd_file_size_on_disk_is_refused(folder, monkeypatch):
    monkeypatch.setattr(bundle_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(BundleError, match="more than the 100"):
        Bundle.open(folder)


# The graph against the manifest -------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "match"),
    [
        (graph_bytes(FEATURES, 64, input_name="inputs"), "takes the inputs"),
        (graph_bytes(FEATURES, 64, output_name="samples"), "gives the outputs"),
        (graph_bytes(FEATURES, 64, extra_output=True), "gives the outputs"),
        (graph_bytes(FEATURES + 1, 64), "features per row"),
        (graph_bytes(FEATURES, 64, output_width=32), "draws per row"),
        (
            graph_bytes(FEATURES, 64, input_type=TensorProto.DOUBLE),
            "not float32",
        ),
        (b"not an onnx graph at all", "cannot be loaded"),
    ],
    ids=[
        "input-name",
        "output-name",
        "extra-output",
        "feature-count",
        "draw-count",
        "input-type",
        "garbage",
    ],
)
def test_a_graph_disagreeing_with_the_manifest_is_refused(tmp_path, graph, match):
    folder = make_bundle(tmp_path / "bundle", graph=graph)
    with pytest.raises(BundleError, match=match):
        Bundle.open(folder)


# Running the graph --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "match"),
    [
        (graph_bytes(FEATURES, 64, failure="nan"), "NaN"),
        (graph_bytes(FEATURES, 64, failure="negative"), "negative"),
    ],
    ids=["nan", "negative"],
)
def test_bad_draws_are_refused_by_the_runner(tmp_path, graph, match):
    bundle = Bundle.open(make_bundle(tmp_path / "bundle", graph=graph))
    runner = Runner(bundle)
    features = np.random.default_rng(0).random((10, FEATURES), dtype=np.float32)
    with pytest.raises(BundleError, match=match):
        list(runner.run(features))


def test_a_wrong_draw_count_at_run_time_is_refused(tmp_path):
    """A graph whose declared shape hides its real draw count is caught running."""
    bundle = Bundle.open(make_bundle(tmp_path / "bundle"))
    runner = Runner(bundle)
    runner.session = new_session(graph_bytes(FEATURES, 65, symbolic_output=True))
    features = np.random.default_rng(0).random((10, FEATURES), dtype=np.float32)
    with pytest.raises(BundleError, match="promises 64 draws"):
        runner.infer(features)


def test_the_runner_yields_chunks_equal_to_one_call(tmp_path):
    bundle = Bundle.open(make_bundle(tmp_path / "bundle"))
    runner = Runner(bundle)
    features = np.random.default_rng(0).random((103, FEATURES), dtype=np.float32)
    whole = runner.infer(features)
    chunks = list(runner.run(features, chunk_rows=10))
    assert [start for start, _ in chunks] == list(range(0, 103, 10))
    np.testing.assert_array_equal(np.concatenate([d for _, d in chunks]), whole)
    assert whole.shape == (103, 64)
    assert (whole == 0).any() and (whole > 0).any()


def test_the_runner_refuses_a_graph_changed_after_opening(folder):
    """A runner that loads the graph again checks it against the manifest."""
    bundle = Bundle.open(folder)
    _flip_byte(folder / GRAPH_NAME)
    with pytest.raises(BundleError, match="changed on disk"):
        Runner(bundle, threads=1)


# verify() -----------------------------------------------------------------------------


def test_verify_notices_a_file_changed_on_disk(folder):
    bundle = Bundle.open(folder)
    _flip_byte(folder / "model_card.md")
    with pytest.raises(BundleError, match="does not match the digest"):
        bundle.verify()


def test_verify_notices_a_changed_manifest(folder):
    bundle = Bundle.open(folder)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    manifest["release"] = 7
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"manifest .* changed on disk"):
        bundle.verify()


def test_verify_notices_an_added_file(folder):
    bundle = Bundle.open(folder)
    (folder / "sub").mkdir()
    (folder / "sub" / "extra.bin").write_bytes(b"1")
    with pytest.raises(BundleError, match=r"sub/extra.bin"):
        bundle.verify()
