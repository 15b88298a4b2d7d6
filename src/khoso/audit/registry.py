"""Which object each route acts on or shows: the audit trail's map of the site.

``CHANGES`` names every route that accepts POST (``tests/audit/test_completeness.py`` fails on one
missing, so a new endpoint cannot skip the trail). A target is ``url(...)`` (the object the URL
names, found from its keyword arguments before the view runs, so the entry has a digest before and
after), ``new(model)`` (the action creates it: the first such row saved during the request),
``accepted(...)`` (the action only queues a task or hands out data: recorded whenever accepted,
even if the request writes nothing) or ``NOTHING`` (no archival object: login, language).

``READS`` names the routes that serve content (page images, PDFs, thumbnails, file records): a GET
of one whose material is not public is logged. ``NOT_CONTENT`` lists routes that name material in
their URL but serve none of it (or only public material, by construction), so the completeness
test knows they were looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Target:
    model: str | None = None
    lookup: Mapping[str, str] = field(default_factory=dict)  # field lookup → URL keyword argument
    creates: bool = False
    always: bool = False  # the action queues work or hands out data: record it whenever it was accepted
    resolve: Callable[[Mapping[str, Any]], models.Model | None] | None = None

    def model_class(self) -> type[models.Model] | None:
        return apps.get_model(self.model) if self.model else None

    def find(self, kwargs: Mapping[str, Any]) -> models.Model | None:
        """The object the URL names (``None`` for creations, for no object, or when it does not exist)."""
        if self.resolve is not None:
            return self.resolve(kwargs)
        model = self.model_class()
        if model is None or self.creates or not self.lookup:
            return None
        try:
            query = {lookup: kwargs[name] for lookup, name in self.lookup.items()}
        except KeyError:
            return None
        return model._base_manager.filter(**query).first()


def url(model: str, **lookup: str) -> Target:
    return Target(model=model, lookup=lookup)


def new(model: str) -> Target:
    return Target(model=model, creates=True)


def accepted(model: str | None = None, **lookup: str) -> Target:
    """An action recorded whenever it is accepted, even if the request itself writes nothing: it queues
    a task (which writes later) or hands out data (an export with a reason)."""
    return Target(model=model, lookup=lookup, creates=model is not None and not lookup, always=True)


NOTHING = Target()


def _page_of_item(kwargs: Mapping[str, Any]) -> models.Model | None:
    """A page of a digitization item's file (the scanning routes name the item and the page number)."""
    item_id, number = int(kwargs["item_id"]), int(kwargs["number"])
    file_ids = apps.get_model("workflow.ProjectFile")._base_manager.filter(pk=item_id).values("file_id")
    return apps.get_model("archive.Page")._base_manager.filter(file_id__in=file_ids, number=number).first()


PROJECT = url("workflow.Project", pk="project_id")
ITEM = url("workflow.ProjectFile", pk="item_id")
FILE = url("archive.ArchiveFile", file_code="file_code")
PAGE = url("archive.Page", file__file_code="file_code", number="number")
ITEM_PAGE = Target(model="archive.Page", resolve=_page_of_item)
READER_DELIVERY = url("readers.Delivery", token="token")

