"""A committed catalogue edit survives the writer's death and the database server's (engineering.md C5 T2).

The archive promises that once an archivist is told "đã lưu", the edit is there after any crash.
Both tests drive ``tests/reliability/db_crash_child.py``, a ``khoso``-settings process that edits
through ``archive.services`` and prints ``ack <file id> <revision>`` after each commit, and then
check every acknowledged edit against the database:

* the file exists and its revision is at least the acknowledged one (an edit committed just before
  the crash but not yet acknowledged may be there too);
* its revision equals its number of ``IndexChange`` rows: the row and the search log entry written
  in the same transaction are both there or both absent, never one of them.

SQLite (the embedded default): the writer is SIGKILLed at random moments 20 times over 2,000 edits;
after each kill and at the end ``PRAGMA integrity_check`` is ``ok``, and the application's own
connection reports ``journal_mode=wal`` and ``synchronous=2`` (FULL).

PostgreSQL: the machine's shared server must keep running, so the test starts a private cluster
(``initdb --data-checksums``, loopback, a free port), stops it with ``pg_ctl stop -m immediate``
in the middle of the edits, restarts it and requires ``data_checksums = on``, no checksum failures
after ``pg_amcheck`` has read every heap and index page, and the application writing again.
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHILD = Path(__file__).with_name("db_crash_child.py")
FONDS_CODE = "SU-CO"  # db_crash_child.FONDS_CODE
TOTAL_EDITS = 2000
KILLS = 20
STEP_SECONDS = 180  # the longest one step (a migration, a wait for the next line, a server start) may take


def _child_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The child's environment: only the settings this test chooses, none inherited from the test run."""
    env = {key: val for key, val in os.environ.items() if not key.startswith("KHOSO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="khoso.config.settings",
        KHOSO_DATA_DIR=str(data_dir),
        OMP_THREAD_LIMIT="1",
    )
    if database_url:
        env["KHOSO_DATABASE_URL"] = database_url
    return env


def _run(args: list[str], *, env: dict[str, str] | None = None, what: str, timeout: float = STEP_SECONDS) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"{what}: still running after {timeout:.0f} s ({' '.join(args)})") from error
    if done.returncode != 0:
        raise AssertionError(f"{what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def _migrate(env: dict[str, str]) -> None:
    _run([sys.executable, "-m", "khoso", "migrate", "--no-input"], env=env, what="khoso migrate")


def _app_check(env: dict[str, str]) -> dict[str, Any]:
    """What a fresh ``khoso``-settings process sees on the connection the application opens; ``khoso fsck`` passes."""
    import json

    out = _run([sys.executable, str(CHILD), "check"], env=env, what="the application's connection check")
    report = json.loads(out.strip().splitlines()[-1])
    assert report["fsck_exit"] == 0, f"khoso fsck found problems:\n{report['fsck']}"
    return report


class Lines:
    """A child's stdout, line by line, with a deadline on every wait (a reader thread feeds a queue)."""

    def __init__(self, stream: Any, log: Path) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.log = log
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            self.queue.put(raw.decode().rstrip("\n"))
        self.queue.put(None)

    def next(self, what: str, seconds: float = STEP_SECONDS) -> str | None:
        """The next line, or None at end of output."""
        try:
            return self.queue.get(timeout=seconds)
        except queue.Empty:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}; {self.tail()}") from None

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"child's stderr ({self.log}):\n{text[-3000:]}"


class Acknowledged:
    """The edits the child said were saved: file id → highest acknowledged revision."""

    def __init__(self) -> None:
        self.revision: dict[int, int] = {}
        self.count = 0
        self.times: list[float] = []

    def take(self, line: str) -> bool:
        """Record an ``ack`` line; False for any other line."""
        verb, *rest = line.split()
        if verb != "ack":
            return False
        pk, revision = int(rest[0]), int(rest[1])
        self.revision[pk] = max(revision, self.revision.get(pk, 0))
        self.count += 1
        self.times.append(time.monotonic())
        return True

    def edit_seconds(self) -> float:
        """The recent time per edit, to place a kill at a random point inside one."""
        recent = self.times[-50:]
        if len(recent) < 2:
            return 0.02
        return (recent[-1] - recent[0]) / (len(recent) - 1)


