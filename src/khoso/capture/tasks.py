"""Celery tasks of the capture area: thin wrappers that pass ids to services.

``process_page`` has a hard time limit just under the page lease (``KHOSO_STAGE_LEASE_SECONDS``,
see ``hard_time_limit``): a page stuck where Python cannot interrupt it (tesseract's layout
analysis) gets its child process killed before the lease expires, and the pool starts a new child.
Celery reads the limit when the task is declared, so the setting is read at import: the worker
imports this module after ``django.setup()``, and a changed lease needs a worker restart. The limit
that counts is the running worker's, from the lease it takes itself, never one sent with the task by
the process that queued it (``WorkerTimeLimitTask``). There is no soft limit: it would only reach
Python code, and the stage that can run long, tesseract's recognition, already stops at its own
deadline and records the failure.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings

from khoso.capture import pipeline, services

_stop = threading.Event()


def hard_time_limit(lease_seconds: int) -> int:
    """The hard time limit (seconds) of a page task, from the lease it takes.

    The worker's main process starts the limit when its child reports that it accepted the task,
    about when ``pipeline.claim`` starts the lease, and kills the child when it runs out; the lease
    expires the margin later, so no second worker starts the page while the first still runs it. The
    margin (5 %, at least 2 s) covers a busy main process noticing late and some clock difference
    between machines.
    """
    return max(1, lease_seconds - max(2, lease_seconds // 20))


class WorkerTimeLimitTask(Task):
    """A task whose time limit is the one of the worker that runs it.

    Celery copies a task's ``time_limit`` into every message it sends, and a worker obeys the
    message over its own: a web process (or another machine) with a different lease would then set
    the kill of this worker's page, after this worker's lease has expired. The message says nothing
    (``None``), so the worker applies the limit it computed from its own lease.
    """

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        options.setdefault("time_limit", None)
        return super().apply_async(args, kwargs, **options)


@shared_task(
    base=WorkerTimeLimitTask,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=hard_time_limit(settings.KHOSO_STAGE_LEASE_SECONDS),
)
def process_page(page_id: int) -> str:
    return pipeline.process_page(page_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def assemble_file(file_id: int) -> bool:
    return services.assemble_file(file_id)


@shared_task
def requeue_stalled() -> int:
    return len(services.requeue_stalled())


@shared_task
def scan_watch_dir() -> int:
    from khoso.capture.watch import scan_once

    return scan_once()


def _heartbeat_loop(hostname: str) -> None:
    from django.db import connection

    while not _stop.is_set():
        try:
            services.worker_beat(hostname)
        finally:
            connection.close()
        _stop.wait(10)


@worker_ready.connect
def _on_worker_ready(sender=None, **_: object) -> None:  # type: ignore[no-untyped-def]
    hostname = getattr(sender, "hostname", None) or "worker"
    threading.Thread(target=_heartbeat_loop, args=(hostname,), daemon=True, name="khoso-heartbeat").start()
    services.requeue_stalled()


@worker_shutdown.connect
def _on_worker_shutdown(**_: object) -> None:
    _stop.set()
