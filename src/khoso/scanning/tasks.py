"""Celery tasks of the scanning step: thin wrappers over services (schedule ``scan_operator_folders``)."""

from __future__ import annotations

from celery import shared_task

from khoso.scanning import services


@shared_task
def scan_operator_folders() -> int:
    """Deliver the settled folders of every operator's watched folder; returns how many were delivered."""
    return len(services.operator_folders_scan().delivered)
