"""Give the application's database role what it needs and no more: read and
write the tables, but only insert into and read the append-only record
(tracking events, charges, and any table guarded by the append-only triggers),
never own anything. Run by the tables' owner after every migrate
(docs/database-roles.md). Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from shipments.models import Charge, TrackingEvent

# The record: inserted and read, never changed, deleted or emptied.
APPEND_ONLY_TABLES = (TrackingEvent._meta.db_table, Charge._meta.db_table)
# The trigger functions that refuse UPDATE/DELETE and TRUNCATE (shipments migrations 0002
# and 0008): any other table a migration guards with them is append-only too.
APPEND_ONLY_TRIGGER_FUNCTIONS = ("shipments_refuse_change", "shipments_refuse_truncate")
# What the application gets on a table the owner creates later, before this command has
# run again: insert and read, as on the record. Whether the table turns out to be
# append-only or not, the application never holds UPDATE or DELETE on it, not even
# between a migrate and the next grant (rerunning this adds them to the others).
DEFAULT_TABLE_RIGHTS = "SELECT, INSERT"
# Written by migrations only: the migration history, where the plain tracking serials ended.
READ_ONLY_TABLES = ("django_migrations", "shipments_tracking_serial_scheme")


class Command(BaseCommand):
    help = (
        "Grant ROLE (default: the user of DATABASE_URL) the application's rights on this database: "
        "SELECT, INSERT, UPDATE, DELETE on every table but the append-only record (SELECT, INSERT: tracking "
        "events, charges and any table with the append-only triggers) and the migration tables (SELECT), "
        "sequences to draw from, and SELECT, INSERT only on tables the owner creates later. Run as the tables' "
        "owner (--database migrations, DATABASE_MIGRATION_URL) after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", help="The application's role (default: DATABASE_URL's user).")
        parser.add_argument(
            "--database", default="migrations", help="The alias connected as the tables' owner (default: migrations)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the statements and roll them back.")

    def handle(self, *args, role, database, dry_run, **options):
        connection = connections[database]
        role = role or connections["default"].settings_dict["USER"]
        quote = connection.ops.quote_name
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema(), current_database()")
            owner, schema, database_name = cursor.fetchone()
            self._check(cursor, role=role, owner=owner, schema=schema)
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tableowner = current_user ORDER BY 1",
                [schema],
            )
            tables = [name for (name,) in cursor.fetchall()]
            cursor.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = %s AND sequenceowner = current_user",
                [schema],
            )
            sequences = [name for (name,) in cursor.fetchall()]
            missing = [table for table in APPEND_ONLY_TABLES if table not in tables]
            if missing:
                raise CommandError(f"{', '.join(missing)} not found among {owner}'s tables: run migrate first.")
            append_only = sorted({*APPEND_ONLY_TABLES, *self._guarded_tables(cursor, schema)} & set(tables))
            statements = self._statements(quote, role, schema, database_name, tables, sequences, append_only)
            for statement in statements:
                if dry_run or options["verbosity"] > 1:
                    self.stderr.write(statement)
                cursor.execute(statement)
            if dry_run:
                transaction.set_rollback(True, using=database)
        read_only = len([table for table in READ_ONLY_TABLES if table in tables])
        summary = (
            f"{role}: {len(tables) - len(append_only) - read_only} tables read-write, {len(append_only)} append-only "
            f"(insert and read), {read_only} read-only, {len(sequences)} sequences"
        )
        self.stdout.write(f"{summary} (dry run, rolled back)." if dry_run else f"{summary}.")

    def _check(self, cursor, *, role: str, owner: str, schema: str) -> None:
        if role == owner:
            raise CommandError(
                f"{role} is the role running this command, which owns the tables: the application must run as "
                "another role (DATABASE_URL) and migrations as the owner (DATABASE_MIGRATION_URL). "
                "See docs/database-roles.md."
            )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise CommandError(f"There is no role {role}: create it first (docs/database-roles.md).")
        if found[0]:
            raise CommandError(f"{role} is a superuser, which no grant can restrict.")
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tableowner = %s", [schema, role])
        if cursor.fetchone()[0]:
            raise CommandError(
                f"{role} owns tables in {schema}, so it could rewrite or drop them whatever it is granted: "
                "make the migration role their owner (REASSIGN OWNED, docs/database-roles.md)."
            )

    def _guarded_tables(self, cursor, schema: str) -> list[str]:
        """The tables of the schema with an append-only trigger."""
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE n.nspname = %s AND NOT t.tgisinternal AND p.proname = ANY(%s)",
            [schema, list(APPEND_ONLY_TRIGGER_FUNCTIONS)],
        )
        return [name for (name,) in cursor.fetchall()]

    def _statements(
        self, quote, role, schema, database, tables: list[str], sequences: list[str], append_only: list[str]
    ) -> list[str]:
        role, schema = quote(role), quote(schema)
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            # Nothing that would let it change the schema, the triggers or other roles' rights.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        ]
        for table in tables:
            if table in append_only:
                rights = "SELECT, INSERT"
            elif table in READ_ONLY_TABLES:
                rights = "SELECT"
            else:
                rights = "SELECT, INSERT, UPDATE, DELETE"
            statements.append(f"GRANT {rights} ON {schema}.{quote(table)} TO {role}")
        # nextval only: setval would let it hand out a tracking serial again.
        statements += [f"GRANT USAGE, SELECT ON SEQUENCE {schema}.{quote(name)} TO {role}" for name in sequences]
        # Tables and sequences the owner creates in later migrations: insert and read only
        # until this command runs again (after every migrate), which tells the record from the
        # rest. The REVOKE takes back the UPDATE and DELETE earlier versions granted by default.
        statements += [
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {DEFAULT_TABLE_RIGHTS} ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        return statements
