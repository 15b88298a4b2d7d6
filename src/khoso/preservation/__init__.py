"""Preservation: copies in independent storage locations, fixity audits and repair, PREMIS events."""
