"""Full-text search over archived pages.

The database holds the page text and stays the source of truth; :mod:`khoso.search.engine`
keeps a derived tantivy index next to each process that serves searches, because ranking a term
found on every page of a 200,000-page archive takes about 1 ms there against 300-600 ms in SQLite
FTS5 or PostgreSQL ``ts_rank``. The index can be deleted and rebuilt from the database at any time.
"""
