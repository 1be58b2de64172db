"""Read settings from the environment, refusing values that do not parse.

A typo in a production variable should stop the process at start-up with a message
naming the variable, not run with a silently different value. A variable that is
unset or empty (as `.env.example` leaves many) takes the default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a string, or the default when it is unset."""
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, at least `minimum` when one is given."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = _raw(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...]) -> str:
    """Return the variable as a URL whose scheme is one of `schemes`, or the default."""
    raw = _raw(name) or default
    if not raw:
        return ""
    scheme, sep, rest = raw.partition("://")
    if not sep or not rest or scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        # The value may carry a password, so the message names only its scheme.
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}, got {scheme + sep!r}")
    return raw
