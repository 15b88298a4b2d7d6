"""Vietnamese user guides, one per role plus installation and operations, served inside the web UI and
built as PDF. Screenshots come from the browser tests, and a test fails when a guide names a screen or a
command that no longer exists, so the guide cannot drift from the product.

The guide text is Vietnamese only (the archives' staff and readers work in Vietnamese); each guide carries a
one-line English summary, and the pages around it (list, contents, buttons) are translated like the rest of
the UI."""
