"""The settings module itself refuses unsafe or malformed production configurations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.CACHES['pages']['BACKEND'])",
        ],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_the_defaults_run_on_sqlite_with_database_caches():
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "django.core.cache.backends.db.DatabaseCache"]


def test_redis_url_moves_the_caches_to_redis():
    result = _load_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"DEBUG": "nope"}, "DEBUG must be a boolean"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must start with"),
        ({"Q_WORKERS": "0"}, "Q_WORKERS must be at least 1"),
        ({"REDIS_URL": "redis://h:6379/1", "PAGE_CACHE_REDIS_DB": "1"}, "PAGE_CACHE_REDIS_DB must differ"),
        # Certificates inside the folder the proxy serves to anyone would be public again.
        (
            {"VAR_DIR": "/srv/csrc", "PRIVATE_MEDIA_ROOT": "/srv/csrc/media/private"},
            "PRIVATE_MEDIA_ROOT must not lie inside the public media folder",
        ),
        ({"PRIVATE_MEDIA_ACCEL_REDIRECT": "private-media/"}, "PRIVATE_MEDIA_ACCEL_REDIRECT must be a path starting"),
        ({"ACCESS_RECORD_RETENTION_DAYS": "30"}, "ACCESS_RECORD_RETENTION_DAYS must be at least 365"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def _setting(name: str, **env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TRUSTED_PROXY_COUNT", "USE_X_FORWARDED_FOR", "SECRET_KEY_FALLBACKS"}
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(s.{name})"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "0"),
        ({"TRUSTED_PROXY_COUNT": "2"}, "2"),
        # The older name of one proxy keeps an existing installation counting visitors, not its proxy.
        ({"USE_X_FORWARDED_FOR": "true"}, "1"),
        ({"USE_X_FORWARDED_FOR": "true", "TRUSTED_PROXY_COUNT": "0"}, "0"),
    ],
)
def test_it_reads_the_number_of_trusted_proxies(env, expected):
    assert _setting("TRUSTED_PROXY_COUNT", **env) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be at least 0"),
        ({"TRUSTED_PROXY_COUNT": "yes"}, "TRUSTED_PROXY_COUNT must be an integer"),
        ({"USE_X_FORWARDED_FOR": "2"}, "USE_X_FORWARDED_FOR must be a boolean"),
    ],
)
def test_it_refuses_a_bad_number_of_trusted_proxies(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_reads_the_retired_secret_keys():
    assert (
        _setting("SECRET_KEY_FALLBACKS", SECRET_KEY_FALLBACKS="old-key-1, old-key-2,") == "['old-key-1', 'old-key-2']"
    )
    assert _setting("SECRET_KEY_FALLBACKS") == "[]"
