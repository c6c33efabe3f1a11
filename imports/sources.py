"""Reading an import's file: a path, ``-`` (stdin) or an ``s3://`` URL,
streamed; CSV or JSONL, optionally gzip; rows as (line number, {column: text})
after the header is checked against the importer's columns. A CSV cell's
formula neutraliser (``csv_cells``) is taken off as it is read."""

import codecs
import csv
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from django.core.management.base import CommandError

from .csv_cells import restore

FORMATS = ("csv", "jsonl", "csv.gz", "jsonl.gz")
# The longest line (a CSV record, a JSONL object) an import reads: real rows
# are a few hundred bytes; what is longer is a crafted or broken file, and
# reading it whole (one 500 MB field of a small .gz) would exhaust the worker.
MAX_LINE_BYTES = 1 << 20
MAX_LINE_TEXT = "1 MiB"


class BrokenFile(CommandError):
    """The file cannot be imported at all (wrong header, bad encoding,
    unreadable object): the command stops with exit status 2."""

    def __init__(self, message: str):
        super().__init__(message, returncode=2)


class Columns(Protocol):
    """What the header is checked against (an Importer)."""

    required_columns: tuple[str, ...]
    optional_columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    # Set by the header check: the ignored columns this file has (said in the summary).
    ignored_in_file: list[str]


# --- reading -------------------------------------------------------------------------------


def s3_client() -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or None)


def split_s3_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if not parts.netloc or not parts.path.strip("/"):
        raise BrokenFile(f"{url} is not an S3 object URL: expected s3://bucket/key.")
    return parts.netloc, parts.path.lstrip("/")


def format_of(location: str, given: str | None) -> str:
    if given:
        if given not in FORMATS:
            raise BrokenFile(f"Unknown format {given!r}: use one of {', '.join(FORMATS)}.")
        return given
    name = location.lower()
    for fmt in sorted(FORMATS, key=len, reverse=True):
        if name.endswith("." + fmt):
            return fmt
    if location == "-":
        return "csv"
    raise BrokenFile(f"Cannot tell the format of {location}: name it .csv, .jsonl (.gz) or pass --format.")


def file_identity(location: str) -> str:
    """Which version of the file this is, for ``--resume``: size and mtime of a
    local file, the ETag of an S3 object, nothing for stdin (it cannot resume)."""
    if location == "-":
        return ""
    if location.startswith("s3://"):
        bucket, key = split_s3_url(location)
        try:
            head = s3_client().head_object(Bucket=bucket, Key=key)
        except Exception as error:
            raise BrokenFile(f"Cannot read {location}: {error}") from error
        return f"etag:{head['ETag'].strip(chr(34))}"
    try:
        stat = os.stat(location)
    except OSError as error:
        raise BrokenFile(f"Cannot read {location}: {error.strerror}.") from error
    return f"size:{stat.st_size}:mtime:{int(stat.st_mtime)}"


def open_binary(location: str) -> IO[bytes]:
    """The file's bytes as a stream: S3 objects are read as they come, never whole."""
    if location == "-":
        return sys.stdin.buffer
    if location.startswith("s3://"):
        bucket, key = split_s3_url(location)
        try:
            body = s3_client().get_object(Bucket=bucket, Key=key)["Body"]
        except Exception as error:
            raise BrokenFile(f"Cannot read {location}: {error}") from error
        return io.BufferedReader(_StreamingBodyReader(body), buffer_size=1 << 20)
    try:
        return open(location, "rb")  # noqa: SIM115 (closed by the reader)
    except OSError as error:
        raise BrokenFile(f"Cannot read {location}: {error.strerror}.") from error


class _StreamingBodyReader(io.RawIOBase):
    """botocore's StreamingBody as a raw stream: read a chunk at a time."""

    def __init__(self, body: Any):
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.body.close()
        super().close()


def _csv_rows(reader: Any, location: str) -> Iterator[list[str]]:
    """The rows of a CSV reader; what the csv module cannot parse (a field over
    its size limit, a NUL in strict dialects) stops the file as broken, with its line."""
    try:
        yield from reader
    except csv.Error as error:
        raise BrokenFile(f"{location}, line {reader.line_num}: {error}.") from error


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _null_byte(row: dict[str, str]) -> dict[str, str]:
    """A row with a NUL character, which PostgreSQL cannot store in text: rejected, its columns named."""
    columns = ", ".join(name for name, value in row.items() if "\x00" in value)
    return {"_line": f"has a null byte (0x00) in {columns}: not text"}


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            # The API nests a party's or an office's address; its columns are sender_line1, line1.
            flat.update(_flatten(value, prefix if key == "address" else f"{name}_"))
        elif value is None:
            flat[name] = ""
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat


def _check_header(columns: Iterable[str], importer: Columns, location: str) -> None:
    columns = list(columns)
    missing = [name for name in importer.required_columns if name not in columns]
    known = set(importer.required_columns) | set(importer.optional_columns)
    importer.ignored_in_file = [name for name in columns if name in importer.ignored_columns and name not in known]
    unknown = [name for name in columns if name not in known and name not in importer.ignored_in_file]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise BrokenFile(
            f"{location}: wrong header: {'; '.join(parts)}. Expected: {', '.join(importer.required_columns)}."
        )


