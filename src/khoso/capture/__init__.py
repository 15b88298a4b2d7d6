"""Capture: deliveries of scans (upload, watched folder, CLI), preflight and the ingest pipeline."""
