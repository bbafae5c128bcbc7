"""The service's settings: a frozen dataclass, from arguments or ``GOSPLAN_SERVICE_*`` variables.

Every field of :class:`Settings` can be set from the environment: the variable is
``GOSPLAN_SERVICE_`` followed by the field's name in capitals (``GOSPLAN_SERVICE_DATABASE_URL``,
``GOSPLAN_SERVICE_MAX_PAGE_SIZE``, ...). :data:`NAME_LENGTH` and :data:`MAX_ID` are fixed
bounds (the database columns and the path parameters are built with them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Any

from gosplan.errors import InputError

__all__ = [
    "ENV_PREFIX",
    "MAX_ID",
    "NAME_LENGTH",
    "PAGE_SIZE_CEILING",
    "STRING_LENGTH_CEILING",
    "Settings",
    "active_settings",
]

#: Prefix of the environment variables read by :meth:`Settings.from_env`.
ENV_PREFIX = "GOSPLAN_SERVICE_"
#: Longest name or label (user, enterprise, product, plan name), in characters.
NAME_LENGTH = 100
#: The largest id accepted anywhere (ids are 32-bit signed integers in both databases).
MAX_ID = 2**31 - 1
#: No setting may raise the longest accepted free-text string above this.
STRING_LENGTH_CEILING = 100_000
#: The largest page any list may be set to return (the schema's bound of ``limit``).
PAGE_SIZE_CEILING = 200


@dataclass(frozen=True)
class Settings:
    """How one service instance runs.

    Attributes
    ----------
    database_url
        A SQLAlchemy URL: ``sqlite:///path`` (the default, a file in the working folder) or
        ``postgresql+psycopg://user@host/db``.
    token_lifetime_s
        How long a login token stays valid, in seconds.
    argon2_time_cost, argon2_memory_kib, argon2_parallelism
        The argon2id cost parameters of password hashes (see :meth:`cheap_hashing` for tests).
    max_body_bytes
        The largest request body accepted (413 above it).
    max_string_length
        The longest free-text string accepted in a request (at most
        :data:`STRING_LENGTH_CEILING`; names and labels are bounded by :data:`NAME_LENGTH`).
    max_page_size
        The largest page a list endpoint returns.
    login_rate_limit
        Login attempts per minute, per user name and per client (429 above it).
    submission_rate_limit
        Submissions (counter-plans, reports, votes) per minute and user (429 above it).
    job_workers
        Worker processes for long computations (0: the app runs none; queued jobs wait for
        :func:`gosplan_service.jobs.run_pending`, as in the tests).
    max_concurrent_requests
        Requests inside the application at once; the rest wait their turn in the event loop
        (:mod:`gosplan_service.admission`), never in a worker thread. PostgreSQL's connection
        pool is sized to it.
    cookie_secure
        Mark the session cookie ``Secure`` (set it behind HTTPS).
    """

    database_url: str = "sqlite:///./gosplan-service.db"
    token_lifetime_s: int = 8 * 3600
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    max_body_bytes: int = 1024 * 1024
    max_string_length: int = 10_000
    max_page_size: int = 200
    login_rate_limit: int = 10
    submission_rate_limit: int = 30
    job_workers: int = 2
    max_concurrent_requests: int = 16
    cookie_secure: bool = False

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            least = 0 if item.name == "job_workers" else 1
            if item.type == "int" and (
                isinstance(value, bool) or not isinstance(value, int) or value < least
            ):
                kind = "a positive integer" if least else "an integer >= 0"
                raise InputError(f"setting {item.name} must be {kind}, not {value!r}")
        if not self.database_url:
            raise InputError("setting database_url must not be empty")
        if self.max_page_size > PAGE_SIZE_CEILING:
            raise InputError(f"setting max_page_size must be at most {PAGE_SIZE_CEILING}")
        if self.max_string_length > STRING_LENGTH_CEILING:
            raise InputError(f"setting max_string_length must be at most {STRING_LENGTH_CEILING}")
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise InputError("setting argon2_memory_kib must be at least 8 x argon2_parallelism")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``GOSPLAN_SERVICE_*`` variables, then ``overrides``, then defaults.

        Parameters
        ----------
        environ
            The variables to read (default: :data:`os.environ`).
        **overrides
            Field values that win over the environment (e.g. a ``--database`` option).

        Returns
        -------
        Settings

        Raises
        ------
        gosplan.errors.InputError
            A variable that is not a valid value of its field (named in the message).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = ENV_PREFIX + item.name.upper()
            if name in env:
                values[item.name] = _parse(name, env[name], str(item.type))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def cheap_hashing(self) -> Settings:
        """The same settings with the cheapest argon2 parameters (for tests only).

        Returns
        -------
        Settings
        """
        return replace(self, argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)


def _parse(name: str, text: str, kind: str) -> Any:
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise InputError(f"{name} must be an integer, not {text!r}") from None
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise InputError(f"{name} must be true or false, not {text!r}")
    return text


_ACTIVE: ContextVar[Settings | None] = ContextVar("gosplan_service_settings", default=None)


def active_settings() -> Settings:
    """The settings of the application serving the current request (defaults outside one).

    The request-limits middleware (:mod:`gosplan_service.problems`) sets them for each
    request, so that validators (:mod:`gosplan_service.schemas`) apply the running
    instance's bounds.

    Returns
    -------
    Settings
    """
    return _ACTIVE.get() or _DEFAULT


def set_active_settings(settings: Settings) -> None:
    """Make ``settings`` the ones :func:`active_settings` returns in the current context.

    Parameters
    ----------
    settings
        The running application's settings.
    """
    _ACTIVE.set(settings)


_DEFAULT = Settings()
