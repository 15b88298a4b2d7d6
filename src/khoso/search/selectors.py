"""The one search interface: the web, CLI and API all call :func:`search_pages`.

The reader's rights become part of the engine query (fonds and access modes), so hit counts,
snippets and facets never include anything the reader may not see.
"""

from __future__ import annotations

from khoso.access.selectors import Actor, allowed_modes, visible_fonds_ids
from khoso.search.engine import SearchResult, match_terms
from khoso.search.services import index_sync, page_index


def search_pages(*, user: Actor, query: str, limit: int = 20, offset: int = 0, system: bool = False) -> SearchResult:
    """Search pages visible to ``user``; ``system=True`` is for trusted local scripts only."""
    index = page_index()
    index_sync(index=index)
    if system:
        return index.search(query, fonds_ids=None, access_modes={"01", "02", "03"}, limit=limit, offset=offset)
    return index.search(
        query,
        fonds_ids=visible_fonds_ids(user),
        access_modes=allowed_modes(user),
        limit=limit,
        offset=offset,
    )


def highlight_terms(query: str) -> list[str]:
    return match_terms(query)
