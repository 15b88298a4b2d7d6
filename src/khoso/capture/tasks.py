"""Celery tasks of the capture area: thin wrappers that pass ids to services."""

from __future__ import annotations

import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown

from khoso.capture import pipeline, services

_stop = threading.Event()


@shared_task(acks_late=True, reject_on_worker_lost=True)
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
