"""Files an attacker or a broken partner system could send: each bad row is
rejected with its reason and the others are taken; a file that cannot be read
stops with its line (exit 2). Nothing crashes."""

import csv
import json

import pytest

from tests.helpers import package_rows, write_package_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_null_byte_rejects_its_row_and_the_others_are_taken(run_command, network, tmp_path, fmt):
    rows = package_rows()
    rows[1] = rows[1] | {"sender_name": "Ada\x00Lovelace", "receiver_line1": "\x00"}
    if fmt == "csv":
        source = write_package_rows(tmp_path / "packages.csv", rows)
    else:
        source = tmp_path / "packages.jsonl"
        source.write_text("".join(json.dumps(row) + "\n" for row in rows))  # NUL as \u0000
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_packages", str(source), "--errors", str(errors))
    assert status == 1
    assert f"created {len(rows) - 1}, updated 0, unchanged 0, rejected 1" in out
    line = "3" if fmt == "csv" else "2"  # the second row, after CSV's header line
    assert list(csv.reader(errors.open()))[1:] == [
        [line, "line", "has a null byte (0x00) in sender_name, receiver_line1: not text"]
    ]


@pytest.mark.parametrize(
    ("declared_value", "reason"),
    [
        ("1e30", "Must be at most 9,999,999,999.99."),
        ("10000000000", "Must be at most 9,999,999,999.99."),
        ("12.345", "Use at most two decimal places."),
        ("-1", "Must be an amount of zero or more."),
        ("NaN", "Must be an amount of zero or more."),
    ],
)
def test_a_declared_value_a_money_column_cannot_hold_is_rejected(
    run_command, network, tmp_path, declared_value, reason
):
    rows = [package_rows()[0] | {"declared_value": declared_value}]
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command(
        "import_packages", str(write_package_rows(tmp_path / "p.csv", rows)), "--errors", str(errors)
    )
    assert status == 1
    assert "created 0, updated 0, unchanged 0, rejected 1" in out
    assert list(csv.reader(errors.open()))[1:] == [["2", "declared_value", reason]]


def test_jsonl_lines_nested_too_deeply_or_with_half_a_character_are_rejected_rows(run_command, network, tmp_path):
    good = json.dumps(package_rows()[0])
    deep = '{"sender": ' * 50_000 + "1" + "}" * 50_000  # under the 1 MiB line cap
    broken = good.replace('"Ada Lovelace"', '"Ada \\ud800Lovelace"')
    assert broken != good
    source = tmp_path / "packages.jsonl"
    source.write_text(f"{good}\n{deep}\n{broken}\n")
    errors = tmp_path / "errors.csv"
    status, out, _ = run_command("import_packages", str(source), "--errors", str(errors))
    assert status == 1
    assert "created 1, updated 0, unchanged 0, rejected 2" in out
    assert list(csv.reader(errors.open()))[1:] == [
        ["2", "line", "nested too deeply"],
        ["3", "line", "has a broken character (a lone UTF-16 surrogate)"],
    ]


def test_a_csv_field_too_long_to_read_stops_the_file_with_its_line(run_command, network, tmp_path):
    rows = package_rows()[:2]
    rows[1] = rows[1] | {"sender_line1": "x" * 200_000}
    status, _, err = run_command("import_packages", str(write_package_rows(tmp_path / "p.csv", rows)))
    assert status == 2
    assert "p.csv, line 3: field larger than field limit (131072)." in err
