"""A workspace's bundle registry and kill-switches: import, activate, roll back, revoke.

Bundles live in ``workspace.bundle_folder/<id>``, copied there only after they verify,
and are recorded in the ``bundles`` table. The active bundle is the one the latest
activation names; a rollback returns to the bundle that was active before the current
one. Release counters per model line only grow: a bundle older than one already seen
is refused at import. Kill-switches block a bundle at once (the gate reads them) until
lifted; one set through the signed channel cannot be lifted locally. Every action is
written to ``audit_events`` in the same transaction as its effect. Importing a bundle
raises the workspace's time floor to the bundle's creation time.

Roles are checked by the caller (the desktop asks for a supervisor); this module
records who acted. Like the workspace, it is used from one thread at a time.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import gate
from engine.bundle import Bundle, opened
from engine.errors import BundleError, GateError
from engine.workspace import Workspace, parse_timestamp, timestamp

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
KILL_SWITCH_ORIGINS = ("local", "channel")


@dataclass(frozen=True)
class BundleRecord:
    """One imported bundle as the registry holds it."""

    id: str
    model_line: str
    release: int
    digest: str
    path: str
    created: str
    valid_from: str
    valid_until: str
    imported_at: str
    imported_by: str


@dataclass(frozen=True)
class KillSwitch:
    """One revocation of a bundle, lifted or not."""

    id: int
    bundle_id: str
    origin: str
    set_at: str
    set_by: str
    reason: str
    lifted_at: str | None
    lifted_by: str | None
    lift_reason: str | None


@dataclass(frozen=True)
class ImportResult:
    """What ``import_bundle`` did: the stored bundle, and whether it was new."""

    bundle: Bundle
    imported: bool  # False when this exact bundle was already in the workspace


# Reading the registry ---------------------------------------------------------------


def list_bundles(workspace: Workspace) -> list[BundleRecord]:
    """Every imported bundle, oldest import first."""
    rows = workspace.query(
        "SELECT id, model_line, release, digest, path, created, valid_from, "
        "valid_until, imported_at, imported_by FROM bundles ORDER BY rowid"
    )
    return [BundleRecord(**row) for row in rows]


def bundle_record(workspace: Workspace, bundle_id: str) -> BundleRecord | None:
    for record in list_bundles(workspace):
        if record.id == bundle_id:
            return record
    return None


def highest_release(workspace: Workspace, model_line: str) -> int | None:
    """The highest release counter this workspace has seen for a model line."""
    value = workspace.scalar(
        "SELECT highest FROM release_counters WHERE model_line = ?", (model_line,)
    )
    return None if value is None else int(value)


def _activation_stack(workspace: Workspace) -> list[str]:
    """Replay activations: activate pushes a bundle, rollback pops back to the last."""
    stack: list[str] = []
    for row in workspace.query("SELECT bundle_id, action FROM activations ORDER BY id"):
        if row["action"] == "rollback" and stack:
            stack.pop()
            if not stack or stack[-1] != row["bundle_id"]:
                stack.append(row["bundle_id"])
        elif not stack or stack[-1] != row["bundle_id"]:
            stack.append(row["bundle_id"])
    return stack


def active_bundle_id(workspace: Workspace) -> str | None:
    stack = _activation_stack(workspace)
    return stack[-1] if stack else None


def active_bundle(workspace: Workspace) -> Bundle | None:
    """The active bundle, opened and verified; None when none was ever activated.

    A bundle whose files changed on disk raises BundleError (the gate would block it
    too; here the caller learns it before a run).
    """
    bundle_id = active_bundle_id(workspace)
    return None if bundle_id is None else open_stored(workspace, bundle_id)


def open_stored(workspace: Workspace, bundle_id: str) -> Bundle:
    """An imported bundle, opened from the workspace's bundle folder and verified."""
    record = bundle_record(workspace, bundle_id)
    if record is None:
        raise BundleError(
            f"There is no bundle {bundle_id} in this workspace; import it first "
            "with 'fieldcast bundle import'."
        )
    return Bundle.open(workspace.folder / record.path)


