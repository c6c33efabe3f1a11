"""The record cannot be rewritten by the application: it runs as a role that
may insert into and read tracking events and charges but not change, delete
or empty them, nor switch their triggers off (manage.py grant_application_role,
docs/database-roles.md), while it keeps normal rights on the other tables."""

import io
import os
import re
import shlex
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import psycopg2.errors
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import ProgrammingError

from shipments.models import Charge, TrackingEvent
from tests.factories import register_package

EVENTS, CHARGES = TrackingEvent._meta.db_table, Charge._meta.db_table


@pytest.fixture
def application_role(transactional_db):
    """A login role of its own (roles are shared by every test database of the server)."""
    name = f"parcels_app_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


@pytest.fixture
def as_application(application_role):
    """A connection to the test database as the role, after the grants (in autocommit)."""
    call_command(
        "grant_application_role", application_role, database="default", stdout=io.StringIO(), stderr=io.StringIO()
    )
    owner = connections["default"]
    wrapper = owner.__class__({**owner.settings_dict, "USER": application_role, "PASSWORD": ""}, "app_role")
    yield wrapper
    wrapper.close()


@pytest.fixture
def package(office_a, office_b, tariff):
    return register_package(origin=office_a, destination=office_b)


REFUSED = [
    f"UPDATE {EVENTS} SET note = 'rewritten'",
    f"DELETE FROM {EVENTS}",
    f"TRUNCATE {EVENTS}",
    f"ALTER TABLE {EVENTS} DISABLE TRIGGER shipments_trackingevent_append_only",
    f"ALTER TABLE {EVENTS} DISABLE TRIGGER ALL",
    f"DROP TRIGGER shipments_trackingevent_append_only ON {EVENTS}",
    f"UPDATE {CHARGES} SET total = 0",
    f"DELETE FROM {CHARGES}",
    f"TRUNCATE {CHARGES}",
    f"ALTER TABLE {CHARGES} DISABLE TRIGGER shipments_charge_append_only",
    f"ALTER TABLE {CHARGES} DISABLE TRIGGER ALL",
    "UPDATE shipments_packagechange SET changes = '{}'",
    "DELETE FROM shipments_packagechange",
    "TRUNCATE shipments_packagechange",
    "UPDATE handover_proof SET received_by = 'someone else'",
    "DELETE FROM handover_proof",
    "TRUNCATE handover_proof",
    # The counter's money (counter migration 0002).
    "UPDATE counter_payment SET amount = 0",
    "DELETE FROM counter_payment",
    "TRUNCATE counter_payment",
    "ALTER TABLE counter_payment DISABLE TRIGGER counter_payment_append_only",
    "UPDATE counter_packageaccount SET due = 0",
    "DELETE FROM counter_dayclose",
    "UPDATE counter_remittance SET bank_reference = ''",
    "SELECT setval('shipments_tracking_serial', 10000000)",
    "UPDATE shipments_tracking_serial_scheme SET plain_below = 0",
    "DELETE FROM django_migrations",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_cannot_rewrite_the_record(as_application, package, statement):
    with as_application.cursor() as cursor, pytest.raises(ProgrammingError, match="permission denied|must be owner"):
        cursor.execute(statement)
    assert TrackingEvent.objects.filter(package=package).count() == 1
    assert Charge.objects.get(package=package).total == package.cost_total


def test_the_application_role_inserts_and_reads_the_record_and_writes_the_rest(as_application, package):
    with as_application.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS} (package_id, status, office_id, occurred_at, recorded_at, source, note, reason,"
            " received_by) VALUES (%s, 'accepted', %s, now(), now(), 'scan', '', '', '')",
            [package.pk, package.origin_office_id],
        )
        cursor.execute(f"SELECT count(*) FROM {EVENTS} WHERE package_id = %s", [package.pk])
        assert cursor.fetchone() == (2,)
        cursor.execute(f"SELECT total FROM {CHARGES} WHERE package_id = %s", [package.pk])
        assert cursor.fetchone() == (package.cost_total,)
        # Normal rights on the other tables, and new tracking serials.
        cursor.execute("UPDATE shipments_package SET status = 'accepted' WHERE id = %s", [package.pk])
        cursor.execute("DELETE FROM django_session")
        cursor.execute("SELECT nextval('shipments_tracking_serial')")
        cursor.execute("INSERT INTO api_throttlewindow (key, hits, expires) VALUES ('k', 1, now())")
        cursor.execute("DELETE FROM api_throttlewindow")
    package.refresh_from_db()
    assert package.status == "accepted"


