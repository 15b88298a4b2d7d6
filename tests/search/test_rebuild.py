"""Rebuilding the index while the site keeps serving: searches see the old, complete index until
the new one is complete and has caught up with the changes made meanwhile."""

from __future__ import annotations

import pytest

from khoso.access.selectors import PortalScope, RestrictedSet
from khoso.archive.services import file_update
from khoso.search.selectors import CatalogueQuery, catalogue_search, search_pages
from khoso.search.services import index_rebuild, search_home

pytestmark = pytest.mark.django_db

ANYONE = PortalScope(frozenset({"01"}), frozenset({"01"}), RestrictedSet())


def found(text: str) -> list[str]:
    result = catalogue_search(scope=ANYONE, query=CatalogueQuery(text=text, sort="title"), limit=100)
    assert result.total == len(result.hits)
    return sorted(f"{hit.kind}:{hit.title}" for hit in result.hits)


def test_search_during_a_rebuild_returns_the_full_old_result(archive, people) -> None:  # type: ignore[no-untyped-def]
    files = [archive.file(f"Hồ sơ lưu trữ số {n}") for n in range(6)]
    for archive_file in files:
        archive.page(archive_file, "trang lưu trữ")
    before = found("luu tru")
    assert len(before) == 12
    live = search_home().current_name()
    seen_during: list[list[str]] = []

    def during_rebuild(entries_so_far: int) -> None:
        seen_during.append(found("luu tru"))
        assert search_pages(user=people["admin"], query="luu tru").total == 6
        if len(seen_during) == 3:  # an edit while the rebuild runs reaches the new index too
            file_update(archive_file=files[0], title="Hồ sơ lưu trữ đã sửa")

    count = index_rebuild(chunk=2, on_chunk=during_rebuild)

    assert count == 12
    assert len(seen_during) == 6
    assert all(seen == before for seen in seen_during[:3])
    assert search_home().current_name() != live
    after = found("luu tru")
    assert "file:Hồ sơ lưu trữ đã sửa" in after
    assert "file:Hồ sơ lưu trữ số 0" not in after
    assert len(after) == 12


def test_rebuild_keeps_the_previous_generation_only(archive, settings) -> None:  # type: ignore[no-untyped-def]
    archive.file("Hồ sơ một")
    first = search_home().current_name()
    index_rebuild()
    second = search_home().current_name()
    index_rebuild()
    third = search_home().current_name()

    generations = {path.name for path in settings.KHOSO_SEARCH_DIR.iterdir() if path.is_dir()}
    assert generations == {second, third}
    assert first not in generations
    assert found("mot") == ["file:Hồ sơ một"]


def test_rebuild_leaves_deleted_material_out(archive) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_delete

    kept = archive.file("Hồ sơ còn lại")
    gone = archive.file("Hồ sơ bị xóa")
    archive.page(gone, "trang của hồ sơ bị xóa")
    archive.page(kept, "trang còn lại")
    file_delete(archive_file=gone, reason="Nhập nhầm")

    index_rebuild()

    assert found("ho so") == ["file:Hồ sơ còn lại"]
    assert found("trang") == ["page:Hồ sơ còn lại"]
