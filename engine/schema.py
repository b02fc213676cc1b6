"""The workspace's numbered migrations; migration N leaves ``user_version`` at N."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

# A step is SQL text (statements separated by semicolons) or a function run on the
# connection, for changes SQL alone cannot make.
Step = str | Callable[[sqlite3.Connection], None]


def _pack_forecast_rows(connection: sqlite3.Connection) -> None:
    # Imported here: numpy and the summaries module are not needed to open a
    # workspace that is already up to date.
    from engine.summaries import pack_rows

    pack_rows(connection)


# Each entry is one migration (its steps in order), applied inside one transaction.
# Never edit a migration that has shipped: add a new one.
MIGRATIONS: tuple[str | Sequence[Step], ...] = (
    # 1: the foundation: units, variables, sources, ingest batches, observations.
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        code TEXT,
        unit_group TEXT,
        kind TEXT NOT NULL DEFAULT 'country',
        latitude REAL,
        longitude REAL,
        created_by_batch INTEGER REFERENCES batches(id)
    );
    CREATE TABLE unit_neighbours (
        unit_id INTEGER NOT NULL REFERENCES units(id),
        neighbour_id INTEGER NOT NULL REFERENCES units(id),
        PRIMARY KEY (unit_id, neighbour_id)
    ) WITHOUT ROWID;
    CREATE TABLE variables (
        name TEXT PRIMARY KEY,
        tag TEXT NOT NULL CHECK (tag IN ('deterministic', 'stochastic')),
        measure TEXT NOT NULL,
        is_count INTEGER NOT NULL DEFAULT 0,
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        cadence_months INTEGER NOT NULL CHECK (cadence_months > 0),
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL REFERENCES sources(name),
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        values_changed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        person TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
        reason TEXT NOT NULL DEFAULT '',
        vintage INTEGER NOT NULL,
        first_month INTEGER,
        last_month INTEGER,
        report TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX batches_source ON batches(source, sha256);
    CREATE TABLE observations (
        unit_id INTEGER NOT NULL REFERENCES units(id),
        month INTEGER NOT NULL,
        variable TEXT NOT NULL REFERENCES variables(name),
        value REAL NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        outlier INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (unit_id, variable, month)
    ) WITHOUT ROWID;
    CREATE INDEX observations_batch ON observations(batch_id);
    -- What each source covers per unit and variable, kept up to date by ingest so the
    -- gate reads staleness without scanning observations.
    CREATE TABLE coverage (
        unit_id INTEGER NOT NULL REFERENCES units(id),
        variable TEXT NOT NULL REFERENCES variables(name),
        source TEXT NOT NULL REFERENCES sources(name),
        first_month INTEGER NOT NULL,
        last_month INTEGER NOT NULL,
        PRIMARY KEY (unit_id, variable, source)
    ) WITHOUT ROWID;
    CREATE TABLE observation_revisions (
        unit_id INTEGER NOT NULL,
        month INTEGER NOT NULL,
        variable TEXT NOT NULL,
        value REAL NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        superseded_by INTEGER NOT NULL REFERENCES batches(id)
    );
    CREATE TRIGGER batches_append_only_update BEFORE UPDATE ON batches
    BEGIN SELECT RAISE(ABORT, 'ingest batches are a record and are never changed'); END;
    CREATE TRIGGER batches_append_only_delete BEFORE DELETE ON batches
    BEGIN SELECT RAISE(ABORT, 'ingest batches are a record and are never deleted'); END;
    """,
    # 2: bundles, forecast runs with their gate decisions, people, overrides, audit.
    """
    CREATE TABLE bundles (
        id TEXT PRIMARY KEY,
        model_line TEXT NOT NULL,
        release INTEGER NOT NULL,
        digest TEXT NOT NULL,
        path TEXT NOT NULL,
        created TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        manifest TEXT NOT NULL
    );
    CREATE TABLE activations (
        id INTEGER PRIMARY KEY,
        bundle_id TEXT NOT NULL REFERENCES bundles(id),
        at TEXT NOT NULL,
        person TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('activate', 'rollback')),
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE release_counters (
        model_line TEXT PRIMARY KEY,
        highest INTEGER NOT NULL
    );
    CREATE TABLE kill_switches (
        id INTEGER PRIMARY KEY,
        bundle_id TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('local', 'channel')),
        set_at TEXT NOT NULL,
        set_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        lifted_at TEXT,
        lifted_by TEXT,
        lift_reason TEXT
    );
    CREATE TABLE forecast_runs (
        id INTEGER PRIMARY KEY,
        bundle_id TEXT NOT NULL,
        bundle_digest TEXT NOT NULL,
        origin INTEGER NOT NULL,
        input_digest TEXT NOT NULL,
        code_version TEXT NOT NULL,
        parameters TEXT NOT NULL,
        horizons TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        person TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('running', 'passed', 'warned', 'blocked', 'failed')),
        units_total INTEGER NOT NULL DEFAULT 0,
        units_blocked INTEGER NOT NULL DEFAULT 0,
        data_through TEXT NOT NULL DEFAULT '{}'
    );
    -- One row per unit and run; each summary is a little-endian float32 array over
    -- the run's horizons (listed in forecast_runs.horizons), so a grid-month run
    -- stores 13,110 rows rather than 471,960.
    CREATE TABLE forecasts (
        run_id INTEGER NOT NULL REFERENCES forecast_runs(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        point BLOB NOT NULL,
        hdi50_low BLOB NOT NULL,
        hdi50_high BLOB NOT NULL,
        hdi90_low BLOB NOT NULL,
        hdi90_high BLOB NOT NULL,
        p_any BLOB NOT NULL,
        PRIMARY KEY (run_id, unit_id)
    ) WITHOUT ROWID;
    CREATE TABLE gate_reasons (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES forecast_runs(id),
        unit_id INTEGER REFERENCES units(id),
        -- The unit a reason is about, by name (also for a unit the workspace lacks).
        unit_name TEXT,
        code TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('block', 'warning')),
        feature TEXT,
        source TEXT,
        measured TEXT,
        limit_value TEXT,
        message TEXT NOT NULL
    );
    CREATE INDEX gate_reasons_run ON gate_reasons(run_id, unit_id);
    CREATE TABLE drift_measures (
        run_id INTEGER NOT NULL REFERENCES forecast_runs(id),
        feature TEXT NOT NULL,
        psi REAL NOT NULL,
        ks REAL NOT NULL,
        wasserstein REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'drifted')),
        PRIMARY KEY (run_id, feature)
    ) WITHOUT ROWID;
    CREATE TABLE people (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('field', 'supervisor')),
        pin_hash TEXT NOT NULL,
        salt TEXT NOT NULL,
        iterations INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES forecast_runs(id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        horizon INTEGER NOT NULL,
        original TEXT NOT NULL,
        value REAL NOT NULL,
        low REAL,
        high REAL,
        reason_category TEXT NOT NULL,
        justification TEXT NOT NULL,
        person TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        provenance TEXT NOT NULL
    );
    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        person TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TRIGGER overrides_append_only_update BEFORE UPDATE ON overrides
    BEGIN SELECT RAISE(ABORT, 'overrides are a record and are never changed'); END;
    CREATE TRIGGER overrides_append_only_delete BEFORE DELETE ON overrides
    BEGIN SELECT RAISE(ABORT, 'overrides are a record and are never deleted'); END;
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are a record and are never changed'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are a record and are never deleted'); END;
    """,
    # 3: each variable's observations packed per unit (engine/series.py), rebuilt from
    # observations whenever the triggers below mark a (variable, unit) stale.
    """
    CREATE TABLE series (
        variable TEXT NOT NULL,
        unit_id INTEGER NOT NULL,
        first_month INTEGER NOT NULL,
        -- Little-endian float64 from first_month on, NaN where nothing is observed.
        packed_values BLOB NOT NULL,
        PRIMARY KEY (variable, unit_id)
    );
    CREATE TABLE series_stale (
        variable TEXT NOT NULL,
        unit_id INTEGER NOT NULL,
        PRIMARY KEY (variable, unit_id)
    ) WITHOUT ROWID;
    -- A WHEN guard rather than INSERT OR IGNORE: a trigger's conflict policy gives
    -- way to the writing statement's (an upsert's ABORT), and a guard that skips the
    -- body is also the cheapest trigger per row an ingest writes.
    CREATE TRIGGER observations_stale_series_insert AFTER INSERT ON observations
    WHEN NOT EXISTS (SELECT 1 FROM series_stale
        WHERE variable = NEW.variable AND unit_id = NEW.unit_id)
    BEGIN
        INSERT INTO series_stale (variable, unit_id) VALUES (NEW.variable, NEW.unit_id);
    END;
    CREATE TRIGGER observations_stale_series_update
    AFTER UPDATE OF unit_id, month, variable, value ON observations
    BEGIN
        INSERT INTO series_stale (variable, unit_id)
        SELECT OLD.variable, OLD.unit_id WHERE NOT EXISTS (SELECT 1 FROM series_stale
            WHERE variable = OLD.variable AND unit_id = OLD.unit_id);
        INSERT INTO series_stale (variable, unit_id)
        SELECT NEW.variable, NEW.unit_id WHERE NOT EXISTS (SELECT 1 FROM series_stale
            WHERE variable = NEW.variable AND unit_id = NEW.unit_id);
    END;
    CREATE TRIGGER observations_stale_series_delete AFTER DELETE ON observations
    WHEN NOT EXISTS (SELECT 1 FROM series_stale
        WHERE variable = OLD.variable AND unit_id = OLD.unit_id)
    BEGIN
        INSERT INTO series_stale (variable, unit_id) VALUES (OLD.variable, OLD.unit_id);
    END;
    INSERT INTO series_stale (variable, unit_id)
    SELECT DISTINCT variable, unit_id FROM observations;
    """,
    # 4: a run's summaries in one row (engine/summaries.py) instead of a row per unit;
    # the rows of earlier runs are packed unchanged, then their table is dropped.
    (
        """
        CREATE TABLE forecast_sets (
            run_id INTEGER PRIMARY KEY REFERENCES forecast_runs(id),
            units INTEGER NOT NULL,
            horizons INTEGER NOT NULL,
            -- Little-endian int64 unit ids, ascending; each summary below holds
            -- little-endian float32 [units, horizons] in the same row order.
            unit_ids BLOB NOT NULL,
            point BLOB NOT NULL,
            hdi50_low BLOB NOT NULL,
            hdi50_high BLOB NOT NULL,
            hdi90_low BLOB NOT NULL,
            hdi90_high BLOB NOT NULL,
            p_any BLOB NOT NULL
        );
        """,
        _pack_forecast_rows,
        "DROP TABLE forecasts;",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
