"""Backups of the shared database: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL.

`backup` is safe while the bot runs (SQLite copies a consistent snapshot page by page; pg_dump reads
in one transaction). `restore` replaces the database's contents and is meant for a stopped bot (see
docs/operations.md); the caller applies the migrations afterwards, so an older backup comes up to date.
A backup is written beside its destination first and renamed at the end: a failed one leaves no
half-written file with the right name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# asyncpg's URL options that libpq knows under another name, and those it knows as they are.
_LIBPQ_RENAMED = {"ssl": "sslmode"}
_LIBPQ_KEPT = {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "connect_timeout", "host",
               "options", "target_session_attrs"}


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


def backup(database_url: str, target: Path) -> None:
    url = make_url(database_url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url, must_exist=True), partial)
        else:
            conninfo, env = libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", conninfo], env)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(database_url: str, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        path = _sqlite_path(url, must_exist=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, path)
    else:
        conninfo, env = libpq(url)
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(source)], env)


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """SQLAlchemy's postgresql+asyncpg URL as a libpq connection URI, and the environment for the
    client tools: the password goes in PGPASSWORD, not on a command line others can read."""
    query = {}
    for key, value in url.query.items():
        name = _LIBPQ_RENAMED.get(key, key)
        if name in _LIBPQ_KEPT:
            query[name] = value
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=query)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (Debian: postgresql-client), "
                          "of the server's major version or newer")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' / '.join(why[-3:]) or f'exit {done.returncode}'}")


def _sqlite_path(url: URL, *, must_exist: bool) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"{path}: no such database file")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    with closing(sqlite3.connect(_read_only(source), uri=True, timeout=15)) as src, \
            closing(sqlite3.connect(target, timeout=15)) as dst:
        src.backup(dst)


def _read_only(path: Path) -> str:
    """A read-only SQLite URI for a path (percent-encoded: a space or a '?' in a name stays a name)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _check_sqlite_backup(source: Path) -> None:
    """Refuse a file that is not an SQLite database of this assistant before anything is overwritten."""
    try:
        with closing(sqlite3.connect(_read_only(source), uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{source}: the database in it is damaged")
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: not a backup of this assistant's SQLite database ({exc})") from None
