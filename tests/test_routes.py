"""Every route is served from a module whose permission matrix test covers it (deny by default)."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from khoso.config.urls import ROUTE_MODULES

TESTS = Path(__file__).parent


def _named_routes(patterns: list, module: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":  # Django's admin checks staff rights itself
                continue
            conf = pattern.urlconf_name
            name = conf if isinstance(conf, str) else getattr(conf, "__name__", module)
            found |= _named_routes(pattern.url_patterns, name)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add((module, pattern.name))
    return found


def test_every_route_comes_from_a_module_with_a_permission_matrix() -> None:
    routes = _named_routes(get_resolver().url_patterns, "khoso.config.urls")
    strays = {route for route in routes if route[0] not in ROUTE_MODULES}
    assert not strays, f"routes outside the policed modules: {sorted(strays)}"
    for module in ROUTE_MODULES:
        app = module.split(".")[1]
        matrix = TESTS / app / "test_permissions.py"
        has_routes = bool(importlib.import_module(module).urlpatterns)
        assert not has_routes or matrix.exists(), f"{module} serves routes but {matrix} does not exist"
