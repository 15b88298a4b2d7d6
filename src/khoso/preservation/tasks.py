"""Celery tasks of preservation: thin wrappers, named in the beat schedule (settings.CELERY_BEAT_SCHEDULE).

``replicate_pending`` every five minutes, ``fixity_daily`` one slice a day so the whole holding is
checked within KHOSO_FIXITY_FULL_PASS_DAYS, ``fixity_monthly_sample`` a random sample each month,
``audit_on_demand`` when staff press "Kiểm tra ngay", ``sweep_staging`` once a day for what killed
replications left in the locations' staging areas.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from khoso.preservation import selectors, services
from khoso.preservation.models import AuditRun


@shared_task(acks_late=True, reject_on_worker_lost=True)
def replicate_pending() -> dict[str, int]:
    return services.replicate_pending()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_staging() -> int:
    return services.staging_sweep().pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fixity_daily() -> int:
    return services.audit(scope=selectors.scope_daily(), kind=AuditRun.Kind.SCHEDULED).pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fixity_monthly_sample() -> int:
    scope = selectors.scope_sample(settings.KHOSO_FIXITY_SAMPLE_PERCENT)
    return services.audit(scope=scope, kind=AuditRun.Kind.SAMPLE).pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def audit_on_demand(*, fonds_code: str = "", file_code: str = "", user_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    scope = selectors.scope_file(file_code) if file_code else selectors.scope_fonds(fonds_code)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.audit(scope=scope, kind=AuditRun.Kind.ON_DEMAND, by=user).pk
