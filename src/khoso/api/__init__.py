"""The REST API (Django REST framework, OpenAPI 3): the web UI's reads and actions for other programs."""
