"""Progress on stderr: a tqdm bar on a terminal, one-line records otherwise
(what CloudWatch keeps from a Lambda's output)."""

import io

import pytest
from django.core.management import call_command

import imports.framework
from tests.helpers import IMPORT_DATA as DATA

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_progress_is_one_line_records(run_command, network, monkeypatch):
    monkeypatch.setattr(imports.framework, "PROGRESS_EVERY_SECONDS", 0.0)  # a record after every batch
    status, _, err = run_command("import_packages", str(DATA / "packages.csv"), "--batch-size", "1")
    assert status == 0
    records = [line for line in err.splitlines() if line]
    assert [record.split(" (")[0] for record in records] == [f"import_packages: {n} rows done" for n in (1, 2, 3, 4)]
    assert all(record.endswith(" rows/s)") for record in records)
    assert "\r" not in err


def test_on_a_terminal_progress_is_a_tqdm_bar(network):
    terminal = Terminal()
    call_command(
        "import_packages", str(DATA / "packages.csv"), "--batch-size", "1", stdout=io.StringIO(), stderr=terminal
    )
    bar = terminal.getvalue()
    assert "\r" in bar  # redrawn in place
    assert bar.rstrip().rsplit("\r", 1)[-1].startswith("import_packages: 4 rows")
    assert "rows done" not in bar
