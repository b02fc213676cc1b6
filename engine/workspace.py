"""The workspace store: one SQLite database and a bundle folder on one machine.

A ``Workspace`` owns one connection and is used from one thread at a time (the desktop
runs all workspace work on one serial executor). Every multi-step write goes through
``atomic()``; the schema only moves forward through numbered migrations, and a database
written by a newer fieldcast is refused before anything is read or written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import SchemaTooNewError, WorkspaceError
from engine.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

DATABASE_NAME = "workspace.sqlite"
BUNDLE_FOLDER = "bundles"


def utc_now() -> dt.datetime:
    """The device clock in UTC (the gate judges it against the time floor)."""
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime | None = None) -> str:
    """ISO 8601 text in UTC, to the second, as every table stores times."""
    moment = moment or utc_now()
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def parse_timestamp(text: str) -> dt.datetime:
    """A timezone-aware datetime from stored ISO 8601 text."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


class Workspace:
    """One workspace folder: ``workspace.sqlite`` and ``bundles/``."""

    def __init__(self, folder: Path, db: sqlite_utils.Database) -> None:
        self.folder = folder
        self.db = db

    # Opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path | str, *, create: bool = True) -> Workspace:
        """Open the workspace in ``folder``, creating and migrating it as needed."""
        folder = Path(folder).expanduser()
        database = folder / DATABASE_NAME
        if not database.exists() and not create:
            raise WorkspaceError(
                f"There is no workspace at {folder}. Run 'fieldcast demo' or "
                "'fieldcast ingest' to create one, or pick another folder."
            )
        if folder.exists() and not folder.is_dir():
            raise WorkspaceError(f"{folder} is a file, not a workspace folder.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / BUNDLE_FOLDER).mkdir(exist_ok=True)
            connection = sqlite3.connect(
                database, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as err:
            raise WorkspaceError(
                f"Cannot open the workspace at {folder}: {err}. Check that the folder "
                "exists and that you may write to it."
            ) from err

        try:
            version = _check_version(connection, database)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 5000")
            if version < SCHEMA_VERSION:
                connection.execute("PRAGMA journal_mode = WAL")
            # sqlite-utils imports pandas (about half a second): imported here, on
            # the thread that opens the workspace, so the window can paint first.
            import sqlite_utils

            db = sqlite_utils.Database(connection)
            workspace = cls(folder, db)
            workspace._migrate(version)
        except sqlite3.DatabaseError as err:
            connection.close()
            raise WorkspaceError(
                f"{database} is not a readable workspace database ({err}). Restore it "
                "from a backup or start a new workspace in another folder."
            ) from err
        except BaseException:
            connection.close()
            raise
        log.debug("opened workspace %s at schema %s", folder, SCHEMA_VERSION)
        return workspace

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def database_path(self) -> Path:
        return self.folder / DATABASE_NAME

    @property
    def bundle_folder(self) -> Path:
        return self.folder / BUNDLE_FOLDER

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, version: int) -> None:
        for number in range(version + 1, SCHEMA_VERSION + 1):
            # executescript would commit on its own; run statements one by one inside
            # our own transaction so a failed migration leaves the old schema intact.
            migration = MIGRATIONS[number - 1]
            steps = (migration,) if isinstance(migration, str) else migration
            with self.atomic():
                for step in steps:
                    if isinstance(step, str):
                        for statement in _statements(step):
                            self.db.execute(statement)
                    else:
                        step(self.db.conn)
                self.db.execute(f"PRAGMA user_version = {number}")
            log.info("workspace %s migrated to schema %s", self.folder, number)

    # Transactions and small helpers -----------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Workspace]:
        """One transaction; nested blocks are savepoints. Rolls back on any error."""
        with self.db.atomic():
            yield self

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def record_audit(self, kind: str, person: str, detail: dict[str, Any]) -> None:
        """Append one audit event (append-only: the table refuses changes)."""
        self.db.execute(
            "INSERT INTO audit_events (at, person, kind, detail) VALUES (?, ?, ?, ?)",
            (timestamp(), person, kind, json.dumps(detail, sort_keys=True)),
        )

    # The time floor -------------------------------------------------------------------

    def time_floor(self) -> dt.datetime | None:
        """The latest trustworthy time this device has seen, or None."""
        text = self.get_meta("time_floor")
        return None if text is None else parse_timestamp(text)

    def raise_time_floor(self, moment: dt.datetime, why: str) -> bool:
        """Move the time floor up to ``moment`` (never down); True if it moved."""
        current = self.time_floor()
        if current is not None and moment <= current:
            return False
        with self.atomic():
            self.set_meta("time_floor", timestamp(moment))
            self.set_meta("time_floor_reason", why)
        log.debug("time floor raised to %s (%s)", moment, why)
        return True

    # Units ---------------------------------------------------------------------------

    def unit_ids(self) -> dict[str, int]:
        """Every unit's id by name."""
        # Names are TEXT NOT NULL and ids INTEGER PRIMARY KEY: rows come as (str, int).
        return dict(self.db.conn.execute("SELECT name, id FROM units"))


def _check_version(connection: sqlite3.Connection, database: Path) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"The workspace {database} was written by a newer fieldcast (schema "
            f"{version}; this one knows up to {SCHEMA_VERSION}). Update fieldcast "
            "before opening it; it was left untouched."
        )
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
