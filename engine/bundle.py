"""Opening a model bundle on a field device: verify every byte before anything runs.

A bundle is a folder holding ``manifest.json`` and the files it lists with their
sha256 (the ONNX graph among them); an archive of that folder (``.tar.gz``, ``.tgz``,
``.tar`` or ``.zip``) carries it between machines. ``Bundle.open`` refuses a bundle
with a missing, extra, changed or symlinked file, a path that escapes the folder, an
unknown manifest schema, absurd declared sizes, or an ONNX graph whose inputs and
outputs do not match the manifest. ``extract_archive`` unpacks an archive into a
temporary sibling folder and moves it into place only when everything was written, so
nothing half-extracted is ever left behind. Only onnxruntime is used (no onnx package:
the field install lacks it).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from engine.errors import BundleError
from engine.manifest import MANIFEST_NAME, Manifest

log = logging.getLogger(__name__)

# Limits on what a bundle may declare or hold; far above any real bundle, far below
# what would fill a laptop's disk or memory.
MAX_MANIFEST_BYTES = 64 * 1024**2
MAX_FILE_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_MEMBERS = 1_000
MAX_DRAWS = 100_000
MAX_HORIZONS = 240
MAX_FEATURES = 10_000
MAX_UNITS = 1_000_000

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Bundle:
    """A verified bundle folder: its manifest and the digest of the manifest's bytes."""

    folder: Path
    manifest: Manifest
    digest: str
    # The onnxruntime session made from the verified graph bytes while opening, kept
    # so that a run does not load the graph a second time.
    session: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, folder: Path | str) -> Bundle:
        """Open and verify the bundle in ``folder``; BundleError says what is wrong."""
        folder = Path(folder)
        _require_folder(folder)
        raw = _read_manifest_bytes(folder)
        manifest = Manifest.from_json_bytes(raw)
        _check_declared_sizes(manifest)
        _check_listed_paths(manifest)
        _check_files(folder, manifest)
        session = _check_graph(_read_graph(folder, manifest), manifest)
        digest = hashlib.sha256(raw).hexdigest()
        bundle = cls(folder.resolve(), manifest, digest, session)
        log.info("opened bundle %s (%s) from %s", manifest.id, bundle.digest, folder)
        return bundle

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def graph_path(self) -> Path:
        return self.folder / self.manifest.graph

    def verify(self) -> None:
        """Check the files on disk again: a changed, missing or extra file raises."""
        _require_folder(self.folder)
        raw = _read_manifest_bytes(self.folder)
        if hashlib.sha256(raw).hexdigest() != self.digest:
            raise BundleError(
                f"The manifest of bundle {self.id} changed on disk since it was "
                "opened; the bundle can no longer be trusted. Import it again from "
                "its original archive."
            )
        _check_files(self.folder, self.manifest)

    def read_graph(self) -> bytes:
        """The ONNX graph's bytes, checked against the manifest's digest as read."""
        return _read_graph(self.folder, self.manifest)


def _read_graph(folder: Path, manifest: Manifest) -> bytes:
    """The graph's bytes, checked as read, so what runs is exactly what was verified."""
    path = folder / manifest.graph
    _require_regular_file(path, manifest.graph)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest.files[manifest.graph]:
        raise BundleError(
            f"The model graph of bundle {manifest.id} changed on disk; it will not "
            "be run. Import the bundle again from its original archive."
        )
    return data


# Opening a folder or an archive ----------------------------------------------------


