"""Settings from the environment, password hashes, tokens and the rate limiter."""

from __future__ import annotations

import pytest

from gosplan.errors import InputError
from gosplan_service.problems import Problem
from gosplan_service.security import (
    RateLimiter,
    hash_password,
    password_hasher,
    token_digest,
    verify_password,
)
from gosplan_service.settings import Settings


def test_defaults() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///./gosplan-service.db"
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.max_page_size == 200


def test_from_env() -> None:
    env = {
        "GOSPLAN_SERVICE_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "GOSPLAN_SERVICE_MAX_PAGE_SIZE": "50",
        "GOSPLAN_SERVICE_COOKIE_SECURE": "yes",
        "OTHER": "1",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.max_page_size == 50
    assert settings.cookie_secure is True
    assert Settings.from_env(env, database_url="sqlite://").database_url == "sqlite://"
    assert (
        Settings.from_env(env, database_url=None).database_url
        == env["GOSPLAN_SERVICE_DATABASE_URL"]
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOSPLAN_SERVICE_MAX_PAGE_SIZE", "many"),
        ("GOSPLAN_SERVICE_MAX_PAGE_SIZE", "0"),
        ("GOSPLAN_SERVICE_COOKIE_SECURE", "perhaps"),
        ("GOSPLAN_SERVICE_MAX_STRING_LENGTH", "1000000"),
    ],
)
def test_bad_env_is_an_input_error(name: str, value: str) -> None:
    with pytest.raises(InputError, match=r"MAX|COOKIE|max_"):
        Settings.from_env({name: value})


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().max_page_size = 3  # type: ignore[misc]


def test_password_hashes() -> None:
    hasher = password_hasher(Settings().cheap_hashing())
    encoded = hash_password(hasher, "секрет пароль")
    assert encoded.startswith("$argon2id$") and "секрет" not in encoded
    assert encoded != hash_password(hasher, "секрет пароль")  # salted
    assert verify_password(hasher, encoded, "секрет пароль")
    assert not verify_password(hasher, encoded, "секрет")
    assert not verify_password(hasher, None, "секрет пароль")
    assert not verify_password(hasher, "not a hash", "x")


def test_token_digest() -> None:
    assert token_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_rate_limiter_slides() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, window_s=60, clock=lambda: now[0])
    limiter.hit("login", "a")
    now[0] += 10
    limiter.hit("login", "a")
    limiter.hit("login", "b")  # another key
    with pytest.raises(Problem) as caught:
        limiter.hit("login", "a")
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] == "51"
    now[0] += 50.5  # the first hit has left the window
    limiter.hit("login", "a")
    with pytest.raises(Problem):
        limiter.hit("login", "a")
    now[0] += 1000
    limiter.hit("login", "c")  # a sweep forgets the idle keys
    assert set(limiter._hits) == {("login", "c")}
