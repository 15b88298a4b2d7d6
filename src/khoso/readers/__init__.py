"""Readers: registration and approval, reading and copy requests, deliveries, usage records (TT 05/2025 Ch. VI)."""
