"""The process test_db_crash.py kills: small committed catalogue edits, each acknowledged on stdout.

engineering.md C5 T2 asks that every edit a client was told had been saved survives the writer
being killed (SIGKILL) or the database server stopping without a shutdown checkpoint. This script
is that client. It runs on ``khoso.config.settings`` like every ``khoso`` command, so the database
connection (and, on SQLite, its PRAGMAs) is opened exactly as the application opens it, and it
writes only through ``archive.services.file_create`` / ``file_update``.

An edit is acknowledged by the line ``ack <file id> <revision>`` written with one ``write(2)``
*after* the service's transaction has committed. The revision is kept in the file's page count
(``number_of_page``, and in its title for a reader), and
every committed create or update also writes one ``IndexChange`` row in the same transaction, so
after any crash a file's revision must equal its number of ``IndexChange`` rows.

Verbs::

    db_crash_child.py loop TOTAL SEED   edit until the database holds TOTAL edits, then print "done"
    db_crash_child.py serve             fork server: for each stdin line "run TOTAL SEED" fork one
                                        writer (as ``loop``), wait for it, print "exit PID CODE"
    db_crash_child.py check             print the connection's settings and ``khoso fsck``'s result as JSON

The fork server exists for time only: starting Django with every app costs 1.5-3 s of a 2-core
machine, and the SQLite test kills the writer 20 times. Each forked writer is a separate process
that opens its own database connection after the fork (the server holds none), so a SIGKILL of
it is a SIGKILL of a Django process in the middle of its work.
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
from datetime import date

FONDS_CODE = "SU-CO"
NOTATION_SUFFIX = "SC"


def title(notation: str, revision: int) -> str:
    return f"Hồ sơ thử nghiệm sự cố {notation}, bản sửa {revision}"


def _say(line: str) -> None:
    """One write(2) per line: lines from the server and its writers never interleave."""
    os.write(1, (line + "\n").encode())


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    import django

    django.setup()


def _fonds():  # type: ignore[no-untyped-def]
    from khoso.archive.models import Fonds, Institution
    from khoso.archive.services import fonds_create

    found = Fonds.objects.filter(code=FONDS_CODE).first()
    if found:
        return found
    institution, _ = Institution.objects.get_or_create(code="H15.SUCO", defaults={"name": "Kho thử nghiệm sự cố"})
    return fonds_create(
        institution=institution,
        code=FONDS_CODE,
        name="Phông thử nghiệm sự cố",
        organ_id="000.00.00.H15",
        history="Lập để thử ghi khi tiến trình bị dừng đột ngột.",
        archives_time="1996",
        paper_total=1,
        key_groups="Tài liệu thử nghiệm",
        language="01",
    )


def edit_loop(total: int, seed: int) -> None:
    """Edit until the database holds ``total`` committed edits, acknowledging each after its commit."""
    from khoso.archive.models import ArchiveFile
    from khoso.archive.services import file_create, file_update
    from khoso.search.models import IndexChange

    _say(f"worker {os.getpid()}")
    rng = random.Random(seed)
    fonds = _fonds()
    files = dict(ArchiveFile.objects.filter(fonds=fonds).values_list("pk", "file_notation"))
    ids = sorted(files)
    done = IndexChange.objects.filter(file_id__in=ids).count()
    while done < total:
        if not ids or rng.random() < 0.3:
            notation = f"{len(ids) + 1:04d}.{NOTATION_SUFFIX}"
            made = file_create(
                fonds=fonds,
                file_catalog=1996,
                file_notation=notation,
                title=title(notation, 1),
                number_of_page=1,
                mode="01",
                language="01",
                start_date=date(1996, 1, 2),
                end_date=date(1996, 12, 30),
                description="Người lập hồ sơ: tiến trình thử nghiệm",
            )
            files[made.pk] = notation
            ids.append(made.pk)
            _say(f"ack {made.pk} 1")
        else:
            pk = rng.choice(ids)
            current = ArchiveFile.objects.get(pk=pk)
            revision = current.number_of_page + 1
            file_update(archive_file=current, title=title(files[pk], revision), number_of_page=revision)
            _say(f"ack {pk} {revision}")
        done += 1
    _say("done")


def serve() -> None:
    from django.db import connections

    _setup()
    import khoso.archive.services  # noqa: F401  (imported once here, not in every writer)

    connections.close_all()  # SQLite connections must not cross a fork
    _say("ready")
    for line in sys.stdin:
        verb, *args = line.split()
        if verb != "run":
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                edit_loop(int(args[0]), int(args[1]))
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        _say(f"exit {pid} {code}")


def check() -> None:
    """The settings of the connection the application opens, and ``khoso fsck``'s verdict (one start-up for both)."""
    import io

    from django.core.management import call_command
    from django.db import connection

    _setup()
    report: dict[str, object] = {"vendor": connection.vendor}
    fsck = io.StringIO()
    try:
        call_command("fsck", stdout=fsck)
        report["fsck_exit"] = 0
    except SystemExit as stop:
        report["fsck_exit"] = stop.code
    report["fsck"] = fsck.getvalue()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for pragma in ("journal_mode", "synchronous"):
                cursor.execute(f"PRAGMA {pragma}")
                report[pragma] = cursor.fetchone()[0]
        else:
            cursor.execute("SHOW data_checksums")
            report["data_checksums"] = cursor.fetchone()[0]
    _say(json.dumps(report))


def main(argv: list[str]) -> None:
    verb = argv[0]
    if verb == "loop":
        _setup()
        edit_loop(int(argv[1]), int(argv[2]))
    elif verb == "serve":
        serve()
    elif verb == "check":
        check()
    else:
        raise SystemExit(f"unknown verb {verb}")


if __name__ == "__main__":
    main(sys.argv[1:])
