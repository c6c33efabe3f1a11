"""Give the application's database role what it needs and no more: read and
write the tables, but only insert into and read the append-only record
(tracking events, charges), never own anything. Run by the tables' owner
after every migrate (docs/database-roles.md). Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from shipments.models import Charge, TrackingEvent

# The record: inserted and read, never changed, deleted or emptied.
APPEND_ONLY_TABLES = (TrackingEvent._meta.db_table, Charge._meta.db_table)
# Written by migrations only: the migration history, where the plain tracking serials ended.
READ_ONLY_TABLES = ("django_migrations", "shipments_tracking_serial_scheme")


class Command(BaseCommand):
    help = (
        "Grant ROLE (default: the user of DATABASE_URL) the application's rights on this database: "
        "SELECT, INSERT, UPDATE, DELETE on every table but the append-only record (SELECT, INSERT) "
        "and the migration tables (SELECT), sequences to draw from, and the same on tables the owner creates "
        "later. Run as the tables' owner (--database migrations, DATABASE_MIGRATION_URL) after every migrate."
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
            statements = self._statements(quote, role, schema, database_name, tables, sequences)
            for statement in statements:
                if dry_run or options["verbosity"] > 1:
                    self.stderr.write(statement)
                cursor.execute(statement)
            if dry_run:
                transaction.set_rollback(True, using=database)
        append_only = len(APPEND_ONLY_TABLES)
        read_only = len([table for table in READ_ONLY_TABLES if table in tables])
        summary = (
            f"{role}: {len(tables) - append_only - read_only} tables read-write, {append_only} append-only "
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

    def _statements(self, quote, role, schema, database, tables: list[str], sequences: list[str]) -> list[str]:
        role, schema = quote(role), quote(schema)
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            # Nothing that would let it change the schema, the triggers or other roles' rights.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        ]
        for table in tables:
            if table in APPEND_ONLY_TABLES:
                rights = "SELECT, INSERT"
            elif table in READ_ONLY_TABLES:
                rights = "SELECT"
            else:
                rights = "SELECT, INSERT, UPDATE, DELETE"
            statements.append(f"GRANT {rights} ON {schema}.{quote(table)} TO {role}")
        # nextval only: setval would let it hand out a tracking serial again.
        statements += [f"GRANT USAGE, SELECT ON SEQUENCE {schema}.{quote(name)} TO {role}" for name in sequences]
        # Tables and sequences the owner creates in later migrations (run this command again
        # after a migration that adds an append-only table).
        statements += [
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        return statements