def is_archive(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and name.endswith(ARCHIVE_SUFFIXES)


@contextlib.contextmanager
def opened(path: Path | str) -> Iterator[Bundle]:
    """A verified bundle from a folder or an archive (unpacked to a temporary place)."""
    path = Path(path)
    if path.is_dir():
        yield Bundle.open(path)
        return
    if not path.exists():
        raise BundleError(f"There is no bundle at {path}.")
    with tempfile.TemporaryDirectory(prefix="fieldcast-bundle-") as scratch:
        folder = extract_archive(path, Path(scratch) / "bundle")
        yield Bundle.open(folder)


def extract_archive(archive: Path | str, destination: Path | str) -> Path:
    """Unpack a bundle archive safely into ``destination`` (which must not exist).

    Members are written into a temporary folder beside ``destination``, which is moved
    into place with one rename once every member is written; on any error the
    temporary folder is removed and ``destination`` is never created. A single
    top-level folder in the archive is unwrapped, so both "bundle/manifest.json" and
    "manifest.json" layouts work.
    """
    archive = Path(archive)
    destination = Path(destination)
    if destination.exists() or destination.is_symlink():
        raise BundleError(
            f"{destination} already exists; bundles are never unpacked over "
            "another folder."
        )
    if not archive.is_file():
        raise BundleError(f"There is no bundle archive at {archive}.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent)
    )
    try:
        unpacked = scratch / "content"
        unpacked.mkdir()
        name = archive.name.lower()
        if name.endswith(".zip"):
            _extract_zip(archive, unpacked)
        elif name.endswith((".tar.gz", ".tgz", ".tar")):
            _extract_tar(archive, unpacked)
        else:
            raise BundleError(
                f"{archive.name} is not a bundle archive; fieldcast reads "
                f"{', '.join(ARCHIVE_SUFFIXES)} files or bundle folders."
            )
        os.replace(_unwrap(unpacked), destination)
    except BundleError:
        raise
    except OSError as err:
        raise BundleError(
            f"Could not unpack {archive.name} ({err}); check the free disk space "
            "and that you may write to the workspace folder."
        ) from err
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("unpacked bundle archive %s into %s", archive, destination)
    return destination


def _unwrap(unpacked: Path) -> Path:
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return unpacked


class _Budget:
    """Counts members and bytes written, refusing past the limits."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.members = 0
        self.total = 0

    def member(self, declared_size: int) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise BundleError(
                f"{self.archive.name} holds more than {MAX_MEMBERS} files; a "
                "bundle never does. It will not be unpacked."
            )
        if declared_size > MAX_FILE_BYTES or declared_size < 0:
            raise BundleError(
                f"{self.archive.name} declares a file of {declared_size:,} bytes, "
                f"more than the {MAX_FILE_BYTES:,} a bundle file may hold; it will "
                "not be unpacked."
            )
        if self.total + declared_size > MAX_TOTAL_BYTES:
            raise BundleError(self._too_large())

    def wrote(self, size: int, file_size: int) -> None:
        self.total += size
        if file_size > MAX_FILE_BYTES or self.total > MAX_TOTAL_BYTES:
            raise BundleError(self._too_large())

    def _too_large(self) -> str:
        return (
            f"{self.archive.name} unpacks to more than {MAX_TOTAL_BYTES:,} bytes; a "
            "bundle never does. It will not be unpacked."
        )


def _extract_tar(archive: Path, target: Path) -> None:
    budget = _Budget(archive)
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                relative = _safe_member_path(member.name, archive)
                if member.isdir():
                    budget.member(0)
                    (target / relative).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isreg():
                    raise BundleError(
                        f"{archive.name} holds '{member.name}', which is a link or "
                        "a device rather than a plain file; bundles never do. It "
                        "will not be unpacked."
                    )
                budget.member(member.size)
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover - isreg() members have data
                    raise BundleError(f"{archive.name}: '{member.name}' is unreadable.")
                with source:
                    _write_member(source, target / relative, budget)
    except BundleError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise BundleError(
            f"{archive.name} is damaged or incomplete ({err}); copy it again from "
            "its source."
        ) from err


def _extract_zip(archive: Path, target: Path) -> None:
    budget = _Budget(archive)
    try:
        with zipfile.ZipFile(archive) as package:
            for info in package.infolist():
                relative = _safe_member_path(info.filename, archive)
                kind = stat.S_IFMT(info.external_attr >> 16)
                if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise BundleError(
                        f"{archive.name} holds '{info.filename}', which is a link or "
                        "a device rather than a plain file; bundles never do. It "
                        "will not be unpacked."
                    )
                if info.is_dir():
                    budget.member(0)
                    (target / relative).mkdir(parents=True, exist_ok=True)
                    continue
                budget.member(info.file_size)
                with package.open(info) as source:
                    _write_member(source, target / relative, budget)
    except BundleError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as err:
        raise BundleError(
            f"{archive.name} is damaged or incomplete ({err}); copy it again from "
            "its source."
        ) from err
    except (OSError, RuntimeError) as err:
        raise BundleError(
            f"{archive.name} cannot be read ({err}); copy it again from its source."
        ) from err


def _write_member(source: IO[bytes], path: Path, budget: _Budget) -> None:
    if path.exists():
        raise BundleError(f"'{path.name}' appears twice in the archive; it is refused.")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(path, "xb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            budget.wrote(len(chunk), written)
            out.write(chunk)


def _safe_member_path(name: str, archive: Path) -> PurePosixPath:
    """A member's path relative to the bundle, refusing anything that could escape."""
    problem = _path_problem(name.rstrip("/"))
    if problem:
        raise BundleError(
            f"{archive.name} holds the path '{name}', which {problem}; the archive "
            "is refused."
        )
    return PurePosixPath(name.rstrip("/"))


def _path_problem(name: str) -> str | None:
    """Why a relative bundle path is unsafe, or None when it is fine."""
    if not name or "\x00" in name:
        return "is empty or holds a NUL character"
    if "\\" in name or ":" in name:
        return "holds a backslash or colon (a Windows path)"
    path = PurePosixPath(name)
    if path.is_absolute():
        return "is absolute"
    if any(part in ("..", ".", "") for part in name.split("/")):
        return "steps outside the bundle folder or is not normalised"
    return None


# Checks on an unpacked folder -------------------------------------------------------


def _require_folder(folder: Path) -> None:
    if folder.is_symlink():
        raise BundleError(f"{folder} is a symbolic link; bundles are opened directly.")
    if not folder.is_dir():
        raise BundleError(f"There is no bundle folder at {folder}.")


def _require_regular_file(path: Path, name: str) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise BundleError(
            f"The bundle has no file '{name}', which its manifest lists; it is "
            "incomplete. Copy the whole bundle again."
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise BundleError(
            f"'{name}' in the bundle is a symbolic link; bundles hold plain files only."
        )
    if not stat.S_ISREG(info.st_mode):
        raise BundleError(f"'{name}' in the bundle is not a plain file.")
    if info.st_size > MAX_FILE_BYTES:
        raise BundleError(
            f"'{name}' in the bundle is {info.st_size:,} bytes, more than the "
            f"{MAX_FILE_BYTES:,} a bundle file may hold."
        )


def _read_manifest_bytes(folder: Path) -> bytes:
    path = folder / MANIFEST_NAME
    _require_regular_file(path, MANIFEST_NAME)
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise BundleError(
            f"{MANIFEST_NAME} is larger than {MAX_MANIFEST_BYTES:,} bytes; no real "
            "manifest is. The bundle is refused."
        )
    return path.read_bytes()


def _check_declared_sizes(manifest: Manifest) -> None:
    output, spec = manifest.output_spec, manifest.input_spec
    checks = (
        ("draws per row", output.draws, 1, MAX_DRAWS),
        ("horizons", len(output.horizons), 1, MAX_HORIZONS),
        ("features", len(spec.features), 1, MAX_FEATURES),
        ("units", len(spec.units), 0, MAX_UNITS),
        ("files", len(manifest.files), 1, MAX_MEMBERS),
    )
    for what, value, low, high in checks:
        if not low <= value <= high:
            raise BundleError(
                f"The bundle's manifest declares {value:,} {what}; fieldcast accepts "
                f"{low:,} to {high:,}. The bundle is refused."
            )
    if any(not 1 <= horizon <= MAX_HORIZONS for horizon in output.horizons):
        raise BundleError(
            f"The bundle's horizons {output.horizons} are not all between 1 and "
            f"{MAX_HORIZONS} months; the bundle is refused."
        )
    if len(set(output.horizons)) != len(output.horizons):
        raise BundleError("The bundle lists a horizon twice; the bundle is refused.")


def _check_listed_paths(manifest: Manifest) -> None:
    if not isinstance(manifest.files, dict):
        raise BundleError(
            "The manifest's file list is malformed; the bundle is refused."
        )
    for name, digest in manifest.files.items():
        problem = _path_problem(str(name))
        if problem:
            raise BundleError(
                f"The manifest lists the file '{name}', whose path {problem}; the "
                "bundle is refused."
            )
        if name == MANIFEST_NAME:
            raise BundleError(
                "The manifest lists its own digest; the bundle is refused."
            )
        if not (isinstance(digest, str) and len(digest) == 64 and _is_hex(digest)):
            raise BundleError(
                f"The manifest's digest for '{name}' is not a sha256; the bundle is "
                "refused."
            )
    if manifest.graph not in manifest.files:
        raise BundleError(
            f"The manifest does not list the model graph '{manifest.graph}' with its "
            "digest; the bundle is refused."
        )


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)


def _check_files(folder: Path, manifest: Manifest) -> None:
    """Every listed file present with its digest; nothing else; no links anywhere."""
    listed = set(manifest.files)
    present: set[str] = set()
    for root, directories, files in os.walk(folder):
        base = Path(root)
        for name in directories:
            if (base / name).is_symlink():
                raise BundleError(
                    f"The bundle holds a symbolic link '{name}'; bundles hold plain "
                    "files only."
                )
        for name in files:
            relative = (base / name).relative_to(folder).as_posix()
            if relative != MANIFEST_NAME:
                present.add(relative)

    extra = sorted(present - listed)
    if extra:
        raise BundleError(
            f"The bundle holds files its manifest does not list: {', '.join(extra)}. "
            "Someone added them after it was built; use the original bundle."
        )
    missing = sorted(listed - present)
    if missing:
        raise BundleError(
            f"The bundle is missing {', '.join(missing)}, listed in its manifest. "
            "Copy the whole bundle again."
        )

    total = 0
    for name in sorted(listed):
        path = folder / name
        _require_regular_file(path, name)
        # No listed path may resolve outside the folder (a linked parent folder).
        if not path.resolve().is_relative_to(folder.resolve()):
            raise BundleError(
                f"'{name}' resolves outside the bundle folder; the bundle is refused."
            )
        total += path.stat().st_size
        if total > MAX_TOTAL_BYTES:
            raise BundleError(
                f"The bundle holds more than {MAX_TOTAL_BYTES:,} bytes; the bundle "
                "is refused."
            )
        if _file_sha256(path) != manifest.files[name]:
            raise BundleError(
                f"'{name}' in bundle {manifest.id} does not match the digest in its "
                "manifest: it was changed or damaged. Use the original bundle."
            )


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _check_graph(graph: bytes, manifest: Manifest) -> Any:
    """A session over the graph, whose inputs and outputs match the manifest's."""
    from engine.runner import new_session  # onnxruntime is imported only when needed

    session = new_session(graph)
    inputs = session.get_inputs()
    outputs = session.get_outputs()
    output_spec = manifest.output_spec
    features = len(manifest.input_spec.features)

    if [item.name for item in inputs] != [output_spec.input_name]:
        raise BundleError(
            f"The model graph takes the inputs {[item.name for item in inputs]}, but "
            f"the manifest says it takes one input '{output_spec.input_name}'; the "
            "bundle is refused."
        )
    if [item.name for item in outputs] != [output_spec.output_name]:
        raise BundleError(
            f"The model graph gives the outputs {[item.name for item in outputs]}, but "
            f"the manifest says it gives one output '{output_spec.output_name}'; the "
            "bundle is refused."
        )
    _check_tensor(inputs[0], features, "input", "features")
    _check_tensor(outputs[0], output_spec.draws, "output", "draws")
    return session


def _check_tensor(node: Any, width: int, role: str, what: str) -> None:
    if node.type != "tensor(float)":
        raise BundleError(
            f"The model graph's {role} '{node.name}' is {node.type}, not float32 as "
            "the manifest requires; the bundle is refused."
        )
    shape = list(node.shape)
    # Dimensions may be symbolic (a name or None); only a fixed number can disagree.
    if len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != width):
        raise BundleError(
            f"The model graph's {role} '{node.name}' has shape {shape}, but the "
            f"manifest declares {width} {what} per row; the bundle is refused."
        )