def kill_switches(
    workspace: Workspace, bundle_id: str | None = None
) -> list[KillSwitch]:
    """Kill-switches, newest first; of one bundle when ``bundle_id`` is given."""
    sql = (
        "SELECT id, bundle_id, origin, set_at, set_by, reason, lifted_at, lifted_by, "
        "lift_reason FROM kill_switches"
    )
    params: tuple[str, ...] = ()
    if bundle_id is not None:
        sql += " WHERE bundle_id = ?"
        params = (bundle_id,)
    return [
        KillSwitch(**row) for row in workspace.query(sql + " ORDER BY id DESC", params)
    ]


def revocation(workspace: Workspace, bundle_id: str) -> str | None:
    """The reason of the newest kill-switch in force for a bundle, else None."""
    for switch in kill_switches(workspace, bundle_id):
        if switch.lifted_at is None:
            return switch.reason
    return None


def bundle_status(
    workspace: Workspace,
    bundle: Bundle,
    *,
    file_problems: Sequence[str] | None = None,
) -> gate.BundleStatus:
    """What the gate needs to know about a bundle beyond its manifest.

    ``highest_release_seen`` is, for an imported bundle, the highest release of its
    line imported before it (import refuses lower ones, so only a tampered registry
    trips it); for a bundle opened from elsewhere, the line's current counter.
    The bundle's files are checked on disk again here unless the caller has just
    done so and passes what it found as ``file_problems``.
    """
    manifest = bundle.manifest
    problems: list[str] = []
    if file_problems is None:
        try:
            bundle.verify()
        except BundleError as err:
            problems.append(str(err))
    else:
        problems.extend(file_problems)

    record = bundle_record(workspace, bundle.id)
    if record is not None and record.digest != bundle.digest:
        problems.append(
            f"its manifest differs from the one imported on {record.imported_at}"
        )
    if record is not None:
        value = workspace.scalar(
            "SELECT MAX(release) FROM bundles WHERE model_line = ? AND rowid < "
            "(SELECT rowid FROM bundles WHERE id = ?)",
            (manifest.model_line, bundle.id),
        )
        highest = None if value is None else int(value)
    else:
        highest = highest_release(workspace, manifest.model_line)
    return gate.BundleStatus(
        revoked=revocation(workspace, bundle.id),
        files_intact=not problems,
        highest_release_seen=highest,
        problems=tuple(problems),
    )


# Import -------------------------------------------------------------------------------


def import_bundle(
    workspace: Workspace, source: Path | str, person: str
) -> ImportResult:
    """Verify a bundle folder or archive and copy it into the workspace.

    Refused (BundleError, workspace unchanged) when it does not verify, when its
    release is not above the highest already seen for its model line, or when another
    bundle with its id is already imported. Importing the identical bundle again
    changes nothing and says so through ``ImportResult.imported``.
    """
    with opened(source) as candidate:
        manifest = candidate.manifest
        if not _SAFE_ID.match(manifest.id):
            raise BundleError(
                f"The bundle's id '{manifest.id}' is not a plain name (letters, "
                "digits, '.', '_' or '-'); the bundle is refused."
            )
        existing = bundle_record(workspace, manifest.id)
        if existing is not None:
            if existing.digest == candidate.digest:
                log.info("bundle %s was already imported", manifest.id)
                return ImportResult(open_stored(workspace, manifest.id), False)
            raise BundleError(
                f"Another bundle with the id {manifest.id} is already imported and "
                "differs from this one; the bundle is refused. Ask the regional "
                "office which one is genuine."
            )
        highest = highest_release(workspace, manifest.model_line)
        if highest is not None and manifest.release <= highest:
            older = "older than" if manifest.release < highest else "the same as"
            raise BundleError(
                f"Bundle {manifest.id} is release {manifest.release} of "
                f"'{manifest.model_line}', {older} release {highest} already seen on "
                "this device; fieldcast never goes back to an older release. Import "
                f"a release above {highest}."
            )
        try:
            created = parse_timestamp(manifest.created)
        except ValueError as err:
            raise BundleError(
                f"Bundle {manifest.id} states its creation time as "
                f"'{manifest.created}', which fieldcast cannot read; the bundle is "
                "refused."
            ) from err

        target = workspace.bundle_folder / manifest.id
        _copy_verified(candidate, target)

    relative = target.relative_to(workspace.folder).as_posix()
    try:
        with workspace.atomic():
            workspace.db.execute(
                "INSERT INTO bundles (id, model_line, release, digest, path, created, "
                "valid_from, valid_until, imported_at, imported_by, manifest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    manifest.id,
                    manifest.model_line,
                    manifest.release,
                    candidate.digest,
                    relative,
                    manifest.created,
                    manifest.valid_from,
                    manifest.valid_until,
                    timestamp(),
                    person,
                    manifest.to_json_bytes().decode("utf-8"),
                ),
            )
            _raise_counter(workspace, manifest.model_line, manifest.release)
            workspace.raise_time_floor(created, f"bundle {manifest.id} created")
            workspace.record_audit(
                "bundle_imported",
                person,
                {
                    "bundle": manifest.id,
                    "model_line": manifest.model_line,
                    "release": manifest.release,
                    "digest": candidate.digest,
                    "source": str(source),
                },
            )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    log.info("imported bundle %s by %s", manifest.id, person)
    return ImportResult(Bundle.open(target), True)


