"""Celery task of the deadlines app: the daily reminder digest (named in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from khoso.deadlines import services


@shared_task
def send_reminders() -> int:
    return sum(1 for digest in services.reminders_send() if digest.sent)