def _lines(binary: IO[bytes]) -> Iterator[bytes | None]:
    """The file's lines as bytes, each at most MAX_LINE_BYTES; None for a line
    over the cap, whose rest is read and dropped a cap at a time, so memory
    stays flat whatever the file holds (one 500 MB field, one line of empty
    columns)."""
    readline = binary.readline
    while True:
        line = readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = readline(MAX_LINE_BYTES)
            yield None
        else:
            yield line


class _Text:
    """Decoded lines of the file (UTF-8, a byte-order mark skipped), counting
    them and the bytes before them (for an encoding error's position)."""

    def __init__(self, binary: IO[bytes], location: str):
        self.lines = _lines(binary)
        self.location = location
        self.number = 0  # of the line last read
        self.offset = 0  # bytes before it

    def next(self) -> str | None:
        """The next line, None for one over the cap; StopIteration at the end."""
        line = next(self.lines)
        self.number += 1
        if line is None:
            return None
        if self.number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
            self.offset += len(codecs.BOM_UTF8)
        try:
            text = line.decode()
        except UnicodeDecodeError as error:
            raise BrokenFile(
                f"{self.location} is not UTF-8 text ({error.reason} at byte {self.offset + error.start})."
            ) from error
        self.offset += len(line)
        return text


class _CsvLines:
    """The lines ``csv.reader`` reads, a record at most MAX_LINE_BYTES long
    (a quoted field may hold line breaks, so a record may be several lines):
    a longer one stops the file, as a field over the csv module's limit does."""

    def __init__(self, text: _Text):
        self.text = text
        self.record = 0  # characters of the record being read; the reader sets 0 after each

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        line = self.text.next()
        if line is None or self.record + len(line) > MAX_LINE_BYTES:
            raise BrokenFile(
                f"{self.text.location}, line {self.text.number}: a record longer than {MAX_LINE_TEXT} "
                "(no row of an import is nearly that long)."
            )
        self.record += len(line)
        return line


def _csv_file_rows(text: _Text, importer: Columns, location: str) -> Iterator[tuple[int, dict[str, str]]]:
    lines = _CsvLines(text)
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise BrokenFile(f"{location} is empty: a CSV file starts with its header row.")
    header = [name.strip() for name in header]
    _check_header(header, importer, location)
    for row in _csv_rows(reader, location):
        lines.record = 0
        if not row:
            continue
        if len(row) != len(header):
            yield reader.line_num, {"_line": f"has {len(row)} fields, the header {len(header)}"}
        elif "\x00" in (joined := "".join(row)):
            yield reader.line_num, _null_byte(dict(zip(header, row, strict=True)))
        else:
            if "'" in joined:  # our own exports put a quote before a would-be formula: take it off
                row = [restore(value) for value in row]
            yield reader.line_num, dict(zip(header, row, strict=True))


def _jsonl_file_rows(text: _Text, importer: Columns, location: str) -> Iterator[tuple[int, dict[str, str]]]:
    checked = False
    while True:
        try:
            line = text.next()
        except StopIteration:
            return
        number = text.number
        if line is None:
            yield number, {"_line": f"longer than {MAX_LINE_TEXT} (no row of an import is nearly that long)"}
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            flat = _flatten(record) if isinstance(record, dict) else None
        except ValueError:
            yield number, {"_line": "not valid JSON"}
            continue
        except RecursionError:
            yield number, {"_line": "nested too deeply"}
            continue
        if flat is None:
            yield number, {"_line": "not a JSON object"}
            continue
        if not checked:
            _check_header(flat, importer, location)
            checked = True
        values = "".join(flat.values())
        if "\x00" in values:
            yield number, _null_byte(flat)
        elif not _encodable(values):
            # JSON's \ud800 escapes can make half a character, which no encoding can write.
            yield number, {"_line": "has a broken character (a lone UTF-16 surrogate)"}
        else:
            yield number, flat


def read_rows(stream: IO[bytes], fmt: str, importer: Columns, location: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for every data row. A wrong header, bad
    UTF-8 or a CSV record over MAX_LINE_BYTES raises BrokenFile; a JSONL line
    that is not an object, or over MAX_LINE_BYTES, is a row with a ``_line``
    problem (rejected, the run goes on). Lines are read a capped piece at a
    time (``_lines``), so no line is ever held whole past the cap."""
    binary: IO[bytes] = gzip.GzipFile(fileobj=stream) if fmt.endswith(".gz") else stream  # type: ignore[assignment]
    text = _Text(binary, location)
    try:
        if fmt.startswith("csv"):
            yield from _csv_file_rows(text, importer, location)
        else:
            yield from _jsonl_file_rows(text, importer, location)
    except (gzip.BadGzipFile, EOFError, OSError, zlib.error) as error:
        raise BrokenFile(f"{location} cannot be read: {error}.") from error
