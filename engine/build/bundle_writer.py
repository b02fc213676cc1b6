"""Writing a bundle: its folder, atomically, and one byte-stable archive of it.

The folder ``<out>/<bundle id>/`` holds ``manifest.json`` (listing the sha256 of every
other file), ``model.onnx`` and the model card; the archive ``<out>/<bundle id>.tar.gz``
holds the same files under one top-level folder. The archive depends only on the
files and the manifest's ``created`` time: sorted entries, that time as every mtime,
owner 0:0, fixed modes, and a gzip header with no name and mtime 0.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import logging
import os
import shutil
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

from engine.errors import BuildError
from engine.manifest import MANIFEST_NAME, Manifest
from engine.workspace import parse_timestamp

log = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".tar.gz"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def with_file_digests(manifest: Manifest, files: dict[str, bytes]) -> Manifest:
    """The manifest listing the sha256 of each file (never of itself)."""
    if MANIFEST_NAME in files:
        raise BuildError("the manifest cannot list itself")
    return replace(
        manifest, files={name: sha256(files[name]) for name in sorted(files)}
    )


def write_bundle(out: Path, manifest: Manifest, files: dict[str, bytes]) -> Path:
    """Write the bundle folder and its archive into ``out``; returns the folder.

    The folder is written under a temporary name beside its final place and moved
    there in one rename, so a reader never sees half a bundle; an older folder of the
    same name is replaced.
    """
    manifest = with_file_digests(manifest, files)
    contents = {**files, MANIFEST_NAME: manifest.to_json_bytes()}
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = out / manifest.id
        staging = Path(tempfile.mkdtemp(prefix=f".{manifest.id}.", dir=out))
        try:
            for name, data in sorted(contents.items()):
                (staging / name).write_bytes(data)
                os.chmod(staging / name, 0o644)
            os.chmod(staging, 0o755)
            _replace_folder(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        write_archive(out / f"{manifest.id}{ARCHIVE_SUFFIX}", manifest, contents)
    except OSError as err:
        raise BuildError(
            f"Cannot write the bundle into {out}: {err}. Check the folder and the "
            "free disk space."
        ) from err
    log.info("bundle %s written to %s", manifest.id, folder)
    return folder


def _replace_folder(staging: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(staging, folder)
        return
    retired = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(folder, retired)
    os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)


def archive_bytes(manifest: Manifest, contents: dict[str, bytes]) -> bytes:
    """The archive's bytes: the same files and ``created`` give the same bytes."""
    mtime = int(parse_timestamp(manifest.created).timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        top = tarfile.TarInfo(manifest.id)
        top.type = tarfile.DIRTYPE
        _normalise(top, mtime, 0o755)
        archive.addfile(top)
        for name in sorted(contents):
            info = tarfile.TarInfo(f"{manifest.id}/{name}")
            info.size = len(contents[name])
            _normalise(info, mtime, 0o644)
            archive.addfile(info, io.BytesIO(contents[name]))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0) as stream:
        stream.write(raw.getvalue())
    return packed.getvalue()


def _normalise(info: tarfile.TarInfo, mtime: int, mode: int) -> None:
    info.mtime = mtime
    info.mode = mode
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.pax_headers = {}


def write_archive(path: Path, manifest: Manifest, contents: dict[str, bytes]) -> None:
    """Write the archive atomically (temporary file in the same folder, then rename)."""
    data = archive_bytes(manifest, contents)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