def test_grants_are_idempotent_and_refuse_the_owner_itself(application_role):
    for _ in range(2):
        out = io.StringIO()
        call_command("grant_application_role", application_role, database="default", stdout=out, stderr=io.StringIO())
        # Tracking events, charges, a package's recorded changes, a bag's timeline, proofs of delivery and the
        # counter's four money tables.
        assert "9 append-only (insert and read)" in out.getvalue()
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("grant_application_role", connection.settings_dict["USER"], database="default")
    with pytest.raises(CommandError, match="There is no role"):
        call_command("grant_application_role", "nobody_by_that_name", database="default")


def test_a_dry_run_grants_nothing(application_role):
    out, err = io.StringIO(), io.StringIO()
    call_command("grant_application_role", application_role, database="default", dry_run=True, stdout=out, stderr=err)
    assert "dry run, rolled back" in out.getvalue()
    assert f'GRANT SELECT, INSERT ON "public"."{EVENTS}"' in err.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, 'INSERT')", [application_role, EVENTS])
        assert cursor.fetchone() == (False,)


# --- docs/database-roles.md, as written, on an empty database ------------------------------------

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "database-roles.md"


def documented_steps() -> tuple[str, str]:
    """The guide's SQL block (as the cluster's administrator) and its shell block (as the owner)."""
    text = GUIDE.read_text()
    section = text[text.index("## Creating the roles") :]
    sql = re.search(r"```sql\n(.*?)```", section, re.S)[1]
    shell = re.search(r"```sh\n(.*?)```", section, re.S)[1]
    return sql, shell


@pytest.fixture
def documented_names(db):
    """New roles and a database of their own on the test server (roles are the server's),
    for the guide's parcels_owner, parcels_app and parcels; all dropped afterwards."""
    settings = connection.settings_dict
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
    names = {"parcels_owner": f"scratch_owner_{suffix}", "parcels_app": f"scratch_app_{suffix}"}
    names["parcels"] = f"scratch_roles_{suffix}"
    server = {"host": settings["HOST"], "port": settings["PORT"] or 5432}
    admin = {**server, "user": settings["USER"]} | ({"password": settings["PASSWORD"]} if settings["PASSWORD"] else {})
    yield names, server, admin
    cleanup = psycopg2.connect(dbname="postgres", **admin)
    cleanup.autocommit = True
    with cleanup.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{names["parcels"]}" WITH (FORCE)')
        for role in (names["parcels_app"], names["parcels_owner"]):
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
    cleanup.close()


def _named(text: str, names: dict[str, str]) -> str:
    for documented in ("parcels_owner", "parcels_app", "parcels"):  # the longer names first
        text = re.sub(rf"\b{documented}\b", names[documented], text)
    return text


def _run_documented_sql(sql: str, names: dict[str, str], admin: dict, password: str) -> None:
    """The block as psql runs it: statements ending in ';', `\\c` switching database."""
    connection_to = None
    statement = ""
    try:
        connection_to = psycopg2.connect(dbname="postgres", **admin)
        connection_to.autocommit = True  # CREATE DATABASE
        for line in _named(sql, names).splitlines():
            line = line.split("--")[0].strip()
            if line.startswith("\\c "):
                connection_to.close()
                connection_to = psycopg2.connect(dbname=line.split()[1], **admin)
                connection_to.autocommit = True
                continue
            statement += " " + line.replace("'...'", f"'{password}'")
            if statement.rstrip().endswith(";"):
                with connection_to.cursor() as cursor:
                    cursor.execute(statement)
                statement = ""
    finally:
        if connection_to is not None:
            connection_to.close()
    assert not statement.strip(), f"unfinished statement in the guide: {statement}"


