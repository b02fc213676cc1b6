"""The gate's decision: pass, pass with warnings, or block, with readable reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    BLOCK = "block"
    WARNING = "warning"


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "pass_with_warnings"
    BLOCK = "block"


@dataclass(frozen=True)
class Reason:
    """One reason the gate gives: a stable code, where it applies, and a plain sentence.

    ``code`` is stable across versions (tests, translations and the admin review key on
    it); ``message`` is one sentence a field worker can act on.
    """

    code: str
    severity: Severity
    message: str
    unit: str | None = None
    feature: str | None = None
    source: str | None = None
    measured: str | None = None
    limit: str | None = None


@dataclass(frozen=True)
class DriftMeasure:
    """How far one feature's current inputs are from the bundle's reference."""

    feature: str
    psi: float
    ks: float
    wasserstein: float
    status: str  # "ok", "warning" or "drifted"


@dataclass(frozen=True)
class Decision:
    """The gate's answer for one forecast run: reasons for the run and for each unit."""

    run_reasons: tuple[Reason, ...] = ()
    unit_reasons: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)
    drift: tuple[DriftMeasure, ...] = ()

    @property
    def run_blocked(self) -> bool:
        return any(reason.severity is Severity.BLOCK for reason in self.run_reasons)

    def unit_blocked(self, unit: str) -> bool:
        if self.run_blocked:
            return True
        return any(
            r.severity is Severity.BLOCK for r in self.unit_reasons.get(unit, ())
        )

    def reasons_for(self, unit: str) -> tuple[Reason, ...]:
        """Run-wide reasons first, then the unit's own."""
        return self.run_reasons + tuple(self.unit_reasons.get(unit, ()))

    def unit_verdict(self, unit: str) -> Verdict:
        reasons = self.reasons_for(unit)
        if any(reason.severity is Severity.BLOCK for reason in reasons):
            return Verdict.BLOCK
        return Verdict.WARN if reasons else Verdict.PASS

    @property
    def verdict(self) -> Verdict:
        """The run's verdict: block only when the whole run is blocked."""
        if self.run_blocked:
            return Verdict.BLOCK
        if self.run_reasons or any(self.unit_reasons.values()):
            return Verdict.WARN
        return Verdict.PASS

    def all_reasons(self) -> list[Reason]:
        reasons = list(self.run_reasons)
        for unit_reasons in self.unit_reasons.values():
            reasons.extend(unit_reasons)
        return reasons
