"""Local people and sign-in: who is at the keyboard, so every record carries a person.

A person has a name, a role (``field`` or ``supervisor``) and a PIN. The PIN is never
stored: only a salted scrypt hash (``hashlib.scrypt`` with n=2**15, r=8, p=3, a 16-byte
random salt and a 32-byte key; one of OWASP's equivalent scrypt settings, about 32 MiB
and a third of a second per hash). Its parameters travel inside the stored hash, so
they can be raised later and old hashes still verify (and are upgraded at the next
sign-in).

A short PIN cannot withstand someone who copies the database and tries every
combination, whatever the hash; the sign-in is for accountability on a shared device
(who recorded what), not a vault. What it does guard is guessing at the keyboard:
each failed attempt is written to ``audit_events`` and, after a few in a row, the next
attempt must wait, longer each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.errors import AuthError
from engine.workspace import Workspace, parse_timestamp, timestamp, utc_now

log = logging.getLogger(__name__)


class Role(StrEnum):
    FIELD = "field"
    SUPERVISOR = "supervisor"


ROLE_LABELS = {Role.FIELD: "field staff", Role.SUPERVISOR: "supervisor"}

# scrypt cost: n (CPU and memory), r (block size), p (parallel lanes).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 3
SALT_BYTES = 16
KEY_BYTES = 32
_SCRYPT_MAXMEM = 256 * 1024 * 1024

MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 12
MAX_NAME_LENGTH = 60

# Failed sign-ins allowed in a row before each further attempt must wait; the wait
# doubles with every further failure, up to the ceiling.
FREE_ATTEMPTS = 3
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60

# PINs that a person nearby would try first, besides the patterns caught by rule.
_COMMON_PINS = frozenset(
    {"1004", "2000", "2580", "0852", "1122", "6969", "1313", "4444", "1010", "7777"}
)

AUDIT_ADDED = "person_added"
AUDIT_SIGNED_IN = "sign_in"
AUDIT_SIGN_IN_FAILED = "sign_in_failed"
AUDIT_PIN_CHANGED = "pin_changed"


@dataclass(frozen=True)
class Person:
    """Someone signed in on this device: the name and role every record carries."""

    name: str
    role: Role

    @property
    def is_supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class PinRuleError(AuthError):
    """A new PIN does not follow the rules; ``rule`` names which one.

    ``rule`` is one of ``digits``, ``short``, ``long`` or ``trivial``, so the desktop
    can show the message in the person's language.
    """

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class WrongPinError(AuthError):
    """The name and PIN given do not match a person on this device."""


class RoleRefusedError(AuthError):
    """The signed-in person's role does not allow the action."""


class SignInThrottledError(AuthError):
    """Too many failed sign-ins in a row: the next attempt must wait."""

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


# PIN rules ---------------------------------------------------------------------------


def check_pin(pin: str) -> None:
    """Refuse a PIN that is too short, not all digits, or easy to guess."""
    if not pin.isascii() or not pin.isdigit():
        raise PinRuleError("A PIN is made of digits only (0 to 9).", "digits")
    if len(pin) < MIN_PIN_DIGITS:
        raise PinRuleError(f"A PIN needs at least {MIN_PIN_DIGITS} digits.", "short")
    if len(pin) > MAX_PIN_DIGITS:
        raise PinRuleError(f"A PIN has at most {MAX_PIN_DIGITS} digits.", "long")
    if _is_trivial(pin):
        raise PinRuleError(
            "That PIN is too easy to guess (a repeated digit, a run like 1234, or a "
            "common pattern). Choose another.",
            "trivial",
        )


def _is_trivial(pin: str) -> bool:
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    if steps in ({0}, {1}, {-1}):  # 0000, 1234, 9876
        return True
    if len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2):  # 1212, 474747
        return True
    half = len(pin) // 2
    if len(pin) % 2 == 0 and pin[:half] == pin[half:][::-1] and len(set(pin)) <= 2:
        return True  # 1221, 9009
    return pin in _COMMON_PINS


# Hashing -----------------------------------------------------------------------------


