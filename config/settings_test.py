"""Settings for the test suite: the base settings with fast, isolated parts."""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="csrc-test-media-"))
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="csrc-test-private-"))
BACKUP_DIR = Path(tempfile.mkdtemp(prefix="csrc-test-backups-"))
# The text messages of the notice channel's file backend (core.notices).
NOTICE_FILE_PATH = Path(tempfile.mkdtemp(prefix="csrc-test-notices-"))
DESTRUCTION_LEDGER = BACKUP_DIR / "destruction-ledger.jsonl"
# Each process of a test run (every pytest-xdist worker too) makes its own folders above
# and removes them when its session ends (conftest.py).
TEST_TEMPORARY_FOLDERS = (MEDIA_ROOT, PRIVATE_MEDIA_ROOT, BACKUP_DIR, NOTICE_FILE_PATH)
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Tasks run in the test process, at once, so their effects can be asserted.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405

# Keep test output to what went wrong.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
