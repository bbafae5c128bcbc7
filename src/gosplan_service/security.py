"""Passwords, tokens and rate limits.

- Passwords are hashed with argon2id (:class:`argon2.PasswordHasher`, cost from the
  settings); :func:`verify_password` also spends the time of one verification when the user
  does not exist, so a login's timing does not tell whether a name is taken.
- Tokens are opaque (``secrets.token_urlsafe(32)``); only their SHA-256 digest is stored,
  with an expiry (:func:`issue_token`, :func:`user_for_token`).
- :class:`RateLimiter` is an in-process sliding window per key ``(what, who)``; over the
  limit it raises the 429 problem with ``Retry-After``. It counts in one process: with
  several server processes each keeps its own count.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gosplan_service.models import Token, User, utcnow
from gosplan_service.problems import Problem
from gosplan_service.settings import Settings

__all__ = [
    "RateLimiter",
    "hash_password",
    "issue_token",
    "password_hasher",
    "revoke_token",
    "token_digest",
    "user_for_token",
    "verify_password",
]


def password_hasher(settings: Settings) -> PasswordHasher:
    """The argon2id hasher with the cost parameters of ``settings``.

    Parameters
    ----------
    settings
        The service's settings.

    Returns
    -------
    argon2.PasswordHasher
    """
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """The argon2id hash of ``password`` (with its own random salt).

    Parameters
    ----------
    hasher
        From :func:`password_hasher`.
    password
        The password.

    Returns
    -------
    str
        The encoded hash (``$argon2id$...``).
    """
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, encoded: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash ``encoded``.

    Parameters
    ----------
    hasher
        From :func:`password_hasher`.
    encoded
        The stored hash; ``None`` (no such user) verifies against a dummy hash and fails.
    password
        The password given.

    Returns
    -------
    bool
    """
    target = encoded if encoded is not None else _dummy_hash(hasher)
    try:
        hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return encoded is not None


_DUMMY: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY[key]


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored.

    Parameters
    ----------
    token
        The token as the client holds it.

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user: User, lifetime_s: int, now: datetime | None = None
) -> tuple[str, Token]:
    """A new token for ``user``, stored as its digest; expired tokens of the user go.

    Parameters
    ----------
    session
        The request's session.
    user
        The user logging in.
    lifetime_s
        Seconds until the token expires.
    now
        The current time (default: now, UTC).

    Returns
    -------
    tuple of (str, Token)
        The token to give the client (shown once, never stored) and its row.
    """
    moment = now or utcnow()
    session.execute(delete(Token).where(Token.user_id == user.id, Token.expires_at <= moment))
    token = secrets.token_urlsafe(32)
    row = Token(
        user_id=user.id,
        token_hash=token_digest(token),
        created_at=moment,
        expires_at=moment + timedelta(seconds=lifetime_s),
    )
    session.add(row)
    session.flush()
    return token, row


def user_for_token(
    session: Session, token: str, now: datetime | None = None
) -> tuple[User, Token] | None:
    """The active user holding ``token`` and the token's row, or ``None``.

    Parameters
    ----------
    session
        The request's session.
    token
        The token the client sent.
    now
        The current time (default: now, UTC).

    Returns
    -------
    tuple of (User, Token) or None
        ``None`` for an unknown or expired token, or a deactivated user.
    """
    moment = now or utcnow()
    found = session.execute(
        select(User, Token)
        .join(Token, Token.user_id == User.id)
        .where(Token.token_hash == token_digest(token), Token.expires_at > moment)
    ).first()
    if found is None or not found[0].active:
        return None
    return found[0], found[1]


def revoke_token(session: Session, token: Token) -> None:
    """Delete a token (log out).

    Parameters
    ----------
    session
        The request's session.
    token
        The token's row.
    """
    session.delete(token)


class RateLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each key ``(what, who)``.

    Parameters
    ----------
    limit
        Hits allowed in one window.
    window_s
        The window's length in seconds (a sliding window).
    clock
        Seconds from any origin, increasing (default: :func:`time.monotonic`).
    """

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def hit(self, what: str, who: str, *, description: str | None = None) -> None:
        """Count one hit for ``(what, who)``; over the limit, count nothing and raise 429.

        Parameters
        ----------
        what
            What is limited (``"login"``, ``"submission"``).
        who
            Whom it is counted for (a user name, a client address, a user id).
        description
            How the problem names it (default: ``"<what> requests"``).

        Raises
        ------
        gosplan_service.problems.Problem
            429 with ``Retry-After``: the seconds until the oldest hit leaves the window.
        """
        now = self.clock()
        start = now - self.window_s
        with self._lock:
            if self._swept <= start:
                self._sweep(start)
                self._swept = now
            hits = self._hits.setdefault((what, who), deque())
            while hits and hits[0] <= start:
                hits.popleft()
            if len(hits) >= self.limit:
                wait = hits[0] + self.window_s - now
                raise Problem.too_many_requests(int(wait) + 1, description or f"{what} requests")
            hits.append(now)

    def _sweep(self, start: float) -> None:
        # Once a window: forget the keys with no hit left in it (bounds the memory).
        for key in list(self._hits):
            hits = self._hits[key]
            while hits and hits[0] <= start:
                hits.popleft()
            if not hits:
                del self._hits[key]

    def reset(self) -> None:
        """Forget every hit."""
        with self._lock:
            self._hits.clear()
