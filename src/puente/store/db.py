"""Every difference between SQLite and PostgreSQL lives in this module.

- engines: SQLite in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` for write
  transactions (so two writers queue instead of failing on lock upgrade); PostgreSQL
  through psycopg 3;
- full-text search: an FTS5 virtual table on SQLite, a ``tsvector`` column with a GIN
  index on PostgreSQL, behind ``fts_*`` functions with one signature;
- serialising writers of a hash chain (``lock_chain``): SQLite's immediate transaction
  already excludes other writers; PostgreSQL takes a transaction-scoped advisory lock;
- upserts (``upsert``);
- queuing writers of one SQLite engine in arrival order (``WriterQueue``).

Nothing else in the code base may test ``dialect.name``.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.sql.dml import Insert


def is_sqlite(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "sqlite"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` URLs as users write them and pick the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


SQLITE_CACHE_KB = 65_536


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            # 64 MB of page cache per connection (SQLite's default is 2 MB): a 1M-record
            # node's indexes stop being re-read from the OS for every page of a load or
            # sync (bench/sync.py at 1M: 170 s → 151 s); filled only as it is used
            cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get("write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # psycopg prepares a statement on the server after five runs, and PostgreSQL may
    # then keep one generic plan for it, chosen while the table was small: the
    # "which of these ids exist" look-up of every write batch stayed a sequential scan
    # as the table grew, and loading 200k records in batches took 472 s (each batch
    # slower than the last). Planned per run, it is an index look-up.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"prepare_threshold": None},
    )


class WriterQueue:
    """Write transactions of one process on one SQLite database, first come first
    served.

    SQLite has one write lock; a writer that finds it taken sleeps and polls (up to
    100 ms between polls). A thread writing transaction after transaction — the
    background feed builder of ``puente serve`` — takes it again microseconds after
    each commit, so a request handler polling for it waited chunk after chunk (a third
    of a 200k-record sync went on waiting for pages). Here a writer that finds another
    one in the process queues, and the one leaving hands the turn to the first in line.
    A writer that waits ``timeout`` seconds stops queuing and leaves it to SQLite's
    busy timeout, as before; a thread inside a write transaction that opens another
    (never done, it would wait on itself) is not queued either.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._owner: int | None = None
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait for this thread's turn; False if it did not queue (see above)."""
        me = threading.get_ident()
        with self._lock:
            if not self._busy:
                self._busy, self._owner = True, me
                return True
            if self._owner == me:
                return False
            turn = threading.Event()
            self._waiting.append(turn)
        if not turn.wait(timeout):
            with self._lock:
                if turn in self._waiting:
                    self._waiting.remove(turn)
                    return False
        with self._lock:  # handed over: the queue stayed busy for us
            self._owner = me
        return True

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._owner = None
                self._waiting.popleft().set()
            else:
                self._busy, self._owner = False, None


_writer_queues: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def _writer_queue(engine: Engine) -> WriterQueue | None:
    if not is_sqlite(engine):
        return None  # PostgreSQL locks rows, and its advisory locks queue fairly
    with _queues_lock:
        queue = _writer_queues.get(engine)
        if queue is None:
            queue = _writer_queues[engine] = WriterQueue()
        return queue


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any error."""
    queue = _writer_queue(engine)
    queued = queue.acquire(timeout=60) if queue is not None else False
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(write=True)
            with conn.begin():
                yield conn
    finally:
        if queued and queue is not None:
            queue.release()


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def lock_chain(conn: Connection, name: str) -> None:
    """Serialise appenders to the hash chain ``name`` for the rest of the transaction."""
    if is_sqlite(conn):
        return  # BEGIN IMMEDIATE already holds the database's single write lock
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def upsert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert ``rows``, replacing the non-key columns of rows whose ``keys`` exist."""
    if not rows:
        return
    stmt: Insert
    if is_sqlite(conn):
        s = sqlite_insert(table)
        stmt = s.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: s.excluded[c] for c in rows[0] if c not in keys},
        )
    else:
        p = pg_insert(table)
        stmt = p.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: p.excluded[c] for c in rows[0] if c not in keys},
        )
    conn.execute(stmt, list(rows))


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Bulk insert positional rows, the ingest hot path: SQLite's ``executemany`` (no
    per-row SQL compilation), PostgreSQL's ``COPY … FROM STDIN`` (binary-free text COPY
    through psycopg, inside the caller's transaction)."""
    if not rows:
        return
    if is_sqlite(conn):
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows)
        )
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def select_in(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    where: dict[str, Any] | None = None,
    chunk: int = 500,
) -> Iterator[Sequence[Any]]:
    """``columns`` of the rows of ``table`` whose ``key`` is one of ``values`` (any
    number of them, asked ``chunk`` at a time) and whose ``where`` columns equal the
    given values. The placeholders are the driver's own (``?`` for sqlite3, ``%s`` for
    psycopg): SQLAlchemy renders an expanding ``IN`` parameter value by value, ~3 µs a
    value against ~0.8 µs for the whole query this way, on the exchange and ingest hot
    paths. Names come from the code, values are always bound."""
    mark = "?" if is_sqlite(conn) else "%s"
    fixed = list((where or {}).items())
    head = f"SELECT {', '.join(columns)} FROM {table.name} WHERE " + "".join(
        f"{name} = {mark} AND " for name, _ in fixed
    )
    for i in range(0, len(values), chunk):
        part = values[i : i + chunk]
        sql = f"{head}{key} IN ({', '.join([mark] * len(part))})"
        yield from conn.exec_driver_sql(sql, (*(v for _, v in fixed), *part))