def _check_edits(cursor: Any, acked: Acknowledged, when: str) -> int:
    """Every acknowledged edit is in the database and each file's row agrees with its log; the edit count."""
    from khoso.archive.models import ArchiveFile, Fonds
    from khoso.search.models import IndexChange

    cursor.execute(
        f"SELECT f.id, f.number_of_page FROM {ArchiveFile._meta.db_table} f "
        f"JOIN {Fonds._meta.db_table} p ON p.id = f.fonds_id WHERE p.code = '{FONDS_CODE}'"
    )
    stored = {int(pk): int(revision) for pk, revision in cursor.fetchall()}
    cursor.execute(
        f"SELECT file_id, COUNT(*) FROM {IndexChange._meta.db_table} WHERE file_id IS NOT NULL GROUP BY file_id"
    )
    logged = {int(pk): int(count) for pk, count in cursor.fetchall()}
    missing = sorted(pk for pk in acked.revision if pk not in stored)
    assert not missing, f"{when}: acknowledged files missing from the database: {missing[:20]}"
    behind = [(pk, stored[pk], rev) for pk, rev in acked.revision.items() if stored[pk] < rev]
    assert not behind, f"{when}: acknowledged updates lost (file, stored revision, acknowledged): {behind[:20]}"
    torn = [(pk, rev, logged.get(pk, 0)) for pk, rev in stored.items() if rev != logged.get(pk, 0)]
    assert not torn, f"{when}: row and IndexChange log disagree (file, revision, log entries): {torn[:20]}"
    return sum(stored.values())


# -- SQLite: SIGKILL the writer 20 times -----------------------------------------------------------


def _sqlite_check(path: Path, acked: Acknowledged, when: str) -> int:
    """Check the database at ``path``; the edits it holds."""
    with sqlite3.connect(path, timeout=30) as db:
        cursor = db.cursor()
        cursor.execute("PRAGMA integrity_check")
        result = [row[0] for row in cursor.fetchall()]
        assert result == ["ok"], f"{when}: PRAGMA integrity_check = {result[:10]}"
        edits = _check_edits(cursor, acked, when)
    db.close()
    return edits


