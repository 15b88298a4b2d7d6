"""Ingest of born-digital records from document-management systems (QLVB, NĐ 30/2020 Phụ lục VI)."""