# --- full-text search -------------------------------------------------------------

FTS_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_names USING fts5("
    "record_id UNINDEXED, names, tokenize = 'unicode61 remove_diacritics 2')"
)
# PostgreSQL's GIN index queues new entries in a "pending list" that every search scans
# linearly until a vacuum merges it: after a 20k-record load a search took 20 ms instead
# of 0.2 ms. The list is kept short (256 kB instead of 4 MB) and merged after bulk loads.
GIN_PENDING_KB = 256
FTS_POSTGRES = (
    "CREATE TABLE IF NOT EXISTS search_names ("
    " record_id VARCHAR(200) PRIMARY KEY,"
    " names TEXT NOT NULL,"
    " tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', names)) STORED)",
    "CREATE INDEX IF NOT EXISTS ix_search_names_tsv ON search_names USING GIN (tsv)"
    f" WITH (gin_pending_list_limit = {GIN_PENDING_KB})",
)


def fts_create(conn: Connection) -> None:
    if is_sqlite(conn):
        conn.exec_driver_sql(FTS_SQLITE)
    else:
        for stmt in FTS_POSTGRES:
            conn.exec_driver_sql(stmt)


def fts_tune(conn: Connection) -> None:
    """Bring an existing full-text index to the settings ``fts_create`` gives new ones."""
    if not is_sqlite(conn):
        conn.exec_driver_sql(
            f"ALTER INDEX ix_search_names_tsv SET (gin_pending_list_limit = {GIN_PENDING_KB})"
        )


def fts_drop(conn: Connection) -> None:
    conn.exec_driver_sql("DROP TABLE IF EXISTS search_names")


def fts_replace(conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
    """Index ``(record_id, names)`` pairs, replacing what each record had."""
    if not rows:
        return
    conn.execute(
        text("DELETE FROM search_names WHERE record_id = :id"), [{"id": r[0]} for r in rows]
    )
    fts_insert_new(conn, rows)


def fts_insert_new(conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
    """Index records known to have no entry yet (fresh inserts: no delete needed)."""
    insert_rows(conn, "search_names", ("record_id", "names"), [r for r in rows if r[1]])


def fts_delete(conn: Connection, ids: Sequence[str]) -> None:
    """Remove the index entries of records that no longer exist (same SQL on both)."""
    if ids:
        conn.execute(
            text("DELETE FROM search_names WHERE record_id = :id"), [{"id": i} for i in ids]
        )


def fts_match_sql(conn: Connection) -> str:
    """SQL selecting ``record_id`` of names matching every token in ``:q``.

    The tokens are already normalised (ASCII, lower case) by the caller, so both
    backends see the same words and the result does not depend on their stemmers.
    """
    if is_sqlite(conn):
        return "SELECT record_id FROM search_names WHERE search_names MATCH :q"
    return "SELECT record_id FROM search_names WHERE tsv @@ to_tsquery('simple', :q)"


def fts_query(conn: Connection, tokens: Sequence[str], prefix_last: bool = True) -> str:
    """Build the backend's query string from normalised tokens (all must match)."""
    safe = ["".join(ch for ch in t if ch.isalnum()) for t in tokens]
    safe = [t for t in safe if t]
    if is_sqlite(conn):
        parts = [f'"{t}"' for t in safe]
        if prefix_last and parts:
            parts[-1] = parts[-1] + "*"
        return " AND ".join(parts)
    parts = list(safe)
    if prefix_last and parts:
        parts[-1] = parts[-1] + ":*"
    return " & ".join(parts)


def after_bulk_load(conn: Connection) -> None:
    """Refresh planner statistics after a large load, so searches use the indexes."""
    if is_sqlite(conn):
        conn.exec_driver_sql("PRAGMA optimize")
    else:
        conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_search_names_tsv')")
        conn.exec_driver_sql("ANALYZE records, search_names, identifiers")