#: every route that accepts POST → the object its action changes
CHANGES: dict[str, Target] = {
    # accounts and language (the session is not archival state; login and logout are recorded by signal)
    "login": NOTHING,
    "logout": NOTHING,
    "set_language": NOTHING,
    # the archive
    "fonds_create": new("archive.Fonds"),
    "file_create": new("archive.ArchiveFile"),
    "file_edit": FILE,
    "document_create": new("archive.Document"),
    "file_upload": new("capture.Delivery"),
    # digitization projects
    "project_create": new("workflow.Project"),
    "project_select": PROJECT,
    "project_member_add": PROJECT,
    "project_submit": PROJECT,
    "project_approve": PROJECT,
    "project_reject": PROJECT,
    "project_close": PROJECT,
    "item_transition": ITEM,
    "item_claim": ITEM,
    "item_release": ITEM,
    "custody_box": PROJECT,
    "custody_record": ITEM,
    "custody_resolve": url("custody.Discrepancy", pk="discrepancy_id"),
    "guideline_publish": new("cataloguing.Guideline"),
    "worksheet_edit": ITEM,
    "worksheet_document": ITEM,
    "check_start": new("cataloguing.CheckReport"),
    "check_error_add": new("cataloguing.CheckError"),
    "error_fix": url("cataloguing.CheckError", pk="error_id"),
    "keying_sheet": url("cataloguing.Worksheet", pk="worksheet_id"),
    "difference_resolve": url("cataloguing.Difference", pk="difference_id"),
    "scan_upload": new("scanning.ScanDelivery"),
    "scan_reconcile": new("scanning.CountReconciliation"),
    "scan_review": ITEM_PAGE,
    "scan_accept_passing": ITEM,
    "scan_rescan_upload": ITEM_PAGE,
    "scan_link_save": ITEM,
    "scan_link_auto": ITEM,
    "inspection_plan": PROJECT,
    "inspection_start": new("inspection.Inspection"),
    "inspection_finding_add": new("inspection.InspectionFinding"),
    "inspection_finding_delete": url("inspection.InspectionFinding", pk="finding_id", inspection_id="inspection_id"),
    "inspection_close": url("inspection.Inspection", pk="inspection_id"),
    "inspection_correction_fixed": url("inspection.CorrectionTask", pk="task_id"),
    "selection_add": PROJECT,
    "selection_rescore": PROJECT,
    "condition_edit": url("archive.ArchiveFile", pk="file_id"),
    "copy_target_add": new("handover.CopyTarget"),
    "copy_project": new("handover.CopyRun"),
    "copy_run_verify": url("handover.CopyRun", pk="run_id"),
    "copy_item": new("handover.CopyRun"),
    # readers
    "reader_register": new("readers.Reader"),
    "reader_account_decide": url("readers.Reader", pk="reader_id"),
    "reader_request_create": new("readers.ReaderRequest"),
    "reader_request_review": url("readers.ReaderRequest", pk="request_id"),
    # preservation, transfers, backup
    "packages_batch_create": new("packages.TransferBatch"),
    "packages_file_export": accepted("archive.ArchiveFile", file_code="file_code"),  # a package handed out
    "oai": NOTHING,  # OAI-PMH harvesting: POST is the protocol's read
    "packages_item_accept": url("packages.TransferItem", pk="item_id", batch_id="batch_id"),
    "packages_item_reject": url("packages.TransferItem", pk="item_id", batch_id="batch_id"),
    "preservation_audit_request": accepted("preservation.AuditRun"),
    "backup_insurance_copy": accepted("backup.InsuranceCopy"),
    # access rights: proposals a second person confirms (four-eyes), locks
    "access_file": new("access.AccessChange"),
    "access_document": new("access.AccessChange"),
    "access_restriction_add": new("access.AccessChange"),
    "access_restriction_change": new("access.AccessChange"),
    "access_restriction_end": new("access.AccessChange"),
    "access_role_propose": new("access.AccessChange"),
    "access_grant_propose": new("access.AccessChange"),
    "access_unlock_propose": new("access.AccessChange"),
    "access_change_confirm": url("access.AccessChange", pk="change_id"),
    "access_change_reject": url("access.AccessChange", pk="change_id"),
    "access_lock_create": new("access.FileLock"),
    # two-factor authentication of staff
    "accounts_totp_enrol": NOTHING,
    "accounts_totp_verify": NOTHING,
    # catalogue import (mục lục hồ sơ, mục lục văn bản): the upload kept for its preview, then the commit
    "catalogue_upload": new("catalogue.CatalogueImport"),
    "catalogue_commit": url("catalogue.CatalogueImport", pk="import_id", fonds_id="fonds_id"),
    # the REST API's actions (the same services as the web pages)
    "api-task-transition": url("workflow.ProjectFile", pk="pk"),
    "api-reader-request-list": new("readers.ReaderRequest"),
    "api-reader-request-decide": url("readers.ReaderRequest", pk="pk"),
    # integration: a QLVB system's batch of born-digital records (one entry per batch, results in its detail)
    "qlvb_ingest": new("qlvb.IngestRecord"),
    # statutory deadlines: the annual report recorded as sent to the Ministry
    "deadlines_report_submit": new("deadlines.ReportSubmission"),
}

