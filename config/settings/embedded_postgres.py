"""A private PostgreSQL for laptops and CI without a database server.

When ``DATABASE_URL`` is not set, local and test settings call
:func:`embedded_database_url`, which starts (or reuses) a PostgreSQL from the
``pgserver`` package with its data under ``.data/postgres``. Production never
uses it: it always reads ``DATABASE_URL``.
"""

import atexit
import json
import logging
import os
import warnings
from pathlib import Path

# parents[2]: the repository root (this file is config/settings/embedded_postgres.py).
DATA_DIR = Path(__file__).resolve().parents[2] / ".data" / "postgres"
DATABASE = "parcels"


def embedded_database_url(data_dir: Path = DATA_DIR) -> str:
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs complains about XDG_RUNTIME_DIR on headless machines.
        warnings.simplefilter("ignore")
        # Imported here: pgserver is a development dependency only.
        import pgserver
        from pgserver.postgres_server import PostgresServer

        # pgserver counts the processes using a server in .handle_pids.json, rewritten
        # (truncated, then written) by each one at start and at exit. A process stopped
        # mid-write (Ctrl-C on `make run`) leaves it empty, and every later start failed
        # on it. We never stop the server on exit (cleanup_mode=None below), so the
        # count serves nothing: an unreadable one is dropped before the start, and no
        # process of ours writes it at exit.
        with PostgresServer._lock:
            _drop_unreadable_handle_list(data_dir)
        # cleanup_mode=None keeps the server running between commands, so the
        # next `manage.py` or pytest run starts in milliseconds instead of seconds.
        server = pgserver.get_server(data_dir, cleanup_mode=None)
        atexit.unregister(server._cleanup)
        with PostgresServer._lock:
            server.global_process_id_list.get_and_remove(os.getpid())
    if not server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").count("(1 row)"):  # noqa: S608 (a constant database name)
        server.psql(f"CREATE DATABASE {DATABASE}")
    return server.get_uri(DATABASE)


def _drop_unreadable_handle_list(data_dir: Path) -> None:
    handles = data_dir / ".handle_pids.json"
    try:
        if isinstance(json.loads(handles.read_text()), list):
            return
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        pass
    handles.unlink(missing_ok=True)


def stop_embedded(data_dir: Path | str = DATA_DIR) -> bool:
    """Stop the embedded PostgreSQL under ``data_dir`` (``make db-stop``), even
    while other processes still hold pgserver handles on it (pgserver itself
    stops only when the last handle closes). True if a server was stopped."""
    import platform

    data_dir = Path(data_dir)
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import importlib

        # Made at run time by pgserver (one function per PostgreSQL program).
        pg_ctl = importlib.import_module("pgserver._commands").pg_ctl

    # pgserver runs the server as its own system user when started by root.
    user = "pgserver" if platform.system() != "Windows" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True
