"""A test run leaves nothing behind: every process of it removes the temporary folders it made."""

import os
import subprocess
import sys

from django.conf import settings

# Loaded into the test run below: when each of its processes ends its session, before
# conftest.py cleans up, it writes down which temporary folders exist.
PROBE = """
import os
from pathlib import Path

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session):
    folders = Path(os.environ["TMPDIR"])
    seen = sorted(folder.name for folder in folders.glob("csrc-test-*"))
    (folders / f"seen-{os.getpid()}.txt").write_text("\\n".join(seen))
    return (yield)
"""


def test_a_parallel_run_removes_the_folders_of_each_process(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    (tmp_path / "cleanup_probe.py").write_text(PROBE)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment |= {"TMPDIR": str(temporary), "PYTHONPATH": str(tmp_path)}

    subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "cleanup_probe", "-n", "2"),
            "core/tests/test_validators.py::test_it_refuses_a_null_character",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
    )

    seen = {name for probe in temporary.glob("seen-*.txt") for name in probe.read_text().split()}
    # The controller and both workers each made a media, a private, a backups and a notices folder.
    assert len(seen) == 12, seen
    assert not list(temporary.glob("csrc-test-*"))
