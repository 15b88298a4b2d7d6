"""T10 (engineering.md C5): no way around the access-checked views to the stored bytes.

No ``/media/`` route and no URL of the object store exists; reader delivery links are unguessable
tokens bound to their reader (a forged or another reader's token is 404, an expired one 410 with
the date); every file response carries ``nosniff`` and a fixed Content-Disposition and is never
``text/html``, even when the stored bytes are an HTML polyglot; the store is not world-readable.
"""

from __future__ import annotations

import secrets
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.archive.models import Page
from khoso.capture.models import Delivery as CaptureDelivery
from khoso.readers.models import Delivery, Reader, ReaderRequest
from khoso.storage.cas import ObjectStore
from khoso.storage.services import object_put_bytes

from .conftest import png_html_polyglot

MARKER = b"<script>alert(document.cookie)</script>"


@pytest.fixture
def polyglot_page(archive_file) -> Page:  # type: ignore[no-untyped-def]
    """A page whose stored original is a PNG that is also an HTML page (as if it predated T7's check)."""
    stored = object_put_bytes(data=png_html_polyglot(), mime="image/png")
    delivery = CaptureDelivery.objects.create(file=archive_file, source="upload", names=["anh.png"], page_count=1)
    return Page.objects.create(
        file=archive_file,
        delivery=delivery,
        number=1,
        original=stored,
        original_name="anh.png",
        thumbnail=stored,
        width=620,
        height=877,
        dpi=200,
        stage=Page.Stage.DONE,
    )


def _clients(db) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    admin = Client()
    admin.force_login(User.objects.create_superuser("quantri", password="mat-khau-dai-12"))
    return {"anonymous": Client(), "admin": admin}


def test_media_and_raw_object_paths_are_not_served(db, polyglot_page: Page, settings) -> None:  # type: ignore[no-untyped-def]
    sha = polyglot_page.original_id
    objects = Path(settings.KHOSO_OBJECTS_DIR)
    assert (objects / sha[:2] / sha[2:4] / sha).is_file()
    paths = [
        f"/media/{sha}",
        f"/media/objects/{sha[:2]}/{sha[2:4]}/{sha}",
        f"/objects/{sha[:2]}/{sha[2:4]}/{sha}",
        f"/static/{sha}",
        f"/static/../objects/{sha[:2]}/{sha[2:4]}/{sha}",
        f"/static/%2e%2e/objects/{sha[:2]}/{sha[2:4]}/{sha}",
        f"/{sha}",
    ]
    for actor, client in _clients(db).items():
        for path in paths:
            response = client.get(path)
            assert response.status_code in (302, 404), (actor, path, response.status_code)
            if response.status_code == 302:  # anonymous: to the login page, nothing else
                assert response["Location"].startswith(reverse("login")), path
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert MARKER not in body, (actor, path)


def test_file_responses_are_never_html_and_carry_nosniff_and_a_disposition(db, polyglot_page: Page) -> None:  # type: ignore[no-untyped-def]
    client = _clients(db)["admin"]
    code = polyglot_page.file.file_code
    for name in ("page_image", "page_thumbnail"):
        response = client.get(reverse(name, args=[code, 1]))
        assert response.status_code == 200, name
        assert "html" not in response["Content-Type"], name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Content-Disposition"].split(";")[0] in ("inline", "attachment"), name


def _delivery(archive_file, user: User, *, expires_in: timedelta) -> Delivery:  # type: ignore[no-untyped-def]
    reader = Reader.objects.create(
        user=user,
        full_name="Nguyễn Thị Đọc",
        citizen_id="001200000001",
        email="doc@example.vn",
        status=Reader.Status.APPROVED,
    )
    request = ReaderRequest.objects.create(
        code=f"YC-{secrets.token_hex(3)}",
        reader=reader,
        kind=ReaderRequest.Kind.COPY,
        file=archive_file,
        purpose="01",
        purpose_content="Nghiên cứu",
        fee_object_type="01",
        due_date=timezone.localdate(),
        status=ReaderRequest.Status.DELIVERED,
    )
    content = object_put_bytes(data=b"%PDF-1.7\n% ban sao\n%%EOF\n", mime="application/pdf")
    now = timezone.now()
    return Delivery.objects.create(
        request=request,
        kind=ReaderRequest.Kind.COPY,
        token=secrets.token_urlsafe(32),
        content=content,
        expires_at=now + expires_in,
        purge_after=now + expires_in + timedelta(days=5),
    )


def test_forged_foreign_and_expired_delivery_links_are_refused(db, archive_file) -> None:  # type: ignore[no-untyped-def]
    owner = User.objects.create_user("docgia", password="mat-khau-dai-12")
    other = User.objects.create_user("docgiakhac", password="mat-khau-dai-12")
    delivery = _delivery(archive_file, owner, expires_in=timedelta(days=3))
    client = Client()
    client.force_login(owner)

    good = client.get(reverse("reader_download", args=[delivery.token]))
    assert good.status_code == 200
    assert good["Content-Type"] == "application/pdf" and good["X-Content-Type-Options"] == "nosniff"
    assert good["Content-Disposition"].startswith("attachment;")

    forged = delivery.token[:-4] + ("AAAA" if not delivery.token.endswith("AAAA") else "BBBB")
    assert client.get(reverse("reader_download", args=[forged])).status_code == 404
    assert client.get(reverse("reader_download", args=["x" * 64])).status_code == 404
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(reverse("reader_download", args=[delivery.token])).status_code == 404  # not theirs
    anonymous = Client().get(reverse("reader_download", args=[delivery.token]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    Delivery.objects.filter(pk=delivery.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(reverse("reader_download", args=[delivery.token]))
    assert expired.status_code == 410  # the readers app answers "gone, expired on dd/mm/yyyy"
    assert b"%PDF" not in expired.content


def test_object_store_directory_is_not_world_readable(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    result = store.put_bytes(b"noi dung")
    assert not store.root.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH)
    assert not result.path.stat().st_mode & stat.S_IWOTH