def _copy_verified(candidate: Bundle, target: Path) -> None:
    """Copy a verified bundle folder into place atomically, and verify the copy."""
    if target.exists():
        # Not in the registry (checked before), so left over from an interrupted
        # import: it is ours to replace.
        log.warning("removing unregistered leftover bundle folder %s", target)
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent)
    )
    try:
        copy = scratch / "bundle"
        shutil.copytree(candidate.folder, copy, symlinks=True)
        if Bundle.open(copy).digest != candidate.digest:
            raise BundleError(
                "The bundle changed while it was being copied; try again."
            )
        copy.replace(target)
    except OSError as err:
        raise BundleError(
            f"Could not copy the bundle into the workspace ({err}); check the free "
            "disk space and that you may write to the workspace folder."
        ) from err
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _raise_counter(workspace: Workspace, model_line: str, release: int) -> None:
    workspace.db.execute(
        "INSERT INTO release_counters (model_line, highest) VALUES (?, ?) "
        "ON CONFLICT(model_line) DO UPDATE "
        "SET highest = MAX(highest, excluded.highest)",
        (model_line, release),
    )


def raise_release_counter(
    workspace: Workspace, model_line: str, release: int, person: str, why: str
) -> None:
    """Record a release seen elsewhere (the signed channel); counters never go down."""
    with workspace.atomic():
        _raise_counter(workspace, model_line, release)
        workspace.record_audit(
            "release_counter_raised",
            person,
            {"model_line": model_line, "release": release, "why": why},
        )


# Activation and rollback -------------------------------------------------------------


def activate(workspace: Workspace, bundle_id: str, person: str) -> Bundle:
    """Make an imported bundle active, once it verifies and passes the self-test.

    Refused when the bundle is revoked, its files changed, or the gate's self-test
    fails on its input spec. Activating the bundle that is already active changes
    nothing.
    """
    bundle = open_stored(workspace, bundle_id)
    _require_usable(workspace, bundle)
    if active_bundle_id(workspace) == bundle_id:
        log.info("bundle %s is already active", bundle_id)
        return bundle
    with workspace.atomic():
        workspace.db.execute(
            "INSERT INTO activations (bundle_id, at, person, action, reason) "
            "VALUES (?, ?, ?, 'activate', '')",
            (bundle_id, timestamp(), person),
        )
        workspace.record_audit(
            "bundle_activated",
            person,
            {"bundle": bundle_id, "digest": bundle.digest},
        )
    log.info("bundle %s activated by %s", bundle_id, person)
    return bundle


