"""Wrappers around external programs; each program is run from exactly one module here."""
