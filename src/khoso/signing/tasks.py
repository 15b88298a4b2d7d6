"""Celery tasks of signing: thin wrappers named in the beat schedule (settings.CELERY_BEAT_SCHEDULE).

``retimestamp_due`` once a day renews the archive time stamp (PAdES B-LTA) of every signed rendition
whose newest time stamp's TSA certificate expires within KHOSO_RETIMESTAMP_MARGIN_DAYS; ``sign_pending``
every hour signs the renditions stored unsigned because the key or the TSA was unavailable.
"""

from __future__ import annotations

from celery import shared_task

from khoso.signing import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retimestamp_due() -> dict[str, int]:
    result = services.retimestamp_due()
    return {"renewed": len(result.renewed), "failed": len(result.failed), "not_due": result.not_due}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sign_pending() -> dict[str, int]:
    return services.sign_pending()
