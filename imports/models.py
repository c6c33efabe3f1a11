"""The record of each import run, so an interrupted one can be resumed."""

from django.db import models


class ImportRun(models.Model):
    """One run of an import command over one file: which file (and which
    version of it), how many rows are done, what was counted, and whether it
    finished. ``rows_done`` and the counts are written in the same transaction
    as each batch, so they always say exactly what the database holds."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused (to be resumed)"
        FAILED = "failed", "Failed"
        DONE = "done", "Done"

    kind = models.CharField(max_length=30, help_text="The command, e.g. import_packages.")
    source = models.CharField(max_length=1000, help_text="Path or s3:// URL.")
    identity = models.CharField(max_length=200, help_text="Size and mtime, or the S3 ETag: which version of the file.")
    rows_done = models.PositiveBigIntegerField(default=0, help_text="Data rows read and committed.")
    created = models.PositiveBigIntegerField(default=0)
    updated = models.PositiveBigIntegerField(default=0)
    unchanged = models.PositiveBigIntegerField(default=0)
    rejected = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    errors_location = models.CharField(max_length=1000, blank=True, help_text="The --errors file or s3:// URL.")
    errors_size = models.PositiveBigIntegerField(
        default=0, help_text="Bytes of the errors file written by the committed batches (a resume keeps these)."
    )
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "source", "identity"], name="importrun_file_idx")]

    def __str__(self):
        return f"{self.kind} {self.source} ({self.state}, {self.rows_done} rows)"


class GeneratedTrackingNumber(models.Model):
    """The tracking number an import gave a row that had none, by the row's line
    in that version of that file: running the same file again finds the parcel
    it registered instead of registering it twice. Written in the batch's
    transaction, so a rolled-back batch (or dry run) leaves none."""

    kind = models.CharField(max_length=30)
    source = models.CharField(max_length=1000)
    identity = models.CharField(max_length=200)
    line = models.PositiveBigIntegerField()
    tracking_number = models.CharField(max_length=13)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "identity", "line"], name="generated_number_per_row")
        ]

    def __str__(self):
        return f"{self.source} line {self.line}: {self.tracking_number}"