def rollback(workspace: Workspace, person: str, reason: str) -> Bundle:
    """Return to the bundle that was active before the current one (a supervisor's act).

    The earlier bundle may carry a lower release of the same line: a deliberate,
    recorded rollback is allowed where an incoming older release is not.
    """
    reason = reason.strip()
    if not reason:
        raise GateError("Say why you roll back; the reason is recorded.")
    stack = _activation_stack(workspace)
    if len(stack) < 2:
        raise BundleError(
            "There is no earlier bundle to roll back to on this device; import and "
            "activate the bundle you need instead."
        )
    current, previous = stack[-1], stack[-2]
    bundle = open_stored(workspace, previous)
    _require_usable(workspace, bundle)
    with workspace.atomic():
        workspace.db.execute(
            "INSERT INTO activations (bundle_id, at, person, action, reason) "
            "VALUES (?, ?, ?, 'rollback', ?)",
            (previous, timestamp(), person, reason),
        )
        workspace.record_audit(
            "bundle_rolled_back",
            person,
            {"from": current, "to": previous, "reason": reason},
        )
    log.info("rolled back from %s to %s by %s", current, previous, person)
    return bundle


def _require_usable(workspace: Workspace, bundle: Bundle) -> None:
    revoked = revocation(workspace, bundle.id)
    if revoked is not None:
        raise BundleError(
            f"Bundle {bundle.id} is withdrawn ({revoked}); it cannot be made active. "
            "A supervisor can lift the kill-switch if it was set in error."
        )
    failures = gate.self_test(bundle.manifest.input_spec)
    if failures:
        raise GateError(
            f"The gate's self-test failed for bundle {bundle.id}, so it is not made "
            f"active: {failures[0].message}"
        )


# Kill-switches ------------------------------------------------------------------------


def set_kill_switch(
    workspace: Workspace,
    bundle_id: str,
    person: str,
    reason: str,
    origin: str = "local",
) -> int:
    """Revoke a bundle at once; returns the kill-switch's id.

    The bundle need not be imported yet: a revocation may arrive before the bundle
    does. Setting it again while one is in force keeps the one in force.
    """
    reason = reason.strip()
    if not reason:
        raise GateError("Say why the bundle is withdrawn; the reason is recorded.")
    if origin not in KILL_SWITCH_ORIGINS:
        raise ValueError(f"origin must be one of {KILL_SWITCH_ORIGINS}, not {origin!r}")
    for switch in kill_switches(workspace, bundle_id):
        if switch.lifted_at is None and switch.origin == origin:
            log.info("bundle %s is already revoked (%s)", bundle_id, switch.reason)
            return switch.id
    with workspace.atomic():
        switch_id = workspace.db.execute(
            "INSERT INTO kill_switches (bundle_id, origin, set_at, set_by, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            (bundle_id, origin, timestamp(), person, reason),
        ).lastrowid
        workspace.record_audit(
            "kill_switch_set",
            person,
            {"bundle": bundle_id, "origin": origin, "reason": reason},
        )
    log.info("kill-switch set on %s by %s (%s)", bundle_id, person, origin)
    return int(switch_id or 0)


def lift_kill_switch(
    workspace: Workspace,
    bundle_id: str,
    person: str,
    reason: str,
    origin: str = "local",
) -> int:
    """Lift the kill-switches of one origin in force for a bundle; returns how many.

    Only local kill-switches can be lifted on the device; a channel revocation is
    lifted through the channel (``origin='channel'``, by the sync layer).
    """
    reason = reason.strip()
    if not reason:
        raise GateError("Say why the kill-switch is lifted; the reason is recorded.")
    in_force = [
        switch
        for switch in kill_switches(workspace, bundle_id)
        if switch.lifted_at is None and switch.origin == origin
    ]
    if not in_force:
        others = [s for s in kill_switches(workspace, bundle_id) if s.lifted_at is None]
        if others:
            raise GateError(
                f"Bundle {bundle_id} was withdrawn through the signed channel; only "
                "the regional office can lift that."
            )
        raise GateError(f"Bundle {bundle_id} is not withdrawn on this device.")
    now = timestamp()
    with workspace.atomic():
        for switch in in_force:
            workspace.db.execute(
                "UPDATE kill_switches SET lifted_at = ?, lifted_by = ?, "
                "lift_reason = ? WHERE id = ?",
                (now, person, reason, switch.id),
            )
        workspace.record_audit(
            "kill_switch_lifted",
            person,
            {"bundle": bundle_id, "origin": origin, "reason": reason},
        )
    log.info("kill-switch lifted on %s by %s", bundle_id, person)
    return len(in_force)