def _run_documented_shell(shell: str, names: dict[str, str], server: dict, password: str) -> list[str]:
    """Each `export NAME=postgres://...` pointed at the test server, each `manage.py ...` run."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env.pop("DATABASE_MIGRATION_URL", None)
    commands = []
    for line in _named(shell, names).splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            name, _, url = words[1].partition("=")
            documented = urlsplit(url)
            env[name] = (
                f"postgres://{documented.username}:{password}@{server['host']}:{server['port']}{documented.path}"
            )
        elif words[:1] == ["manage.py"]:
            command = [sys.executable, "manage.py", *words[1:]]
            result = subprocess.run(  # noqa: S603 (this interpreter, the project's manage.py)
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
            commands.append(" ".join(words[1:]))
    return commands


def _rights(cursor, role: str) -> dict[str, set[str]]:
    """What the role may do on each table of the public schema."""
    cursor.execute(
        "SELECT c.relname, p.privilege FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
        " unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(privilege)"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege(%s, c.oid, p.privilege)",
        [role],
    )
    rights: dict[str, set[str]] = {}
    for table, privilege in cursor.fetchall():
        rights.setdefault(table, set()).add(privilege)
    return rights


GUARDED_LATER = """
CREATE TABLE shipments_later_record (id bigserial PRIMARY KEY, note text NOT NULL);
CREATE TRIGGER shipments_later_record_append_only BEFORE UPDATE OR DELETE ON shipments_later_record
    FOR EACH ROW EXECUTE FUNCTION shipments_refuse_change();
CREATE TABLE shipments_later_plain (id bigserial PRIMARY KEY, note text NOT NULL);
"""


def test_the_documented_roles_setup_works_from_an_empty_database_and_never_lets_the_application_rewrite_the_record(
    documented_names,
):
    names, server, admin = documented_names
    password = f"pw-{uuid.uuid4().hex}"
    sql, shell = documented_steps()
    _run_documented_sql(sql, names, admin, password)
    commands = _run_documented_shell(shell, names, server, password)
    assert commands[0].startswith("migrate --database migrations"), commands
    assert commands[-1].startswith("grant_application_role"), commands

    owner = {**server, "dbname": names["parcels"], "user": names["parcels_owner"], "password": password}
    application = {**owner, "user": names["parcels_app"]}
    with psycopg2.connect(**owner) as as_owner, as_owner.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchall() == [(names["parcels_owner"],)]
        rights = _rights(cursor, names["parcels_app"])
        assert rights[EVENTS] == rights[CHARGES] == {"SELECT", "INSERT"}
        assert rights["shipments_package"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
        # A later migration: an append-only table and a plain one, before the grant is run again.
        cursor.execute(GUARDED_LATER)
    as_owner.close()
    with psycopg2.connect(**owner) as as_owner, as_owner.cursor() as cursor:
        rights = _rights(cursor, names["parcels_app"])
        assert rights["shipments_later_record"] == rights["shipments_later_plain"] == {"SELECT", "INSERT"}
    as_owner.close()

    # What the application sees when it tries.
    with psycopg2.connect(**application) as as_application, as_application.cursor() as cursor:
        cursor.execute("INSERT INTO shipments_later_record (note) VALUES ('recorded')")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
            cursor.execute("UPDATE shipments_later_record SET note = 'rewritten'")
    as_application.close()

    _run_documented_shell(shell, names, server, password)  # the grant after every migrate
    with psycopg2.connect(**owner) as as_owner, as_owner.cursor() as cursor:
        rights = _rights(cursor, names["parcels_app"])
        assert rights["shipments_later_record"] == {"SELECT", "INSERT"}, "guarded by the append-only trigger"
        assert rights["shipments_later_plain"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
        assert rights[EVENTS] == rights[CHARGES] == {"SELECT", "INSERT"}
        # Nothing the owner creates from now on is writable by UPDATE or DELETE before a grant.
        cursor.execute(
            "SELECT acl::text FROM pg_default_acl, unnest(defaclacl) AS acl WHERE defaclobjtype = 'r'"
            " AND acl::text LIKE %s",
            [f"{names['parcels_app']}=%"],
        )
        assert cursor.fetchall() == [(f"{names['parcels_app']}=ar/{names['parcels_owner']}",)]
    as_owner.close()
