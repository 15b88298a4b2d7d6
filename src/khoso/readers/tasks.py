"""Celery tasks of the readers app: thin wrappers that pass ids to services.

``remind_due_requests``, ``purge_expired_deliveries`` and ``deliver_digitized_requests`` run from the
beat schedule (settings CELERY_BEAT_SCHEDULE names them); ``deliver_request`` is queued after an
approval commits.
"""

from __future__ import annotations

from celery import shared_task

from khoso.readers import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_request(request_id: int) -> int | None:
    delivery = services.delivery_make(request_id=request_id)
    return delivery.pk if delivery else None


@shared_task
def remind_due_requests() -> int:
    return services.requests_remind()


@shared_task
def purge_expired_deliveries() -> int:
    return services.deliveries_purge()


@shared_task
def deliver_digitized_requests() -> int:
    return services.deliveries_for_digitized_requests()
