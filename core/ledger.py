"""The ledger of destroyed personal data, kept twice: a table, and a file beside the backups.

A backup holds the table as it was when the dump was taken; the file holds every
destruction since, because it lives where the backups live (DESTRUCTION_LEDGER, by default
under BACKUP_DIR) and is appended to in the destroying transaction. A restore replays the
file, so data destroyed after a dump stays destroyed after restoring it.

An entry names what was destroyed by kind and id only, never a name or a number of the
person's.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.dateparse import parse_datetime

from core.models import DestructionRecord


@dataclass(frozen=True)
class LedgerEntry:
    kind: str
    object_id: int
    rule: str
    destroyed_at: datetime


def destruction_record(*, kind: str, object_id: int, rule: str, at: datetime, append_to_file: bool = True) -> None:
    """Record a destruction in the table and append it to the ledger file; call it inside the destroying transaction.

    The line is on disk (fsync) before the transaction commits: should the commit fail,
    the file lists a destruction that did not happen, which a replay carries out, as it
    was due anyway; the other order could lose a destruction. A replay of the file after a
    restore passes `append_to_file=False`: the line is there already.
    """
    DestructionRecord.objects.get_or_create(kind=kind, object_id=object_id, defaults={"rule": rule, "destroyed_at": at})
    if not append_to_file:
        return
    path = Path(settings.DESTRUCTION_LEDGER)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"kind": kind, "id": object_id, "rule": rule, "at": at.isoformat()}, ensure_ascii=False)
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(line + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


def destruction_ledger_read(path: Path | None = None) -> Iterator[LedgerEntry]:
    """Yield the entries of the ledger file in the order they were written; a missing file has none."""
    path = Path(path or settings.DESTRUCTION_LEDGER)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as ledger:
        for line in ledger:
            if not line.strip():
                continue
            entry = json.loads(line)
            yield LedgerEntry(
                kind=entry["kind"],
                object_id=int(entry["id"]),
                rule=entry["rule"],
                destroyed_at=parse_datetime(entry["at"]),
            )
