"""The authorization sweep: every URL pattern × actor × object class, against one policy table.

Actors are the five of issue 4: anonymous, a reader whose account is not yet approved, an approved
reader, a staff member who holds another fonds, and an administrator. Object classes: public (01),
conditional (02), secret (03), public but on the restricted-use list, and deleted. For every route
the observed outcome matrix (actor × class) must equal the policy's matrix exactly, and a route
missing from ``POLICY`` fails. Objects that are hidden answer exactly like objects that do not
exist (same status, same body), so guessing the next id tells nothing.

Routes of the digitization workflow belong to a project, not to an object class: the sweep checks
them for the four actors outside the project (anonymous → login; everyone else hidden, or refused
for "create" pages); what project members may do is the matrix in ``tests/<app>/test_permissions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from khoso.access.models import AccessChange, FileLock, FondsGrant, Restriction
from khoso.archive.models import ArchiveFile, Document, Fonds, Institution, Page
from khoso.audit.models import AuditEntry
from khoso.capture.models import Delivery as CaptureDelivery
from khoso.catalogue.models import CatalogueImport
from khoso.packages.models import TransferBatch, TransferItem
from khoso.readers.models import Delivery, Reader, ReaderRequest
from khoso.storage.services import object_put_bytes
from samples import blank_jpeg, blank_pdf  # tests/samples.py

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "reader", "approved_reader", "staff_other_fonds", "admin")
CLASSES = ("public", "conditional", "secret", "restricted", "deleted")
MODES = {"public": "01", "conditional": "02", "secret": "03", "restricted": "01", "deleted": "01"}
#: one word per class, in its titles and page text, to see where each class shows up
MARKERS = {cls: f"dauvet{cls}" for cls in CLASSES}
PASSWORD = "mat-khau-thu-nghiem-123"

WORKFLOW_MODULES = ("workflow", "custody", "cataloguing", "scanning", "inspection", "handover")

# -- the policy ------------------------------------------------------------------------------------
# Outcomes: "ok" (200; for a POST, any answer that is not a refusal), "login" (redirect to the login
# page), "away" (redirect elsewhere), "403", "404", "410".


def _everyone(outcome: str) -> dict[tuple[str, str], str]:
    return {(actor, cls): outcome for actor in ACTORS for cls in CLASSES}


def _rule(per_actor: dict[str, Any]) -> dict[tuple[str, str], str]:
    """``per_actor[actor]`` is an outcome, or a dict class → outcome."""
    matrix = {}
    for actor in ACTORS:
        value = per_actor[actor]
        for cls in CLASSES:
            matrix[(actor, cls)] = value if isinstance(value, str) else value[cls]
    return matrix


def _by_class(**outcomes: str) -> dict[str, str]:
    default = outcomes.pop("default")
    return {cls: outcomes.get(cls, default) for cls in CLASSES}


ANYONE = _everyone("ok")
LOGGED_IN = _rule({"anonymous": "login", **{actor: "ok" for actor in ACTORS[1:]}})
STAFF_OF_THE_FONDS = _rule(  # staff pages of the fonds that holds every object: only the administrator
    {"anonymous": "login", "reader": "404", "approved_reader": "404", "staff_other_fonds": "404", "admin": "ok"}
)
STAFF_FILE = _rule(  # staff see restricted material; deleted is gone for everyone
    {
        "anonymous": "login",
        "reader": "404",
        "approved_reader": "404",
        "staff_other_fonds": "404",
        "admin": _by_class(default="ok", deleted="404"),
    }
)
ADMIN_ONLY_403 = _rule(
    {"anonymous": "login", "reader": "403", "approved_reader": "403", "staff_other_fonds": "403", "admin": "ok"}
)
READER_HOME = _rule(
    {"anonymous": "login", "reader": "ok", "approved_reader": "ok", "staff_other_fonds": "ok", "admin": "ok"}
)
PORTAL_ENTRY = _rule(  # the public side shows public entries; approved readers also conditional ones
    {
        "anonymous": _by_class(default="404", public="ok"),
        "reader": _by_class(default="404", public="ok"),
        "approved_reader": _by_class(default="404", public="ok", conditional="ok"),
        "staff_other_fonds": _by_class(default="404", public="ok"),
        "admin": _by_class(default="404", public="ok"),
    }
)
PORTAL_CONTENT = _rule({actor: _by_class(default="404", public="ok") for actor in ACTORS})
REQUEST_CREATE = _rule(
    {
        "anonymous": "login",
        "reader": _by_class(default="404", public="403"),
        "approved_reader": _by_class(default="404", public="ok", conditional="ok"),
        "staff_other_fonds": _by_class(default="404", public="403"),
        "admin": _by_class(default="404", public="403"),
    }
)
REQUEST_REVIEW = _rule(  # the request's fonds must be visible to the reviewer; a deleted file's request is gone
    {
        "anonymous": "login",
        "reader": "404",
        "approved_reader": "404",
        "staff_other_fonds": "404",
        "admin": _by_class(default="ok", deleted="404"),
    }
)
DELIVERY = _rule(  # only the requesting reader (and the administrator); closed once hidden
    {
        "anonymous": "login",
        "reader": "404",
        "approved_reader": _by_class(default="404", public="ok", conditional="ok"),
        "staff_other_fonds": "404",
        "admin": _by_class(default="404", public="ok", conditional="ok"),
    }
)
RECEIPT = _rule(  # the paying reader while the material is in their catalogue; staff of the fonds
    {
        "anonymous": "login",
        "reader": "404",
        "approved_reader": _by_class(default="404", public="ok", conditional="ok"),
        "staff_other_fonds": "404",
        "admin": _by_class(default="ok", deleted="404"),
    }
)
REQUEST_QUEUE = _rule(
    {"anonymous": "login", "reader": "403", "approved_reader": "403", "staff_other_fonds": "ok", "admin": "ok"}
)
STAFF_GUIDE = _rule(  # a staff guide: staff accounts only; a citizen gets the 404 of a guide that does not exist
    {"anonymous": "login", "reader": "404", "approved_reader": "404", "staff_other_fonds": "ok", "admin": "ok"}
)

#: route → (method, matrix, which object the URL names)
POLICY: dict[str, tuple[str, dict[tuple[str, str], str], str]] = {
    # staff web UI
    "login": ("GET", _rule({"anonymous": "ok", **{a: "away" for a in ACTORS[1:]}}), "-"),
    "logout": ("POST", _everyone("login"), "-"),  # back to the login page
    "set_language": ("POST", ANYONE, "-"),
    "home": (
        "GET",
        _rule(
            {
                "anonymous": "login",
                "reader": "away",  # readers are sent to their own page
                "approved_reader": "away",
                "staff_other_fonds": "ok",
                "admin": "ok",
            }
        ),
        "-",
    ),
    "search": ("GET", LOGGED_IN, "-"),
    "pipeline_status": ("GET", LOGGED_IN, "-"),
    "fonds_create": ("GET", ADMIN_ONLY_403, "-"),
    "fonds_detail": ("GET", STAFF_OF_THE_FONDS, "fonds"),
    "file_create": ("GET", STAFF_OF_THE_FONDS, "fonds"),
    "file_detail": ("GET", STAFF_FILE, "file"),
    "file_edit": ("GET", STAFF_FILE, "file"),
    "document_create": ("POST", STAFF_FILE, "file"),
    "file_upload": ("POST", STAFF_FILE, "file"),
    "file_progress": ("GET", STAFF_FILE, "file"),
    "file_pdf": ("GET", STAFF_FILE, "file"),
    "page_viewer": ("GET", STAFF_FILE, "page"),
    "page_thumbnail": ("GET", STAFF_FILE, "page"),
    "page_image": ("GET", STAFF_FILE, "page"),
    "page_pdf": ("GET", STAFF_FILE, "page"),
    # public portal
    "portal_home": ("GET", ANYONE, "-"),
    "portal_suggest": ("GET", ANYONE, "-"),
    "portal_sitemap": ("GET", ANYONE, "-"),
    "portal_sitemap_part": ("GET", ANYONE, "-"),
    "portal_fonds": ("GET", ANYONE, "fonds"),
    "portal_file": ("GET", PORTAL_ENTRY, "file_id"),
    "portal_document": ("GET", PORTAL_ENTRY, "document"),
    "portal_thumbnail": ("GET", PORTAL_CONTENT, "page_id"),
    # readers
    "reader_home": ("GET", READER_HOME, "-"),
    "reader_register": ("GET", _rule({"anonymous": "ok", **{a: "away" for a in ACTORS[1:]}}), "-"),
    "reader_accounts": ("GET", REQUEST_QUEUE, "-"),
    "reader_account_decide": ("POST", REQUEST_QUEUE, "reader"),
    "reader_request_create": ("GET", REQUEST_CREATE, "request_file"),
    "reader_requests": ("GET", REQUEST_QUEUE, "-"),
    "reader_request_review": ("GET", REQUEST_REVIEW, "request"),
    "reader_receipt": ("GET", RECEIPT, "request"),
    "reader_read": ("GET", DELIVERY, "read"),
    "reader_read_page": ("GET", DELIVERY, "read_page"),
    "reader_download": ("GET", DELIVERY, "download"),
    "reader_usage": ("GET", REQUEST_QUEUE, "-"),
    # preservation (administrators, or staff given preservation.manage_preservation)
    "preservation_dashboard": ("GET", ADMIN_ONLY_403, "-"),
    "preservation_audit_request": ("POST", ADMIN_ONLY_403, "-"),
    # transfers from agency archives (receivers of the batch's fonds; administrators)
    "packages_batch_list": ("GET", ADMIN_ONLY_403, "-"),
    "packages_batch_create": ("GET", ADMIN_ONLY_403, "-"),
    "packages_batch_detail": ("GET", ADMIN_ONLY_403, "batch"),
    "packages_item_accept": ("POST", ADMIN_ONLY_403, "batch_item"),
    "packages_item_reject": ("POST", ADMIN_ONLY_403, "batch_item"),
    "packages_list_pdf": ("GET", ADMIN_ONLY_403, "batch"),
    "packages_list_xlsx": ("GET", ADMIN_ONLY_403, "batch"),
    "packages_receipt_pdf": ("GET", ADMIN_ONLY_403, "batch"),
    # backup log and insurance copies (administrators, or staff given the backup permissions)
    "backup_home": ("GET", ADMIN_ONLY_403, "-"),
    "backup_log_pdf": ("GET", ADMIN_ONLY_403, "-"),
    "backup_insurance_copy": ("POST", ADMIN_ONLY_403, "-"),
    # director's dashboard and report downloads (reports.view_dashboard; figures scoped to granted fonds)
    "reports_dashboard": ("GET", ADMIN_ONLY_403, "-"),
    "reports_annual_xlsx": ("GET", ADMIN_ONLY_403, "-"),
    "reports_annual_pdf": ("GET", ADMIN_ONLY_403, "-"),
    "reports_fonds_xlsx": ("GET", ADMIN_ONLY_403, "-"),
    "reports_fonds_pdf": ("GET", ADMIN_ONLY_403, "-"),
    # TT 05 package export of one file (secret material only with archive.export_secret and a reason)
    "packages_file_export": ("GET", STAFF_FILE, "file"),
    # two-factor authentication (the sweep runs with KHOSO_STAFF_TOTP off: everyone signed in may enrol)
    "accounts_totp_enrol": ("GET", LOGGED_IN, "-"),
    "accounts_totp_verify": ("GET", _rule({"anonymous": "login", **{a: "away" for a in ACTORS[1:]}}), "-"),
    # access rights: four-eyes changes, the restricted list, roles and grants, locks (issue 6)
    "access_change_list": ("GET", ADMIN_ONLY_403, "-"),
    "access_change_detail": ("GET", ADMIN_ONLY_403, "change"),
    "access_change_confirm": ("POST", ADMIN_ONLY_403, "change"),
    "access_change_reject": ("POST", ADMIN_ONLY_403, "change"),
    "access_file": ("GET", STAFF_FILE, "file"),
    "access_document": ("GET", STAFF_FILE, "document"),
    "access_restriction_list": ("GET", ADMIN_ONLY_403, "-"),
    "access_restriction_add": ("POST", ADMIN_ONLY_403, "-"),
    "access_restriction_change": ("POST", ADMIN_ONLY_403, "restriction"),
    "access_restriction_end": ("POST", ADMIN_ONLY_403, "restriction"),
    "access_people": ("GET", ADMIN_ONLY_403, "-"),
    "access_person": ("GET", ADMIN_ONLY_403, "user"),
    "access_role_propose": ("POST", ADMIN_ONLY_403, "user"),
    "access_grant_propose": ("POST", ADMIN_ONLY_403, "user"),
    "access_lock_list": ("GET", ADMIN_ONLY_403, "-"),
    "access_lock_create": ("POST", ADMIN_ONLY_403, "-"),
    "access_unlock_propose": ("POST", ADMIN_ONLY_403, "lock"),
    # the audit trail (administrators, or staff given audit.view_auditentry: entries of their fonds)
    "audit_list": ("GET", ADMIN_ONLY_403, "-"),
    "audit_detail": ("GET", ADMIN_ONLY_403, "audit_entry"),
    # OAI-PMH (issue 7): the same public answer for everyone (no verb: a badVerb error, status 200)
    "oai": ("GET", ANYONE, "-"),
    # catalogue import and export (issue 7): staff of the fonds; an upload is its uploader's (and administrators')
    "catalogue_home": ("GET", REQUEST_QUEUE, "-"),
    "catalogue_fonds": ("GET", STAFF_OF_THE_FONDS, "fonds"),
    "catalogue_upload": ("POST", STAFF_OF_THE_FONDS, "fonds"),
    "catalogue_preview": ("GET", STAFF_OF_THE_FONDS, "catalogue_import"),
    "catalogue_commit": ("POST", STAFF_OF_THE_FONDS, "catalogue_import"),
    "catalogue_export_xlsx": ("GET", STAFF_OF_THE_FONDS, "fonds"),
    "catalogue_export_csv": ("GET", STAFF_OF_THE_FONDS, "fonds"),
    # statutory deadlines (issue 9): the board for whoever follows a kind of deadline (the reading room here), only
    # their own items; recording the annual report as sent needs deadlines.add_reportsubmission
    "deadlines_board": ("GET", REQUEST_QUEUE, "-"),
    "deadlines_report_submit": ("POST", ADMIN_ONLY_403, "-"),
    # user guides (issue 9): the list and the reader's guide are public; the staff guides, their PDFs and their
    # screenshots need a staff account (tests/guides/test_permissions.py has the public and missing cases)
    "guides_index": ("GET", ANYONE, "-"),
    "guides_detail": ("GET", STAFF_GUIDE, "guide"),
    "guides_pdf": ("GET", STAFF_GUIDE, "guide"),
    "guides_screen": ("GET", STAFF_GUIDE, "guide_screen"),
}


def _workflow_policy() -> dict[str, tuple[str, str]]:
    """route → (method, kind) for the workflow modules, read from the POLICY literal of their own matrices."""
    import ast
    from pathlib import Path

    found: dict[str, tuple[str, str]] = {}
    for app in WORKFLOW_MODULES:
        tree = ast.parse((Path(__file__).parent / app / "test_permissions.py").read_text(encoding="utf-8"))
        policy = next(
            node.value
            for node in tree.body
            if isinstance(node, ast.AnnAssign | ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "POLICY" for t in getattr(node, "targets", [node.target]))
        )
        for route, entry in ast.literal_eval(policy).items():  # type: ignore[arg-type]
            method = next(part for part in entry if part in {"GET", "POST"})
            kind = next((part for part in entry if part in {"user", "create", "member", "role"}), "role")
            found[route] = (method, kind)
    return found


WORKFLOW_POLICY = _workflow_policy()


def _all_routes() -> dict[str, str]:
    """Every named route of the site (Django's admin excluded: it checks staff rights itself) → module."""
    routes: dict[str, str] = {}

    def walk(patterns: list, module: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                conf = pattern.urlconf_name  # a dotted path, an imported module, or a list (DRF router)
                walk(pattern.url_patterns, conf if isinstance(conf, str) else getattr(conf, "__name__", module))
            elif isinstance(pattern, URLPattern) and pattern.name:
                routes[pattern.name] = module

    walk(get_resolver().url_patterns, "khoso.config.urls")
    return routes


ROUTES = _all_routes()
#: the REST API (and the QLVB ingest under it) answers 401 JSON to anonymous callers, not the login redirect,
#: and authenticates programs by token: tests/api/test_permissions.py and tests/qlvb/test_permissions.py check
#: every one of these routes × actor × object class and fail on a route missing from their matrix
API_ROUTES = {name for name, module in ROUTES.items() if module in {"khoso.api.urls", "khoso.qlvb.urls"}}


def test_every_route_is_in_the_policy() -> None:
    assert API_ROUTES, "the API routes moved: the exclusion below must follow them"
    missing = set(ROUTES) - set(POLICY) - set(WORKFLOW_POLICY) - API_ROUTES
    assert not missing, f"routes without an access rule in {__file__}: {sorted(missing)}"
    stale = (set(POLICY) | set(WORKFLOW_POLICY)) - set(ROUTES)
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


# -- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    fonds: Fonds
    other_fonds: Fonds
    files: dict[str, ArchiveFile] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    requests: dict[str, ReaderRequest] = field(default_factory=dict)
    reads: dict[str, Delivery] = field(default_factory=dict)
    copies: dict[str, Delivery] = field(default_factory=dict)
    users: dict[str, User | None] = field(default_factory=dict)
    pending_reader: Reader | None = None
    batch: TransferBatch | None = None
    batch_item: TransferItem | None = None
    change: AccessChange | None = None
    lock: FileLock | None = None
    restriction: Restriction | None = None
    catalogue_import: CatalogueImport | None = None


def _make_file(fonds: Fonds, cls: str, number: int) -> tuple[ArchiveFile, Document, Page]:
    marker = MARKERS[cls]
    archive_file = ArchiveFile.objects.create(
        fonds=fonds,
        file_code=f"{fonds.code}.1995.{number:02d}.TH",
        organ_id="000.00.00.H15",
        file_catalog=1995,
        file_notation=f"{number:02d}.TH",
        title=f"Hồ sơ {marker} về quy hoạch tỉnh Đắk Lắk năm 1995",
        maintenance="01",
        mode=MODES[cls],
        language="01",
        start_date=date(1995, 1, 3),
        end_date=date(1995, 12, 28),
        description="Thử nghiệm quyền truy cập",
    )
    document = Document.objects.create(
        file=archive_file,
        ordinal=1,
        doc_id=f"DOC-{number}",
        doc_code=f"{archive_file.file_code}.001",
        maintenance="01",
        type_name="02",
        code_number=str(number),
        code_notation="QĐ-UBND",
        issued_date=date(1995, 3, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject=f"Quyết định {marker} về quy hoạch",
        language="01",
        number_of_page=1,
        mode=MODES[cls],
    )
    capture = CaptureDelivery.objects.create(
        file=archive_file, source=CaptureDelivery.Source.UPLOAD, names=["1.jpg"], page_count=1
    )
    page = Page.objects.create(
        file=archive_file,
        document=document,
        delivery=capture,
        number=1,
        original=object_put_bytes(data=blank_jpeg(), mime="image/jpeg"),
        original_name="1.jpg",
        rendition=object_put_bytes(data=blank_pdf(), mime="application/pdf"),
        thumbnail=object_put_bytes(data=blank_jpeg((60, 84)), mime="image/jpeg"),
        width=300,
        height=420,
        dpi=300,
        ocr_text=f"Quyết định của Ủy ban nhân dân tỉnh Đắk Lắk {marker} năm 1995",
        stage=Page.Stage.DONE,
        qc_passed=True,
    )
    archive_file.pdf = object_put_bytes(data=blank_pdf() + marker.encode(), mime="application/pdf")
    archive_file.save(update_fields=["pdf"])
    return archive_file, document, page


@pytest.fixture
def world(db, settings) -> World:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    institution = Institution.objects.create(code="H15.QUET", name="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk")
    common: dict[str, Any] = dict(
        history="Thành lập năm 1976.", archives_time="1976-2000", paper_total=10, key_groups="Tổng hợp", language="01"
    )
    fonds = Fonds.objects.create(institution=institution, code="UBND-QUET", name="Phông UBND tỉnh Đắk Lắk", **common)
    other = Fonds.objects.create(institution=institution, code="SNV-DL", name="Phông Sở Nội vụ Đắk Lắk", **common)
    world = World(fonds=fonds, other_fonds=other)
    for number, cls in enumerate(CLASSES, start=1):
        world.files[cls], world.documents[cls], world.pages[cls] = _make_file(fonds, cls, number)
    world.restriction = Restriction.objects.create(
        fonds=fonds, file=world.files["restricted"], reason="Liên quan đời tư", start_date=date(2000, 1, 1)
    )
    ArchiveFile.objects.filter(pk=world.files["deleted"].pk).update(
        deleted_at=timezone.now(), deleted_reason="Nhập sai"
    )
    Document.objects.filter(pk=world.documents["deleted"].pk).update(deleted_at=timezone.now())

    def reader(name: str, status: str) -> User:
        user = User.objects.create_user(name, password=PASSWORD, email=f"{name}@example.vn")
        Reader.objects.create(
            user=user, full_name=f"Độc giả {name}", citizen_id="001200000001", email=user.email, status=status
        )
        return user

    pending = reader("docgia_moi", Reader.Status.PENDING)
    approved = reader("docgia", Reader.Status.APPROVED)
    staff = User.objects.create_user("nhanvien_snv", password=PASSWORD, is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=other, can_edit=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_reader", "change_readerrequest"]))
    admin = User.objects.create_superuser("quantri_sweep", "qt@example.vn", PASSWORD)
    world.users = {
        "anonymous": None,
        "reader": pending,
        "approved_reader": approved,
        "staff_other_fonds": staff,
        "admin": admin,
    }
    world.pending_reader = Reader.objects.get(user=pending)
    now = timezone.now()
    content = object_put_bytes(data=blank_pdf(), mime="application/pdf")
    for number, cls in enumerate(CLASSES, start=1):
        world.requests[cls] = ReaderRequest.objects.create(
            code=f"YC-1995-{number:06d}",
            reader=approved.reader,
            kind=ReaderRequest.Kind.READ,
            file=world.files[cls],
            purpose="01",
            purpose_content="Nghiên cứu lịch sử địa phương",
            fee_object_type="01",
            due_date=timezone.localdate() + timedelta(days=8),
            status=ReaderRequest.Status.DELIVERED,
            fee_vnd=10000,
            paid_at=timezone.now(),
            receipt_number=f"BL1995-{number:06d}",
        )
        for kind, into in (("doc", world.reads), ("sao", world.copies)):
            into[cls] = Delivery.objects.create(
                request=world.requests[cls],
                kind=kind,
                token=f"{kind}-{cls}-".ljust(43, "x"),
                content=content if kind == "sao" else None,
                page_count=1,
                expires_at=now + timedelta(days=15),
                purge_after=now + timedelta(days=20),
            )
    world.batch = TransferBatch.objects.create(fonds=world.fonds, source_agency="Sở Nội vụ", staging_key="sweep")
    world.batch_item = TransferItem.objects.create(
        batch=world.batch,
        sequence=1,
        package_name="01.zip",
        file_code="SNV.2020.01",
        findings=[{"rule": "CSIP1", "message": "Thử nghiệm", "message_en": "Test", "location": "METS.xml"}],
    )
    proposer = User.objects.create_superuser("quantri_de_nghi", "dn@example.vn", PASSWORD)
    world.change = AccessChange.objects.create(
        kind=AccessChange.Kind.FILE_ACCESS,
        target_key=f"file:{world.files['public'].pk}",
        fonds=fonds,
        file=world.files["public"],
        before={"mode": "01"},
        after={"mode": "02"},
        reason="Thử nghiệm bốn mắt",
        proposed_by=proposer,
    )
    world.lock = FileLock.objects.create(
        scope=FileLock.Scope.FONDS, fonds=world.other_fonds, reason="Đang kiểm tra", locked_by=proposer
    )
    world.catalogue_import = CatalogueImport.objects.create(
        fonds=fonds,
        filename="muc-luc.csv",
        sheet=object_put_bytes(data="Mã hồ sơ,Tiêu đề hồ sơ\r\nUBND-QUET.1995.09.TH,x\r\n".encode(), mime="text/csv"),
        created_by=proposer,
    )
    from khoso.search.services import index_rebuild

    index_rebuild()
    return world


# -- observing ------------------------------------------------------------------------------------


def _url(route: str, target: str, world: World, cls: str, *, missing: bool = False) -> str:
    """The route's URL naming the object of class ``cls`` (or, with ``missing``, an id that does not exist)."""
    bump = 100_000 if missing else 0
    archive_file, document, page = world.files[cls], world.documents[cls], world.pages[cls]
    args: dict[str, Any] = {
        "-": {},
        "fonds": {"fonds_id": world.fonds.pk + bump},
        "file": {"file_code": archive_file.file_code + ("X" if missing else "")},
        "page": {"file_code": archive_file.file_code, "number": page.number + bump},
        "file_id": {"file_id": archive_file.pk + bump},
        "page_id": {"file_id": archive_file.pk + bump, "number": page.number},
        "document": {"document_id": document.pk + bump},
        "reader": {"reader_id": world.pending_reader.pk + bump},  # type: ignore[union-attr]
        "request": {"request_id": world.requests[cls].pk + bump},
        "catalogue_import": {"fonds_id": world.fonds.pk, "import_id": world.catalogue_import.pk + bump},  # type: ignore[union-attr]
        "read": {"token": world.reads[cls].token[:-1] + ("y" if missing else "x")},
        "read_page": {"token": world.reads[cls].token[:-1] + ("y" if missing else "x"), "number": 1},
        "download": {"token": world.copies[cls].token[:-1] + ("y" if missing else "x")},
        "request_file": {},
        "batch": {"batch_id": world.batch.pk + bump},  # type: ignore[union-attr]
        "batch_item": {"batch_id": world.batch.pk, "item_id": world.batch_item.pk + bump},  # type: ignore[union-attr]
        "change": {"change_id": world.change.pk + bump},  # type: ignore[union-attr]
        "restriction": {"restriction_id": world.restriction.pk + bump},  # type: ignore[union-attr]
        "user": {"user_id": world.users["staff_other_fonds"].pk + bump},  # type: ignore[union-attr]
        "lock": {"lock_id": world.lock.pk + bump},  # type: ignore[union-attr]
        "audit_entry": {"seq": (AuditEntry.objects.order_by("seq").values_list("seq", flat=True).first() or 1) + bump},
        "guide": {"slug": "bien-muc" + ("-x" if missing else "")},
        "guide_screen": {"name": "my_queue" + ("_x" if missing else "")},
    }[target]
    if route == "portal_sitemap_part":
        args = {"part": 1}
    url = reverse(route, kwargs=args)
    if target == "request_file":
        url += f"?ho_so={archive_file.pk + bump}"
    return url


def _outcome(response: Any, method: str) -> str:
    status = response.status_code
    if hasattr(response, "streaming_content"):
        # Reading to the end lets the test client close the response without closing the DB connection.
        b"".join(response.streaming_content)
    if status in {301, 302}:
        if response["Location"].startswith(reverse("login")):
            return "login"
        return "ok" if method == "POST" else "away"  # a form answered by a redirect was accepted
    if status in {403, 404, 410}:
        return str(status)
    if status == 200 or (method == "POST" and status == 400):
        return "ok"
    return f"status {status}"


def _client(world: World, actor: str) -> Client:
    client = Client()
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("route", sorted(POLICY))
def test_observed_matrix_equals_the_policy(route: str, world: World) -> None:
    method, expected, target = POLICY[route]
    observed: dict[tuple[str, str], str] = {}
    for actor in ACTORS:
        client = _client(world, actor)
        for cls in CLASSES:
            url = _url(route, target, world, cls)
            response = client.post(url) if method == "POST" else client.get(url)
            observed[(actor, cls)] = _outcome(response, method)
            if actor != "anonymous" and route in {"logout"}:
                client = _client(world, actor)  # logging out ends the session: log in again
    differences = {cell: (expected[cell], observed[cell]) for cell in expected if expected[cell] != observed[cell]}
    assert not differences, f"{route}: (actor, class) → (policy, observed): {differences}"


ID_ROUTES = sorted(route for route, (_, matrix, target) in POLICY.items() if target != "-" and "404" in matrix.values())


@pytest.mark.parametrize("route", ID_ROUTES)
def test_hidden_objects_answer_like_missing_ones(route: str, world: World) -> None:
    """Sequential id (or token) guessing: a hidden object's 404 is byte-for-byte a missing object's 404."""
    method, expected, target = POLICY[route]
    for actor in ACTORS:
        client = _client(world, actor)
        for cls in CLASSES:
            if expected[(actor, cls)] != "404":
                continue
            hidden = (
                client.post(_url(route, target, world, cls))
                if method == "POST"
                else client.get(_url(route, target, world, cls))
            )
            missing_url = _url(route, target, world, cls, missing=True)
            missing = client.post(missing_url) if method == "POST" else client.get(missing_url)
            assert hidden.status_code == missing.status_code == 404, (route, actor, cls)
            assert _body(hidden, world) == _body(missing, world), (route, actor, cls)


def _body(response: Any, world: World) -> bytes:
    """The 404 page without the per-request CSRF token and the requested path."""
    content = response.content
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
    return re.sub(rb'(name="next" value=")[^"]*"', rb"\1", content)


@pytest.mark.parametrize("route", sorted(WORKFLOW_POLICY))
def test_workflow_routes_deny_everyone_outside_the_project(route: str, world: World, approved_project) -> None:  # type: ignore[no-untyped-def]
    method, kind = WORKFLOW_POLICY[route]
    pattern = next(p for p in _patterns() if p.name == route)
    item = approved_project.items.first()
    values = {name: 1 for name in pattern.pattern.converters}
    values.update(
        {
            k: v
            for k, v in {"project_id": approved_project.pk, "item_id": item.pk, "file_id": item.file_id}.items()
            if k in values
        }
    )
    url = reverse(route, kwargs=values)
    expected_outsider = {"user": "ok", "create": "403"}.get(kind, "404")
    for actor in ("anonymous", "reader", "approved_reader", "staff_other_fonds"):
        client = _client(world, actor)
        response = client.post(url) if method == "POST" else client.get(url)
        outcome = _outcome(response, method)
        if kind == "user" and outcome == "away" and actor != "anonymous":
            outcome = "ok"  # a list page may send a reader on to their own page
        expected = "login" if actor == "anonymous" else expected_outsider
        assert outcome == expected or (expected == "ok" and outcome == "away"), (route, actor, outcome)


def _patterns() -> list[URLPattern]:
    found: list[URLPattern] = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                found.append(pattern)

    walk(get_resolver().url_patterns)
    return found


# -- listings never leak ------------------------------------------------------------------------

#: actor → classes whose marker may appear in public listings (search, suggestions, sitemap)
PUBLIC_LISTING = {
    "anonymous": {"public"},
    "reader": {"public"},
    "approved_reader": {"public", "conditional"},
    "staff_other_fonds": {"public"},
    "admin": {"public"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_public_listings_show_exactly_what_the_actor_may_see(actor: str, world: World) -> None:
    client = _client(world, actor)
    for cls in CLASSES:
        results = client.get(reverse("portal_home"), {"q": MARKERS[cls]}).content.decode()
        suggestions = client.get(reverse("portal_suggest"), {"q": f"Hồ sơ {MARKERS[cls][:-2]}"}).content.decode()
        shown = cls in PUBLIC_LISTING[actor]
        title = f"Hồ sơ {MARKERS[cls]} về"  # the query itself is echoed in the search box; titles are not
        assert (title in results) is shown, (actor, cls, "search")
        if not shown:
            assert MARKERS[cls] not in suggestions, (actor, cls, "suggest")
            assert f"Quyết định {MARKERS[cls]}" not in results, (actor, cls, "search")
    sitemap = Client().get(reverse("portal_sitemap")).content.decode()
    for cls in CLASSES:
        assert (f"/tra-cuu/ho-so/{world.files[cls].pk}/" in sitemap) is (cls == "public"), cls
    from khoso.oai.services import sweep

    sweep()  # what the beat schedule does every 15 minutes
    for prefix in ("oai_dc", "ead"):
        harvest = client.get(reverse("oai"), {"verb": "ListRecords", "metadataPrefix": prefix}).content.decode()
        for cls in CLASSES:  # the same public answer for every actor, approved readers included
            assert (MARKERS[cls] in harvest) is (cls == "public"), (actor, cls, "oai", prefix)


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_search_shows_only_granted_fonds(actor: str, world: World) -> None:
    response = _client(world, actor).get(reverse("search"), {"q": "dauvet*"})
    if actor == "anonymous":
        assert response.status_code == 302
        return
    page = response.content.decode()
    visible = {"public", "conditional", "secret", "restricted"} if actor == "admin" else set()
    for cls in CLASSES:
        assert (MARKERS[cls] in page) is (cls in visible), (actor, cls)
