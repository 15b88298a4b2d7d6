"""TT 05/2025 information packages (SIP, AIP, DIP): export, import with validation, transfer between archives."""
