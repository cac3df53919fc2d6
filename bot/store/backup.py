"""Backups of the shared database: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL.

`backup` is safe while the bot runs (SQLite copies a consistent snapshot page by page; pg_dump reads
in one transaction). `restore` replaces the database's contents and is meant for a stopped bot (see
docs/operations.md); the caller applies the migrations afterwards, so an older backup comes up to date.
A backup is written beside its destination first and renamed at the end: a failed one leaves no
half-written file with the right name.
"""

from __future__ import annotations

import os
import re
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


BACKUP_MODE = 0o600


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


def backup(database_url: str, target: Path) -> None:
    url = make_url(database_url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # A backup holds personal data: readable by its owner only (0600), from its first byte on (SQLite
        # and pg_dump write into the file made here, which keeps its mode, whatever the umask).
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, BACKUP_MODE))
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url, must_exist=True), partial)
        else:
            conninfo, env = libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", conninfo], env)
        os.chmod(partial, BACKUP_MODE)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(database_url: str, source: Path) -> None:
    """Replace the database with a backup's contents, once the backup is checked: a database of this
    assistant (its tables, nothing else: no trigger, view or function to run later), at a revision this
    release knows (not a newer release's). Refused while anything else has the database open (a running
    bot). Before, a backup from a newer release, one with only `alembic_version`, or one carrying a trigger
    all landed over the live data (issue 27)."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url, must_exist=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        checked = path.with_name(path.name + ".restore-check")
        checked.unlink(missing_ok=True)
        try:
            try:  # checked in a copy: the live database is not touched until it passes
                _sqlite_copy(source, checked)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{source}: not a backup of this assistant's SQLite database ({exc})") from None
            _check_sqlite_backup(checked, shown=source)
            if path.exists():
                _sqlite_not_in_use(path)
            _sqlite_copy(checked, path)
        finally:
            checked.unlink(missing_ok=True)
    else:
        conninfo, env = libpq(url)
        _check_pg_archive(source, env)
        _pg_not_in_use(conninfo, env)
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(source)], env)


# ------------------------------------------------------------------ what a backup may hold
def _our_tables() -> set[str]:
    from bot.store.models import Base

    return {*Base.metadata.tables, "alembic_version"}


def _check_revision(revision: str | None, shown: Path) -> None:
    from bot.store.migrate import known_revisions

    if not revision:
        raise BackupError(f"{shown}: no migration revision in it; not a backup of this assistant")
    if revision not in known_revisions():
        raise BackupError(f"{shown}: made by another (newer?) release of the assistant, at revision {revision!r}; "
                          "upgrade the assistant first, then restore")


def _check_tables(found: set[str], shown: Path) -> None:
    ours = _our_tables()
    foreign = sorted(found - ours)
    if foreign:
        raise BackupError(f"{shown}: holds tables this assistant does not have ({', '.join(foreign[:5])})")
    missing = sorted(ours - found)
    if missing:
        raise BackupError(f"{shown}: lacks the assistant's tables ({', '.join(missing[:5])}); not a whole backup")


def _check_sqlite_backup(source: Path, *, shown: Path | None = None) -> None:
    """Refuse a file that is not an SQLite database of this assistant before anything is overwritten."""
    shown = shown or source
    try:
        with closing(sqlite3.connect(_read_only(source), uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{shown}: the database in it is damaged")
            objects = conn.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
            tables = {name for kind, name, _ in objects if kind == "table" and not name.startswith("sqlite_")}
            others = sorted(f"{kind} {name}" for kind, name, _ in objects if kind not in ("table", "index"))
            if others:  # a trigger or a view would run its own SQL on our writes and reads
                raise BackupError(f"{shown}: holds objects this assistant never makes ({', '.join(others[:5])})")
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown}: not a backup of this assistant's SQLite database ({exc})") from None
    _check_revision(revision, shown)
    _check_tables(tables, shown)


def _sqlite_not_in_use(path: Path) -> None:
    """In WAL mode every open connection holds a shared lock on the file: an exclusive lock is refused while
    a bot (or anything else) has it open."""
    try:
        with closing(sqlite3.connect(path, timeout=0)) as conn:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        raise BackupError(f"{path} is in use (is the bot running?): stop it first, then restore") from None


# pg_restore --list's object types a dump of this assistant's schema has; anything else (a trigger, a
# function, a view, a rule, a policy, an extension) is refused
_PG_TYPES = ("SEQUENCE OWNED BY", "SEQUENCE SET", "FK CONSTRAINT", "TABLE DATA", "CONSTRAINT", "SEQUENCE",
             "DEFAULT", "COMMENT", "SCHEMA", "INDEX", "TABLE")
_PG_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+(.*)$")


def _check_pg_archive(source: Path, env: dict[str, str]) -> None:
    listing = _output([_tool("pg_restore"), "--list", str(source)], env, f"{source}: not a pg_dump archive")
    tables: set[str] = set()
    for line in listing.splitlines():
        entry = _PG_ENTRY.match(line.strip())
        if entry is None:
            continue
        rest = entry.group(1)
        kind = next((k for k in _PG_TYPES if rest.startswith(k + " ")), None)
        if kind is None:
            raise BackupError(f"{source}: holds objects this assistant never makes ({' '.join(rest.split()[:3])})")
        words = rest[len(kind):].split()
        if kind == "TABLE" and len(words) >= 2:
            tables.add(words[1])
    data = _output([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)], env,
                   f"{source}: not a pg_dump archive")
    found = re.search(r"^COPY [\w.]*alembic_version \(version_num\) FROM stdin;\n([^\n]*)\n", data, re.M)
    revision = found.group(1).strip() if found and found.group(1) != "\\." else None
    _check_revision(revision, source)
    _check_tables(tables, source)


def _pg_not_in_use(conninfo: str, env: dict[str, str]) -> None:
    others = _output([_tool("psql"), "--no-psqlrc", "-At", "-c",
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid() AND backend_type = 'client backend'", conninfo], env, "psql could not reach the database").strip()
    if others not in ("", "0"):
        raise BackupError(f"the database has {others} other connection(s) open (is the bot running?): "
                          "stop it first, then restore")


def _output(command: list[str], env: dict[str, str], refused: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{refused}: {' / '.join(why[-2:]) or f'exit {done.returncode}'}")
    return done.stdout


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
