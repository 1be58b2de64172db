"""A real `manage.py qcluster` process for the tests that need a worker of their own."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """Return the URL of the test database, which the worker process must share."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_qcluster(var_dir: Path, name: str = "worker", **env: str) -> subprocess.Popen:
    """Start a qcluster on the test database, its files (mail, media, log) under `var_dir`."""
    environment = {**os.environ, "DATABASE_URL": database_url(), "VAR_DIR": str(var_dir), "DEBUG": "true", **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=open(var_dir / f"{name}.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_qcluster(worker: subprocess.Popen) -> None:
    """Stop the cluster; it stops its own processes on SIGTERM, and a group kill is the fallback."""
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        raise