def _sqlite_check_as_left(path: Path, acked: Acknowledged, when: str, scratch: Path) -> int:
    """Check a copy of the files the killed writer left (database and WAL, no shared-memory index); the edits it holds.

    Opening the database itself would let this test's connection recover the WAL and, closing last,
    checkpoint it: the next writer would then open a tidy file, not the one a crash leaves.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", scratch / f"{path.name}{suffix}")
    return _sqlite_check(scratch / path.name, acked, when)


@pytest.fixture
def sqlite_data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory in memory when the machine has /dev/shm.

    A SIGKILL ends the process, not the machine: the kernel keeps every page written before it, so
    the time an fsync takes does not change what survives. On this machine's disk a FULL commit
    waits ~17 ms for its fsync; 2,000 of them would be most of the test's time. Durability across a
    power cut is what ``synchronous=FULL`` buys; the test asserts that setting and cannot cut power.
    """
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="khoso-crash-", dir=shm)) if shm.is_dir() else tmp_path / "data"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_sqlite_keeps_every_acknowledged_edit_through_20_sigkills(sqlite_data_dir: Path, tmp_path: Path) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the embedded SQLite database's crash test runs in the SQLite pass of ./test.sh")
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    data = sqlite_data_dir
    env = _child_env(data)
    _migrate(env)
    database = data / "khoso.sqlite3"
    log = tmp_path / "writer.log"
    acked = Acknowledged()
    with open(log, "wb") as errors:
        server = subprocess.Popen(
            [sys.executable, str(CHILD), "serve"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
    assert server.stdin is not None
    lines = Lines(server.stdout, log)
    try:
        assert lines.next("the fork server to start") == "ready", lines.tail()

        def start_writer() -> int:
            server.stdin.write(f"run {TOTAL_EDITS} {rng.randrange(2**31)}\n".encode())  # type: ignore[union-attr]
            server.stdin.flush()  # type: ignore[union-attr]
            line = lines.next("a writer to start") or ""
            assert line.startswith("worker "), f"expected a writer's pid, got {line!r}; {lines.tail()}"
            return int(line.split()[1])

        def until_exit(pid: int) -> int:
            while True:
                line = lines.next(f"writer {pid} to end")
                assert line is not None, f"the fork server died; {lines.tail()}"
                if line.startswith("exit "):
                    _, ended, code = line.split()
                    assert int(ended) == pid
                    return int(code)
                if not acked.take(line) and line != "done":
                    raise AssertionError(f"unexpected line from the writer: {line!r}")

        stored = 0
        for kill in range(1, KILLS + 1):
            pid = start_writer()
            # A random number of acknowledged edits (0: while it starts and opens the database), then a
            # random point inside the next edit; never so late that the writer could finish first. The
            # room counts the stored edits, not the acknowledged ones: a kill between a commit and its
            # "ack" leaves an edit the writer will not redo.
            room = TOTAL_EDITS - stored - 3 * (KILLS - kill + 1)
            target = min(rng.randint(0, 2 * TOTAL_EDITS * 3 // (4 * KILLS)), max(room, 0))
            for _ in range(target):
                line = lines.next(f"acknowledgements before kill {kill}")
                assert line is not None and acked.take(line), f"unexpected {line!r}; {lines.tail()}"
            time.sleep(rng.uniform(0, 1.5 * acked.edit_seconds()))
            os.kill(pid, signal.SIGKILL)
            code = until_exit(pid)
            assert code == -signal.SIGKILL, f"kill {kill}: writer ended by itself (code {code}); {lines.tail()}"
            stored = _sqlite_check_as_left(database, acked, f"after kill {kill} (seed {seed})", tmp_path / "as-left")

        pid = start_writer()
        assert until_exit(pid) == 0, f"the last writer failed; {lines.tail()}"
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    edits = _sqlite_check(database, acked, f"at the end (seed {seed})")
    assert edits == TOTAL_EDITS
    assert acked.count >= TOTAL_EDITS - KILLS, f"only {acked.count} edits acknowledged (seed {seed})"
    app = _app_check(env)
    assert (app["journal_mode"], app["synchronous"]) == ("wal", 2), f"the application's SQLite connection: {app}"


# -- PostgreSQL: immediate stop of a private cluster ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary directory, run by the ``postgres`` user when we are root."""

    def __init__(self, root: Path, bindir: Path) -> None:
        self.root, self.bindir = root, bindir
        self.data, self.log = root / "data", root / "server.log"
        self.port = 0

    def _cmd(self, program: str, *args: str) -> list[str]:
        command = [str(self.bindir / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def init(self) -> None:
        # --no-sync only skips initdb's own final fsync; the server runs with fsync=on.
        _run(
            self._cmd(
                "initdb",
                "-D",
                str(self.data),
                "--data-checksums",
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ),
            what="initdb --data-checksums",
        )

    def start(self) -> None:
        for _attempt in range(3):  # another process may take the free port before the server binds it
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                "-c max_connections=20 -c shared_buffers=16MB -c fsync=on"
            )
            command = self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "90", "-o", options)
            done = subprocess.run([*command, "start"], capture_output=True, text=True, timeout=STEP_SECONDS)
            if done.returncode == 0:
                return
            if "already in use" not in self.log.read_text(errors="replace"):
                break
        raise AssertionError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}\n{self.log.read_text()[-3000:]}")

    def stop(self, mode: str) -> None:
        command = self._cmd("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        _run(command, what=f"pg_ctl stop {mode}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/khoso"

    def connect(self, dbname: str = "khoso"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=30
        )

    def destroy(self) -> None:
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            subprocess.run(
                [*self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")],
                capture_output=True,
                timeout=60,
                check=False,
            )
        if pid_file.exists():  # pg_ctl could not stop it: kill our own postmaster, by its pid only
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not found or not (found[-1].parent / "initdb").exists():
        pytest.fail(
            "PostgreSQL server programs (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: "
            "install the postgresql package; this test starts its own cluster and never stops the shared server"
        )
    return found[-1].parent


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir = _postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="khoso-pg-crash-"))  # not under pytest's 0700 tmp: postgres must reach it
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    made = Cluster(root, bindir)
    try:
        made.init()
        made.start()
        with made.connect("postgres") as admin:
            admin.execute("CREATE DATABASE khoso")
        yield made
    finally:
        made.destroy()


def _writer_until_stopped(
    cluster: Cluster, env: dict[str, str], acked: Acknowledged, rng: random.Random, log: Path
) -> None:
    """Run a writer, stop the server immediately after a random number of edits, collect every acknowledgement."""
    with open(log, "ab") as errors:
        writer = subprocess.Popen(
            [sys.executable, str(CHILD), "loop", "1000000", str(rng.randrange(2**31))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
    lines = Lines(writer.stdout, log)
    try:
        assert (lines.next("the writer to start") or "").startswith("worker "), lines.tail()
        for _ in range(rng.randint(100, 300)):
            line = lines.next("acknowledgements before the immediate stop")
            assert line is not None and acked.take(line), f"unexpected {line!r}; {lines.tail()}"
        time.sleep(rng.uniform(0, 1.5 * acked.edit_seconds()))
        cluster.stop("immediate")
        while (line := lines.next("the writer to notice the server is gone")) is not None:
            acked.take(line)
        assert writer.wait(timeout=STEP_SECONDS) != 0, "the writer did not notice the server had stopped"
    finally:
        if writer.poll() is None:
            os.killpg(writer.pid, signal.SIGKILL)
            writer.wait()


@pytest.mark.postgres
def test_postgresql_immediate_stop_keeps_every_acknowledged_edit(cluster: Cluster, tmp_path: Path) -> None:
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    data = tmp_path / "data"
    _migrate(_child_env(data, cluster.url))
    acked = Acknowledged()
    log = tmp_path / "writer.log"

    _writer_until_stopped(cluster, _child_env(data, cluster.url), acked, rng, log)
    cluster.start()  # crash recovery replays the WAL
    env = _child_env(data, cluster.url)
    with cluster.connect() as db, db.cursor() as cursor:
        edits = _check_edits(cursor, acked, f"after the immediate stop (seed {seed})")

    # The application carries on where it stopped.
    _run([sys.executable, str(CHILD), "loop", str(edits + 20), "1"], env=env, what="writing after recovery")
    assert _app_check(env)["data_checksums"] == "on"

    # Read every heap and index page of the database back from disk, then ask for checksum failures.
    _run(
        cluster._cmd(
            "pg_amcheck",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-d",
            "khoso",
            "--install-missing",
            "--heapallindexed",
        ),
        what="pg_amcheck",
    )
    with cluster.connect() as db, db.cursor() as cursor:
        assert _check_edits(cursor, acked, f"after writing again (seed {seed})") == edits + 20
        cursor.execute("SHOW data_checksums")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SELECT coalesce(datname, '(shared)'), checksum_failures FROM pg_stat_database")
        failures = cursor.fetchall()
    assert failures and all(count == 0 for _, count in failures), f"checksum failures per database: {failures}"
