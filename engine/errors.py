"""The engine's exception tree: each error says what a field worker can do."""


class FieldcastError(Exception):
    """Root of every error fieldcast raises on purpose."""


class WorkspaceError(FieldcastError):
    """The workspace cannot be opened or written as asked."""


class SchemaTooNewError(WorkspaceError):
    """Written by a newer fieldcast: the workspace is refused, never half-opened."""


class IngestError(FieldcastError):
    """A data file was rejected; the workspace is unchanged."""


class MappingError(IngestError):
    """A column mapping file is malformed or does not fit the data file."""


class BundleError(FieldcastError):
    """A model bundle is malformed, tampered with or cannot be run."""


class BuildError(FieldcastError):
    """A bundle could not be built from the workspace and configuration."""


class GateError(FieldcastError):
    """The gate could not reach a decision (not the same as a block)."""


class ForecastError(FieldcastError):
    """A forecast run could not be carried out."""


class ForecastBlockedError(ForecastError):
    """The gate blocked the whole forecast run; its reasons are stored with the run."""


class AuthError(FieldcastError):
    """Sign-in failed, or the person's role does not allow the action."""
