"""Web UI: Vietnamese first, thin views over selectors and services."""