def hash_pin(pin: str, salt: bytes | None = None) -> tuple[str, str]:
    """A self-describing scrypt hash of ``pin`` and its salt, both as text."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encoded = f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${key.hex()}"
    return encoded, salt.hex()


def verify_pin(pin: str, pin_hash: str, salt_hex: str) -> bool:
    """True if ``pin`` gives ``pin_hash``; compared in constant time."""
    try:
        scheme, parameters, expected_hex = pin_hash.split("$")
        if scheme != "scrypt":
            return False
        cost = dict(item.split("=") for item in parameters.split(","))
        expected = bytes.fromhex(expected_hex)
        salt = bytes.fromhex(salt_hex)
        key = _scrypt(pin, salt, int(cost["n"]), int(cost["r"]), int(cost["p"]))
    except (ValueError, KeyError) as err:
        log.warning("a stored PIN hash could not be read: %s", err)
        return False
    return hmac.compare_digest(key, expected)


def _needs_rehash(pin_hash: str) -> bool:
    return not pin_hash.startswith(f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}$")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=_SCRYPT_MAXMEM,
        dklen=KEY_BYTES,
    )


# People ------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AuthError("Enter a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise AuthError(f"A name has at most {MAX_NAME_LENGTH} characters.")
    if not cleaned.isprintable():
        raise AuthError("A name cannot hold control characters.")
    return cleaned


def _role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError as err:
        raise AuthError(
            f"'{role}' is not a role; a person is 'field' or 'supervisor'."
        ) from err


def add_person(
    workspace: Workspace,
    name: str,
    role: str | Role,
    pin: str,
    *,
    added_by: Person | None = None,
) -> Person:
    """Add a person who may sign in on this device.

    The first person on a device may be added by nobody (first-run setup) and must
    be a supervisor; after that, only a signed-in supervisor adds people.
    """
    name = _clean_name(name)
    role = _role(role)
    check_pin(pin)

    first = not has_people(workspace)
    if first and role is not Role.SUPERVISOR:
        raise AuthError(
            "The first person on this device is its supervisor; add a supervisor first."
        )
    if not first:
        if added_by is None:
            raise AuthError("Sign in as a supervisor to add a person.")
        require_role(added_by, Role.SUPERVISOR, "add a person")
    if _person_row(workspace, name) is not None:
        raise AuthError(f"There is already a person called {name} on this device.")

    pin_hash, salt = hash_pin(pin)
    with workspace.atomic():
        workspace.db.execute(
            "INSERT INTO people (name, role, pin_hash, salt, iterations, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, role.value, pin_hash, salt, SCRYPT_N, timestamp()),
        )
        workspace.record_audit(
            AUDIT_ADDED,
            added_by.name if added_by else name,
            {"name": name, "role": role.value, "first_person": first},
        )
    log.info("person %s added as %s", name, role.value)
    return Person(name, role)


def has_people(workspace: Workspace) -> bool:
    """True once anyone can sign in on this device."""
    return bool(workspace.scalar("SELECT EXISTS (SELECT 1 FROM people)"))


def list_people(workspace: Workspace) -> list[Person]:
    """Everyone who may sign in, by name."""
    rows = workspace.query("SELECT name, role FROM people ORDER BY name COLLATE NOCASE")
    return [Person(str(row["name"]), Role(row["role"])) for row in rows]


def find_person(workspace: Workspace, name: str) -> Person | None:
    """The person of that name, or None."""
    row = _person_row(workspace, " ".join(name.split()))
    return None if row is None else Person(str(row["name"]), Role(row["role"]))


def _person_row(workspace: Workspace, name: str) -> dict[str, Any] | None:
    rows = workspace.query(
        "SELECT name, role, pin_hash, salt FROM people WHERE name = ? COLLATE NOCASE",
        (name,),
    )
    return rows[0] if rows else None


def change_pin(
    workspace: Workspace, person: Person, old_pin: str, new_pin: str
) -> None:
    """Replace a person's PIN after checking the old one."""
    sign_in(workspace, person.name, old_pin)
    check_pin(new_pin)
    pin_hash, salt = hash_pin(new_pin)
    with workspace.atomic():
        _store_hash(workspace, person.name, pin_hash, salt)
        workspace.record_audit(AUDIT_PIN_CHANGED, person.name, {"name": person.name})


