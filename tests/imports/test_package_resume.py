"""import_packages stopped and resumed: a crash mid-file, a batch killed just
after its commit or rolled back after writing its rejections; the resumed run
gives the rows and the errors file of one clean run."""

import csv
import io

import pytest
from django.db import connection, transaction

from imports.models import ImportRun
from shipments.imports.packages import PackageImporter
from shipments.models import Package
from tests.helpers import IMPORT_DATA as DATA
from tests.helpers import package_rows as _rows
from tests.helpers import write_package_rows as _write

pytestmark = pytest.mark.django_db
PACKAGES = DATA / "packages.csv"


def _many(tmp_path, count=25):
    rows = []
    template = _rows()[2]
    for n in range(count):
        rows.append(template | {"sender_name": f"Sender {n}", "created_at": f"2026-03-01T{n % 24:02d}:00:00Z"})
    return _write(tmp_path / "many.csv", rows)


def test_resume_after_a_crash_gives_the_rows_of_one_clean_run(run_command, network, tmp_path, monkeypatch):
    source = _many(tmp_path)
    real = PackageImporter.import_batch
    calls = {"n": 0}

    def crash_on_the_third_batch(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the Lambda was killed")
        return real(self, rows)

    monkeypatch.setattr(PackageImporter, "import_batch", crash_on_the_third_batch)
    with pytest.raises(RuntimeError):
        run_command("import_packages", str(source), "--batch-size", "10")
    assert Package.objects.count() == 20
    run = ImportRun.objects.get(kind="import_packages")
    # Not left "running": the record says it stopped, and why; --resume takes it up.
    assert (run.rows_done, run.created, run.state) == (20, 20, ImportRun.State.FAILED)
    assert run.message == "RuntimeError: the Lambda was killed"

    monkeypatch.setattr(PackageImporter, "import_batch", real)
    status, out, _ = run_command("import_packages", str(source), "--batch-size", "10", "--resume")
    assert status == 0
    assert "created 25, updated 0, unchanged 0, rejected 0; 25 rows" in out
    assert sorted(Package.objects.values_list("sender_name", flat=True)) == sorted(f"Sender {n}" for n in range(25))
    assert ImportRun.objects.get(kind="import_packages").state == ImportRun.State.DONE


def _many_with_two_too_heavy(tmp_path):
    """25 rows, lines 2-26; line 6 (first batch of ten) and line 16 (second) are over 70 kg."""
    rows = list(csv.DictReader(_many(tmp_path).open(newline="")))
    for index in (4, 14):
        rows[index]["weight_grams"] = "80000"
    return _write(tmp_path / "heavy.csv", rows)


def _errors_lines(path) -> list[str]:
    return [row["line"] for row in csv.DictReader(path.open(newline=""))]


@pytest.mark.django_db(transaction=True)
def test_a_batch_committed_just_before_a_kill_keeps_its_rejections_in_the_errors_file(
    run_command, network, tmp_path, monkeypatch
):
    source, errors = _many_with_two_too_heavy(tmp_path), tmp_path / "rejected.csv"
    real = PackageImporter.import_batch
    calls = {"n": 0}

    def killed_right_after_the_second_commit(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            transaction.on_commit(lambda: (_ for _ in ()).throw(KeyboardInterrupt("kill -9")))
        return real(self, rows)

    monkeypatch.setattr(PackageImporter, "import_batch", killed_right_after_the_second_commit)
    with pytest.raises(KeyboardInterrupt):
        run_command("import_packages", str(source), "--batch-size", "10", "--errors", str(errors))
    assert ImportRun.objects.get(kind="import_packages").rows_done == 20
    # The second batch committed: its rejected line 16 is in the file already.
    assert _errors_lines(errors) == ["6", "16"]

    monkeypatch.setattr(PackageImporter, "import_batch", real)
    status, out, _ = run_command(
        "import_packages", str(source), "--batch-size", "10", "--errors", str(errors), "--resume"
    )
    assert status == 1
    assert "created 23, updated 0, unchanged 0, rejected 2; 25 rows (5 this run)" in out
    assert _errors_lines(errors) == ["6", "16"]


def test_a_batch_rolled_back_after_writing_its_rejections_lists_them_once_after_resume(run_command, network, tmp_path):
    source, errors = _many_with_two_too_heavy(tmp_path), tmp_path / "rejected.csv"
    records = {"n": 0}

    def crash_on_the_second_record(execute, sql, params, many, context):
        if sql.startswith('UPDATE "imports_importrun"') and "rows_done" in sql:
            records["n"] += 1
            if records["n"] == 2:
                raise RuntimeError("the Lambda was killed")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(crash_on_the_second_record), pytest.raises(RuntimeError):
        run_command("import_packages", str(source), "--batch-size", "10", "--errors", str(errors))
    assert ImportRun.objects.get(kind="import_packages").rows_done == 10
    assert _errors_lines(errors) == ["6", "16"]  # written, but its batch did not commit

    status, out, _ = run_command(
        "import_packages", str(source), "--batch-size", "10", "--errors", str(errors), "--resume"
    )
    assert status == 1
    assert "rejected 2; 25 rows (15 this run)" in out
    assert _errors_lines(errors) == ["6", "16"]


def test_a_resumed_run_adds_to_its_s3_errors_file_instead_of_replacing_it(
    run_command, network, tmp_path, s3, monkeypatch
):
    rows = list(csv.DictReader(_many_with_two_too_heavy(tmp_path).open(newline="")))
    rows[2]["origin_office"] = "NÖPE9"  # line 4: a reason with characters of more than one byte
    source = _write(tmp_path / "heavy and unknown.csv", rows)
    errors = f"s3://{s3.bucket}/import-errors/heavy.csv"
    real = PackageImporter.import_batch
    calls = {"n": 0}

    def crash_on_the_third_batch(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the Lambda was killed")
        return real(self, rows)

    monkeypatch.setattr(PackageImporter, "import_batch", crash_on_the_third_batch)
    with pytest.raises(RuntimeError):
        run_command("import_packages", str(source), "--batch-size", "10", "--errors", errors)
    monkeypatch.setattr(PackageImporter, "import_batch", real)
    status, _, _ = run_command("import_packages", str(source), "--batch-size", "10", "--errors", errors, "--resume")
    assert status == 1
    body = s3.get_object(Bucket=s3.bucket, Key="import-errors/heavy.csv")["Body"].read().decode()
    assert [row["line"] for row in csv.DictReader(io.StringIO(body))] == ["4", "6", "16"]
    assert "Unknown office code “NÖPE9”." in body
