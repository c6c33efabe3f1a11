"""A private PostgreSQL for laptops and CI without a database server.

When ``DATABASE_URL`` is not set, local and test settings call
:func:`embedded_database_url`, which starts (or reuses) a PostgreSQL from the
``pgserver`` package with its data under ``.data/postgres``. Production never
uses it: it always reads ``DATABASE_URL``.
"""

import logging
import warnings
from pathlib import Path

# parents[2]: the repository root (this file is config/settings/embedded_postgres.py).
DATA_DIR = Path(__file__).resolve().parents[2] / ".data" / "postgres"
DATABASE = "parcels"


def embedded_database_url() -> str:
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs complains about XDG_RUNTIME_DIR on headless machines.
        warnings.simplefilter("ignore")
        # Imported here: pgserver is a development dependency only.
        import pgserver

        # cleanup_mode=None keeps the server running between commands, so the
        # next `manage.py` or pytest run starts in milliseconds instead of seconds.
        server = pgserver.get_server(DATA_DIR, cleanup_mode=None)
    if not server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").count("(1 row)"):  # noqa: S608 (a constant database name)
        server.psql(f"CREATE DATABASE {DATABASE}")
    return server.get_uri(DATABASE)


def stop_embedded(data_dir: Path | str = DATA_DIR) -> bool:
    """Stop the embedded PostgreSQL under ``data_dir`` (``make db-stop``), even
    while other processes still hold pgserver handles on it (pgserver itself
    stops only when the last handle closes). True if a server was stopped."""
    import os
    import platform

    data_dir = Path(data_dir)
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    # pgserver runs the server as its own system user when started by root.
    user = "pgserver" if platform.system() != "Windows" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True