def _store_hash(workspace: Workspace, name: str, pin_hash: str, salt: str) -> None:
    workspace.db.execute(
        "UPDATE people SET pin_hash = ?, salt = ?, iterations = ? WHERE name = ?",
        (pin_hash, salt, SCRYPT_N, name),
    )


# Signing in --------------------------------------------------------------------------


def sign_in(
    workspace: Workspace, name: str, pin: str, *, now: dt.datetime | None = None
) -> Person:
    """The person whose name and PIN these are; AuthError otherwise.

    Failed attempts are recorded in ``audit_events``; after ``FREE_ATTEMPTS`` failures
    in a row for a name, an attempt made too soon is refused without checking the PIN
    (``SignInThrottledError`` says how long to wait).
    """
    now = now or utc_now()
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AuthError("Enter your name.")
    row = _person_row(workspace, cleaned)
    audit_name = str(row["name"]) if row else cleaned

    wait = seconds_to_wait(workspace, audit_name, now=now)
    if wait > 0:
        raise SignInThrottledError(
            f"Too many wrong PINs for {audit_name}. Wait {_duration(wait)} and try "
            "again, or ask your supervisor.",
            wait,
        )

    if row is None:
        # Spend the same time as a real check so a name's existence does not show.
        hash_pin(pin or "0")
        ok = False
    else:
        ok = verify_pin(pin, str(row["pin_hash"]), str(row["salt"]))
    if not ok:
        with workspace.atomic():
            workspace.record_audit(
                AUDIT_SIGN_IN_FAILED,
                audit_name,
                {"known_name": row is not None, "at": timestamp(now)},
            )
        log.info("failed sign-in for %s", audit_name)
        raise WrongPinError("That name and PIN do not match. Check them and try again.")

    person = Person(str(row["name"]), Role(row["role"]))  # type: ignore[index]
    with workspace.atomic():
        if _needs_rehash(str(row["pin_hash"])):  # type: ignore[index]
            _store_hash(workspace, person.name, *hash_pin(pin))
        workspace.record_audit(
            AUDIT_SIGNED_IN, person.name, {"role": person.role.value}
        )
    log.info("%s signed in as %s", person.name, person.role.value)
    return person


def seconds_to_wait(
    workspace: Workspace, name: str, *, now: dt.datetime | None = None
) -> int:
    """How long the next sign-in for ``name`` must wait (0: it may try now)."""
    now = now or utc_now()
    failures = _failures_in_a_row(workspace, name)
    if len(failures) < FREE_ATTEMPTS:
        return 0
    wait = min(
        FIRST_WAIT_SECONDS * 2 ** (len(failures) - FREE_ATTEMPTS),
        LONGEST_WAIT_SECONDS,
    )
    remaining = (failures[0] + dt.timedelta(seconds=wait) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def _failures_in_a_row(workspace: Workspace, name: str) -> list[dt.datetime]:
    """Times of the failures since the last success, newest first."""
    rows = workspace.query(
        "SELECT kind, detail, at FROM audit_events "
        "WHERE person = ? COLLATE NOCASE AND kind IN (?, ?) ORDER BY id DESC LIMIT 64",
        (name, AUDIT_SIGNED_IN, AUDIT_SIGN_IN_FAILED),
    )
    failures: list[dt.datetime] = []
    for row in rows:
        if row["kind"] == AUDIT_SIGNED_IN:
            break
        detail = json.loads(row["detail"])
        failures.append(parse_timestamp(str(detail.get("at") or row["at"])))
    return failures


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = (seconds + 59) // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


# Roles -------------------------------------------------------------------------------


def require_role(
    person: Person | None, role: str | Role, action: str = "do this"
) -> Person:
    """``person`` if they hold ``role``; AuthError with a calm message otherwise."""
    wanted = _role(role)
    if person is None:
        raise AuthError(f"Sign in to {action}.")
    if wanted is Role.SUPERVISOR and person.role is not Role.SUPERVISOR:
        raise RoleRefusedError(
            f"Only a supervisor can {action}. You are signed in as {person.name} "
            f"({person.role_label}); ask your supervisor."
        )
    return person
