import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url


def test_it_reads_booleans_in_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("TRUE", True), ("yes", True), ("on", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_it_uses_the_default_when_unset_or_empty(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("FLAG", raising=False)
    else:
        monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is True
    assert env_int("FLAG", 7) == 7
    assert env_str("FLAG", "x") == "x"
    assert env_list("FLAG", ["a"]) == ["a"]
    assert env_url("FLAG", "sqlite:///x", schemes=("sqlite",)) == "sqlite:///x"


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y es"])
def test_it_refuses_a_malformed_boolean(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG", False)


@pytest.mark.parametrize("raw", ["ten", "1.5", "0x10", "1e3"])
def test_it_refuses_a_malformed_integer(monkeypatch, raw):
    monkeypatch.setenv("WORKERS", raw)
    with pytest.raises(ImproperlyConfigured, match="WORKERS must be an integer"):
        env_int("WORKERS", 2)


def test_it_refuses_an_integer_below_the_minimum(monkeypatch):
    monkeypatch.setenv("WORKERS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("WORKERS", 2, minimum=1)


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , ,b.example,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.parametrize("raw", ["mysql://u:secret@h/db", "postgres:/h/db", "127.0.0.1:5432", "redis://"])
def test_it_refuses_a_url_of_another_scheme_without_echoing_it(monkeypatch, raw):
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with") as caught:
        env_url("DATABASE_URL", schemes=("postgres", "sqlite"))
    assert "secret" not in str(caught.value)


def test_it_accepts_a_url_of_an_allowed_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env_url("REDIS_URL", schemes=("redis",)) == "redis://127.0.0.1:6379/0"
