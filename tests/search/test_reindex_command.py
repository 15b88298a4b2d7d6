"""``khoso reindex``: an operator rebuilds or catches up the index from the shell."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from khoso.access.selectors import portal_scope
from khoso.search.selectors import CatalogueQuery, catalogue_search
from khoso.search.services import search_home

pytestmark = pytest.mark.django_db


def test_reindex_builds_a_missing_index_and_finds_records(archive_file) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("reindex", if_missing=True, stdout=out, stderr=io.StringIO())
    assert "Đã dựng lại chỉ mục" in out.getvalue()
    first = search_home().current_name()
    assert first is not None
    quiet = io.StringIO()
    call_command("reindex", if_missing=True, stdout=quiet, stderr=io.StringIO())
    assert quiet.getvalue() == "" and search_home().current_name() == first  # nothing to do
    call_command("reindex", stdout=io.StringIO(), stderr=io.StringIO())
    assert search_home().current_name() != first  # a full rebuild makes a new generation


def test_reindex_sync_applies_pending_changes(archive_file) -> None:  # type: ignore[no-untyped-def]
    anyone = portal_scope(AnonymousUser())
    out = io.StringIO()
    call_command("reindex", sync=True, stdout=out)
    assert out.getvalue().startswith("Đã cập nhật 1 mục")  # the new file's catalogue record
    assert catalogue_search(scope=anyone, query=CatalogueQuery(text="quy hoach dak lak")).total == 1
    quiet = io.StringIO()
    call_command("reindex", sync=True, stdout=quiet)
    assert quiet.getvalue().startswith("Đã cập nhật 0 mục")  # nothing left to apply


def test_an_index_built_by_an_older_release_is_rebuilt_at_start_up(archive_file) -> None:  # type: ignore[no-untyped-def]
    """``khoso up`` runs ``reindex --if-missing``: after an upgrade that changed the index layout the
    old generation cannot be opened, so it is rebuilt rather than left to fail every search."""
    import tantivy

    home = search_home()
    old = home.root / "gen-old"
    old.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body")
    tantivy.Index(builder.build(), str(old))
    (home.root / "current").write_text("gen-old", encoding="utf-8")
    assert not home.current_is_usable()

    call_command("reindex", if_missing=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert home.current_name() != "gen-old" and home.current_is_usable()
    anyone = portal_scope(AnonymousUser())
    assert catalogue_search(scope=anyone, query=CatalogueQuery(text="quy hoach dak lak")).total == 1
