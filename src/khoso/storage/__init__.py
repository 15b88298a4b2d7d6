"""Content-addressed object storage: originals and renditions, addressed by SHA-256."""
