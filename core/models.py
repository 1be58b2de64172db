"""The tables of the shared parts: the counters of the rate limits."""

from django.db import models


class RateLimitCounter(models.Model):
    """Requests counted per key and fixed time window; see core.ratelimit."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # The table, index and constraint keep the names they had when the model lived in
        # recruiting, so moving it changed no schema and no rows.
        db_table = "recruiting_ratelimitcounter"
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_key_window")]
        indexes = [models.Index(fields=["window_start"], name="recruiting__window__bea0c9_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} ×{self.count}"


class DestructionRecord(models.Model):
    """One record of personal data destroyed: what was destroyed, by which rule, when; no personal data.

    A backup restored later re-applies every destruction listed here and in the ledger
    file (core.ledger), so a restore never brings destroyed data back.
    """

    kind = models.CharField(max_length=20, help_text="What was destroyed, e.g. person")
    object_id = models.PositiveBigIntegerField()
    rule = models.CharField(max_length=40, help_text="The retention rule that made it due")
    destroyed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_destruction_per_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.rule}, {self.destroyed_at:%Y-%m-%d})"
