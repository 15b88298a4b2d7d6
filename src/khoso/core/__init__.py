"""Django-free building blocks: errors with codes, text folding, archival codes, hashing, files."""
