"""The layout rules of docs and STYLE: config wires and imports no app, no
module uses another app's admin as a library, and admin modules stay small."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "offices", "shipments", "notifications", "dispatches", "counter")


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]


def test_config_imports_no_app():
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name.split(".")[0] in APPS)
        for path in _python_files("config")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.mark.parametrize("app", APPS)
def test_no_module_imports_another_apps_admin(app):
    offenders = {}
    for path in _python_files(*APPS):
        own_app = path.relative_to(ROOT).parts[0]
        foreign = [name for name in _imports(path) if own_app != app and name.split(".")[:2] == [app, "admin"]]
        if foreign:
            offenders[str(path.relative_to(ROOT))] = foreign
    assert offenders == {}


def test_admin_modules_stay_readable():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for path in _python_files("offices", "shipments", "dispatches", "counter")
        if "admin" in path.parts or path.name.startswith("admin")
    }
    assert sizes
    assert {path: lines for path, lines in sizes.items() if lines > 320} == {}


def test_every_csv_we_write_goes_through_the_formula_neutraliser():
    """A CSV writer of its own (csv.writer, a COPY ... TO) would hand a
    spreadsheet its formulas: imports.csv_cells is the one way to write CSV."""
    writers = {}
    for path in _python_files(*APPS, "imports", "demo"):
        text = path.read_text()
        found = [marker for marker in ("csv.writer(", "csv.DictWriter(", "TO STDOUT") if marker in text]
        if found:
            writers[str(path.relative_to(ROOT))] = found
    assert writers == {
        "imports/csv_cells.py": ["csv.writer("],
        # Its text columns are neutralised in the SELECT (csv_cells.neutralised_sql).
        "shipments/imports/exports.py": ["TO STDOUT"],
    }


def test_no_module_of_the_project_grows_past_400_lines():
    """The style's limit (STYLE.md, "no module over ~400 lines"): a module that
    grows past it is split along its seams, as counter.selectors and
    shipments.step_rules were."""
    folders = sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name != "tests")
    sizes = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in _python_files(*folders)}
    assert len(sizes) > 100
    assert {path: lines for path, lines in sizes.items() if lines > 400} == {}
