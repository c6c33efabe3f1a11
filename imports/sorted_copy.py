"""An ordered import's sorted rows, kept on S3 between the invocations of one
run of the Lambda function: the first invocation reads and sorts the whole file
(``imports.sorting``) once and stores the result next to it; each follow-up
invocation reads that copy from the first row not yet done, instead of
sorting the whole file again. The function may not delete objects: the drop
bucket's lifecycle rule expires the copies after a day (a copy gone before its
run is done only means the next invocation sorts the file again).

The copy is blocks of ``BLOCK_ROWS`` rows, each JSON compressed with zlib
after its length (4 bytes): a follow-up passes over the blocks already done
without decoding them. JSON, not pickle: the bucket is written by partners,
and a copy is only data (its rows are checked again like the file's).
"""

import json
import tempfile
import zlib
from collections.abc import Iterator
from typing import IO

from .sorting import Row, SortKey, sorted_rows
from .sources import open_binary, s3_client, split_s3_url

BLOCK_ROWS = 1_000


def sorted_copy_url(prefix: str, location: str, identity: str) -> str:
    """Where the copy of ``location`` (that version of it) is kept under ``prefix`` (an s3:// URL)."""
    _bucket, key = split_s3_url(location)
    version = "".join(character if character.isalnum() else "-" for character in identity)
    return f"{prefix.rstrip('/')}/{key}.{version}.sorted"


def rows_through_sorted_copy(url: str, rows: Iterator[Row], key: SortKey, skip: int) -> Iterator[Row]:
    """The rows by ``key`` after the first ``skip``: from the copy at ``url``
    when an earlier invocation left one (``rows`` is then never read), else
    sorted here and stored there first."""
    if _exists(url):
        stream = open_binary(url)
        try:
            yield from _read(stream, skip)
        finally:
            stream.close()
        return
    with tempfile.TemporaryFile() as file:
        _write(sorted_rows(rows, key), file)
        bucket, object_key = split_s3_url(url)
        file.seek(0)
        # One PUT (up to 5 GB: some 250 million scans); upload_fileobj would close the file.
        s3_client().put_object(Bucket=bucket, Key=object_key, Body=file)
        file.seek(0)
        yield from _read(file, skip)


def _exists(url: str) -> bool:
    from botocore.exceptions import ClientError

    bucket, key = split_s3_url(url)
    try:
        s3_client().head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def _write(rows: Iterator[Row], file: IO[bytes]) -> None:
    block: list[Row] = []
    for row in rows:
        block.append(row)
        if len(block) == BLOCK_ROWS:
            _write_block(block, file)
            block = []
    if block:
        _write_block(block, file)


def _write_block(block: list[Row], file: IO[bytes]) -> None:
    data = zlib.compress(json.dumps(block, ensure_ascii=False).encode(), 1)
    file.write(len(data).to_bytes(4, "big"))
    file.write(data)


def _read(file: IO[bytes], skip: int) -> Iterator[Row]:
    while length := int.from_bytes(file.read(4), "big"):
        data = file.read(length)
        if skip >= BLOCK_ROWS:
            skip -= BLOCK_ROWS  # done by an earlier invocation: not even decoded
            continue
        yield from ((number, row) for number, row in json.loads(zlib.decompress(data))[skip:])
        skip = 0
