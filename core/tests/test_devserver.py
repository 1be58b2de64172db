"""`manage.py devserver` (what `make run` ends in) stops the web server and the worker on SIGTERM as on Ctrl-C.

A real devserver runs on a free port with a VAR_DIR of its own, whose database holds
only what the worker needs (its queue and the cache tables).
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from config.tests.processes import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")

# Settings of this test run that must not reach a development server of its own.
OWN_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "VAR_DIR", "SITE_URL")


def _environment(var_dir: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
    return environment | {"VAR_DIR": str(var_dir), "DEBUG": "true", "LOG_LEVEL": "INFO", "Q_WORKERS": "1"}


def _children(pid: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children |= {int(child) for child in (task / "children").read_text().split()}
        except FileNotFoundError:
            continue
    return children


def _descendants(pid: int) -> set[int]:
    found = set()
    for child in _children(pid):
        found |= {child} | _descendants(child)
    return found


def _alive(pid: int) -> bool:
    """Return whether the process runs; a zombie (exited, not yet reaped) has stopped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} seconds"
        time.sleep(0.2)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture
def devserver(tmp_path):
    """Start `manage.py devserver`; return it with its address and log, once the server answers and the worker runs."""
    environment = _environment(tmp_path)
    prepare = "from django.core.management import call_command; call_command('migrate', 'django_q', verbosity=0); call_command('createcachetable')"  # noqa: E501
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "--command", prepare],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
    )
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "devserver.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "devserver", address],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    groups = set()
    try:
        _wait_until(lambda: _answers(f"http://{address}/static/css/site.css"), 90, "the web server answers")
        _wait_until(lambda: "running." in log.read_text(), 90, "the worker runs")
        # The worker and the web server each lead a process group of their own.
        groups = _children(process.pid)
        yield process, log
    finally:
        process.kill()
        process.wait()
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_sigterm_stops_the_web_server_and_the_worker(devserver):
    """SIGTERM takes the path of Ctrl-C (SIGINT); `make run` passes a SIGTERM on to devserver."""
    process, log = devserver
    processes = _descendants(process.pid)
    commands = {Path(f"/proc/{pid}/cmdline").read_bytes() for pid in processes}
    assert any(b"qcluster" in command for command in commands)
    assert any(b"runserver" in command for command in commands)

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=30) == 0
    _wait_until(lambda: not any(_alive(pid) for pid in processes), 5, "every process of the server has stopped")
    # Stopped, not killed: a task in hand is finished and nothing is left in the queue half-done.
    assert "has stopped." in log.read_text()
