"""Every view and download is a usage event (NĐ30 PL VI); staff see the numbers of their own fonds only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from khoso.readers import selectors, services
from khoso.readers.models import UsageEvent

pytestmark = pytest.mark.django_db
A = UsageEvent.Action


def _request(user=None, address: str = "203.0.113.7"):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/tra-cuu/", REMOTE_ADDR=address)
    request.user = user or AnonymousUser()
    return request


def test_usage_record_takes_user_and_address_from_the_request(world) -> None:
    public = world.files["public"]
    event = services.usage_record(request=_request(), action=A.VIEW_FILE, file=public)
    assert event.user is None and event.address == "203.0.113.7" and event.surface == "portal"
    event = services.usage_record(
        request=_request(world.users["reader"], "2001:db8::1"),
        action=A.VIEW_PAGE,
        document=world.document,
        page_number=2,
        surface="staff",
    )
    assert event.user == world.users["reader"] and event.address == "2001:db8::1"
    assert event.file == public and event.document == world.document and event.surface == "staff"
    assert services.usage_record(request=None, action=A.VIEW_FILE, file=public).address is None
    assert services.usage_record(request=_request(address="not-an-ip"), action=A.VIEW_FILE, file=public).address is None


def test_stats_count_per_file_and_per_document(world) -> None:
    public, paper, elsewhere = world.files["public"], world.files["paper"], world.files["other_fonds"]
    for action, kwargs in [
        (A.VIEW_FILE, {"file": public}),
        (A.VIEW_FILE, {"file": public}),
        (A.VIEW_PAGE, {"file": public, "page_number": 1}),
        (A.VIEW_DOCUMENT, {"document": world.document}),
        (A.VIEW_PAGE, {"document": world.document, "page_number": 2}),
        (A.DOWNLOAD, {"document": world.document}),
        (A.VIEW_FILE, {"file": paper}),
        (A.VIEW_FILE, {"file": elsewhere}),
    ]:
        services.usage_record(request=_request(), action=action, **kwargs)
    rows = {row.file.file_code: row for row in selectors.usage_stats(user=world.users["staff"])}
    assert set(rows) == {public.file_code, paper.file_code}  # not the other fonds' file
    assert (rows[public.file_code].views, rows[public.file_code].page_views, rows[public.file_code].downloads) == (
        2,
        2,
        1,
    )
    assert rows[paper.file_code].views == 1
    (document_row,) = selectors.usage_stats_documents(user=world.users["staff"])
    assert (document_row.views, document_row.page_views, document_row.downloads) == (1, 1, 1)
    everything = selectors.usage_stats(user=world.users["superuser"])
    assert {row.file.file_code for row in everything} == {public.file_code, paper.file_code, elsewhere.file_code}
    only = selectors.usage_stats(user=world.users["superuser"], fonds_id=world.other_fonds.pk)
    assert [row.file for row in only] == [elsewhere]


def test_usage_page_shows_the_staff_members_fonds_only(world, client: Client) -> None:
    services.usage_record(request=_request(), action=A.VIEW_FILE, file=world.files["public"])
    services.usage_record(request=_request(), action=A.VIEW_FILE, file=world.files["other_fonds"])
    client.force_login(world.users["staff"])
    page = client.get(reverse("reader_usage")).content.decode()
    assert world.files["public"].file_code in page and world.files["other_fonds"].file_code not in page
    client.force_login(world.users["staff_other"])
    page = client.get(reverse("reader_usage")).content.decode()
    assert world.files["public"].file_code not in page and world.files["other_fonds"].file_code in page
    client.force_login(world.users["reader"])
    assert client.get(reverse("reader_usage")).status_code == 403
