"""Run the development web server and the background worker together until Ctrl-C.

A shell that starts a job in the background makes it ignore SIGINT, and a shell
cannot undo that; Python can. So this command owns both processes: each runs in its
own process group (runserver's autoreloader and qcluster's workers are children of
it), and Ctrl-C or SIGTERM (`kill -TERM` to `make run`, which make passes on) stops
both, whatever happened to the terminal.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import BaseCommand

# How long each process group gets to stop after SIGTERM before it is killed.
STOP_SECONDS = 10


class Command(BaseCommand):
    help = "Run runserver and qcluster together; Ctrl-C (or SIGTERM) stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="host:port for runserver")

    def handle(self, *args, address: str, **options) -> None:
        stop_requested = []
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, frame: stop_requested.append(signum))
        manage = str(settings.BASE_DIR / "manage.py")
        processes = {
            "worker": self._start(manage, "qcluster"),
            "web server": self._start(manage, "runserver", address),
        }
        while not stop_requested and all(process.poll() is None for process in processes.values()):
            time.sleep(0.2)
        for name, process in processes.items():
            if process.poll() is not None and not stop_requested:
                self.stderr.write(f"The {name} stopped (exit {process.returncode}); stopping the rest.")
        self._stop(worker=processes["worker"], web_server=processes["web server"])

    def _start(self, manage: str, *command: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, manage, *command], start_new_session=True, preexec_fn=_default_signals)

    def _stop(self, *, worker: subprocess.Popen, web_server: subprocess.Popen) -> None:
        # qcluster stops its own processes in order when it alone gets SIGTERM. Signalled as a
        # group, its sentinel dies at once and qcluster then waits for it until it is killed.
        worker.send_signal(signal.SIGTERM)
        # runserver's autoreloader does not pass the signal on to the server it runs.
        _signal_group(web_server, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in (worker, web_server):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            # The group may outlive its leader (e.g. runserver's reloaded child).
            _signal_group(process, signal.SIGKILL)


def _default_signals() -> None:
    """Give the child the default SIGINT and SIGTERM, even if this process inherited them ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
