"""An import's errors file: ``line,field,reason`` for every problem of every
rejected row (``--errors``, a path or ``s3://``), its cells safe to open in a
spreadsheet (``csv_cells``)."""

import os
import tempfile
from typing import IO

from . import csv_cells
from .sources import s3_client, split_s3_url

# Rejections: line number -> {field: reason}.
Rejections = dict[int, dict[str, str]]


class ErrorsFile:
    """``line,field,reason`` for every problem of every rejected row, to a path
    or an S3 object, written with each batch before the batch commits (flushed
    to the disk, or the object uploaded again), so a crash never loses the
    rejections of a committed batch. ``keep``: a resumed run's file, cut back to
    what its committed batches wrote (``size``, recorded with each batch), so a
    batch redone after a crash is not listed twice."""

    def __init__(self, location: str | None, *, append: bool = False, keep: int | None = None):
        self.location = location
        self._file: IO[str] | None = None
        self._to_s3 = bool(location and location.startswith("s3://"))
        if location is None:
            return
        if self._to_s3:
            split_s3_url(location)  # a malformed URL stops the run before anything is written
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            if keep:
                # ``keep`` counts bytes, and ends where a committed batch's rows end.
                self._file.write(self._s3_bytes()[:keep].decode())
        elif keep is not None and os.path.exists(location):
            self._file = open(location, "r+", encoding="utf-8", newline="")  # noqa: SIM115
            self._file.truncate(keep)
            self._file.seek(0, os.SEEK_END)
        else:
            self._file = open(location, "a" if append else "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv_cells.writer(self._file)
        if self._file.tell() == 0:
            self._writer.writerow(["line", "field", "reason"])
        self._uploaded = False

    def _s3_bytes(self) -> bytes:
        bucket, key = split_s3_url(self.location or "")
        try:
            return s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception:  # nothing written there yet
            return b""

    def write(self, rejected: Rejections) -> None:
        if self._file is None:
            return
        for line in sorted(rejected):
            for name, reason in rejected[line].items():
                self._writer.writerow([line, name.lstrip("_"), reason])
        self._file.flush()
        if not rejected:
            return
        if self._to_s3:
            self._upload()
        else:
            os.fsync(self._file.fileno())

    def size(self) -> int:
        """Bytes written so far (recorded with the batch)."""
        if self._file is None:
            return 0
        self._file.flush()
        return os.fstat(self._file.fileno()).st_size

    def _upload(self) -> None:
        if self._file is None or self.location is None:
            return
        bucket, key = split_s3_url(self.location)
        self._file.seek(0)
        s3_client().put_object(Bucket=bucket, Key=key, Body=self._file.read().encode(), ContentType="text/csv")
        self._file.seek(0, os.SEEK_END)
        self._uploaded = True

    def close(self) -> None:
        if self._file is None:
            return
        if self._to_s3 and not self._uploaded:
            self._upload()
        self._file.close()