#: routes that serve archival content: a GET of non-public material is one "read" entry
READS: dict[str, Target] = {
    "file_detail": FILE,
    "file_pdf": FILE,
    "page_viewer": PAGE,
    "page_thumbnail": PAGE,
    "page_image": PAGE,
    "page_pdf": PAGE,
    "scan_thumbnail": ITEM_PAGE,
    "reader_read": READER_DELIVERY,
    "reader_read_page": READER_DELIVERY,
    "reader_download": READER_DELIVERY,
    "api-file-detail": FILE,
    "api-document-detail": url("archive.Document", pk="pk"),
    "api-page-detail": url("archive.Page", pk="pk"),
}

#: routes that name material in the URL but serve no non-public content (checked by the sweep)
NOT_CONTENT = frozenset(
    {
        "file_progress",  # processing stages only
        "portal_file",  # catalogue entries; content only when public (portal_shows_content)
        "portal_document",
        "portal_thumbnail",  # public content only: the sweep's PORTAL_CONTENT matrix
        "fonds_detail",  # a list of file codes and titles the staff member may see
    }
)

#: URL keyword arguments that name archival material (a GET route with one must be classified)
#: POST routes whose view does long work (reading uploads by content, unpacking packages, building
#: copies) before its own short transaction. Wrapping them in one request-wide transaction would hold
#: SQLite's write lock for seconds and stall the page workers, so their entry is appended in a
#: transaction of its own right after the view returns; a crash between the two loses the entry,
#: never the change's own consistency.
OUTSIDE_TRANSACTION = frozenset(
    {
        "file_upload",
        "scan_upload",
        "scan_rescan_upload",
        "packages_batch_create",
        "packages_item_accept",
        "packages_file_export",
        "backup_insurance_copy",
        "qlvb_ingest",
        "catalogue_upload",
    }
)

MATERIAL_KWARGS = frozenset({"file_code", "file_id", "document_id", "token", "page_id"})

#: writes outside any web request that are actions of their own (commands, worker tasks)
ACTION_MODELS: dict[str, str] = {
    "archive.Fonds": "archive.phong",
    "archive.ArchiveFile": "archive.ho_so",
    "capture.Delivery": "capture.nhan_ban_quet",
    "packages.TransferBatch": "packages.nhan_nop_luu",
    "packages.TransferItem": "packages.ho_so_nop_luu",
    "preservation.AuditRun": "preservation.kiem_tra",
    "preservation.PremisEvent": "preservation.su_kien",
    "backup.BackupLog": "backup.sao_luu",
    "backup.InsuranceCopy": "backup.ban_sao_bao_hiem",
    "readers.Delivery": "readers.cung_cap",
    "access.FondsGrant": "access.quyen_phong",
    "access.Restriction": "access.han_che",
    "access.AccessChange": "access.thay_doi_quyen",
    "access.FileLock": "access.khoa",
}


def material_of(instance: models.Model | None) -> tuple[Any, Any]:
    """(file, document) behind a page, file, document or reader delivery."""
    if instance is None:
        return None, None
    label = instance._meta.label
    if label == "archive.ArchiveFile":
        return instance, None
    if label == "archive.Document":
        return instance.file, instance  # type: ignore[attr-defined]
    if label == "archive.Page":
        return instance.file, instance.document  # type: ignore[attr-defined]
    if label == "readers.Delivery":
        request = instance.request  # type: ignore[attr-defined]
        return request.file, request.document
    return None, None


def is_public(instance: models.Model | None) -> bool:
    """Whether anyone (an anonymous visitor) may see this material's content on the public side.

    Everything else is non-public: modes 02 and 03, the restricted-use list, deleted material and
    whatever else ``access`` keeps off the portal (secret classes), since this asks ``access`` itself.
    """
    from khoso.access.selectors import portal_documents, portal_files, portal_scope

    archive_file, document = material_of(instance)
    if archive_file is None:
        return False
    scope = portal_scope(None)
    if not portal_files(scope).filter(pk=archive_file.pk, mode__in=scope.content_modes).exists():
        return False
    if document is not None:
        return bool(portal_documents(scope).filter(pk=document.pk, mode__in=scope.content_modes).exists())
    return True
