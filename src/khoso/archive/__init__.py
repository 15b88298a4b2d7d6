"""The archive of record: institution → fonds → inventory → box → file → document → page (TT 05/2025)."""
