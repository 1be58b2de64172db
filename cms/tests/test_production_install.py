"""The README's production install, followed on an empty PostgreSQL database, serves the real site.

The commands run as the README has them, in processes of their own with production
settings (DEBUG off, SITE_URL https://recruit.example.com), on a database created for
the test and dropped afterwards; gunicorn then serves the site on a free loopback port,
and the test asks for pages as the TLS proxy in front would.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from cms import site_content
from config.tests import processes

BASE_DIR = Path(settings.BASE_DIR)
HOST = "recruit.example.com"
SITE_URL = f"https://{HOST}"
# Headers of a visitor's request for SITE_URL as the TLS proxy forwards it.
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}
WELCOME = "Welcome to your new Wagtail site"
# The README's steps between `pip install` and starting the processes, without the
# questions: createsuperuser reads DJANGO_SUPERUSER_* instead of asking.
STEPS = [
    ["migrate", "--noinput"],
    ["setup"],
    ["createsuperuser", "--noinput"],
    ["collectstatic", "--noinput"],
    ["check", "--deploy", "--fail-level", "WARNING"],
]
# Variables of this process that would point the installation elsewhere (the test settings, Redis).
OWN_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "VAR_DIR",
    "BACKUP_DIR",
    "DESTRUCTION_LEDGER",
    "PRIVATE_MEDIA_ROOT",
    "PRIVATE_MEDIA_ACCEL_REDIRECT",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "EMAIL_HOST",
}


def _server() -> dict[str, str]:
    """Return how to reach PostgreSQL: the test database's server, or the local default one."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return {
            "host": db["HOST"] or "127.0.0.1",
            "port": str(db["PORT"] or 5432),
            "user": db["USER"],
            "password": db["PASSWORD"] or "",
        }
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
        "password": os.environ.get("PGPASSWORD", ""),
    }


def _maintenance(server: dict[str, str]) -> psycopg.Connection:
    return psycopg.connect(
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture
def empty_database():
    """Create an empty PostgreSQL database of its own and return its URL; drop it afterwards."""
    server = _server()
    try:
        maintenance = _maintenance(server)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {server['host']}:{server['port']}: {error}"
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"csrc_install_{os.getpid()}"
    with maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{name}"')
    password = f":{server['password']}" if server["password"] else ""
    try:
        yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with _maintenance(server) as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def environment(empty_database, tmp_path) -> dict[str, str]:
    """The production settings of the README's `.env`, for an installation under tmp_path."""
    inherited = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
    return inherited | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": SITE_URL,
        "CSRF_TRUSTED_ORIGINS": SITE_URL,
        "DATABASE_URL": empty_database,
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SUPERUSER_USERNAME": "admin",
        "DJANGO_SUPERUSER_EMAIL": "it@example.com",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
    }


def _manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def served(environment, tmp_path):
    """Install as the README says, then serve the site with gunicorn; return its port."""
    for step in STEPS:
        _manage(environment, *step)
    port = processes.free_port()
    log = tmp_path / "gunicorn.log"
    web = processes.start(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{processes.HOST}:{port}", "--workers", "1"],
        environment,
        log,
    )
    try:
        processes.wait_until_answering(web, port, log, headers=PROXIED)
        yield port
    finally:
        processes.stop(web)


def _get(port: int, path: str) -> tuple[int, str]:
    """GET `path` as the TLS proxy forwards a visitor's request for SITE_URL."""
    response = processes.request(port, "GET", path, headers=PROXIED)
    return response.status, response.text()


def test_the_readme_lists_the_steps_this_test_follows():
    readme = (BASE_DIR / "README.md").read_text()
    section = readme[readme.index("### Installing on a new server") :]
    section = section[: section.index("\n### ", 1)]
    commands = [
        re.findall(r"manage\.py (\w+)", block) for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    ]
    assert [name for block in commands for name in block] == [step[0] for step in STEPS] + ["qcluster"]
    assert "pip install -r requirements.txt" in section
    assert "python3.11-venv" in section


def test_a_new_installation_serves_the_korean_site_at_its_address(served, environment):
    status, home = _get(served, "/")
    assert status == 200
    assert site_content.HOME["hero_title"] in home
    assert WELCOME not in home
    assert "02-2187-2663" in home

    status, apply_page = _get(served, "/apply/")
    assert status == 200
    assert site_content.APPLY["title"] in apply_page
    # No round is open yet: the page says so, with the number to call.
    assert "지금은 진행 중인 모집이 없습니다" in apply_page

    status, sitemap = _get(served, "/sitemap.xml")
    assert status == 200
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert f"{SITE_URL}/" in locations
    assert {f"{SITE_URL}/apply/", f"{SITE_URL}/privacy/", f"{SITE_URL}/branches/gangseo/"} <= set(locations)
    assert all(location.startswith(f"{SITE_URL}/") for location in locations)

    # collectstatic ran: gunicorn (WhiteNoise) serves the stylesheet the page names.
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
    assert _get(served, stylesheet)[0] == 200

    administrators = _manage(
        environment,
        "shell",
        "--verbosity=0",
        "--command",
        "from django.contrib.auth.models import User; print(User.objects.filter(is_superuser=True).count())",
    )
    assert administrators.strip().splitlines()[-1] == "1"
