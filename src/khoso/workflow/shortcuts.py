"""How every workflow view loads what it works on: deny by default, the same way in every step app.

A project or file is 404 to anyone outside the project (its existence does not leak), and 403 to a
member who holds none of the roles the page needs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from khoso.core.errors import NotFoundError
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.selectors import item_get, project_get, roles_of
from khoso.workflow.states import Role


def found[T](load: Callable[[], T]) -> T:
    """Run a selector; its ``NotFoundError`` becomes a 404."""
    try:
        return load()
    except NotFoundError as error:
        raise Http404(error.message) from error


def require_roles(request: HttpRequest, project: Project, *roles: Role) -> None:
    """403 unless the user holds one of ``roles`` in ``project`` (no roles: any member)."""
    if roles and not roles_of(request.user, project) & {str(role) for role in roles}:
        names = " hoặc ".join(f"«{role.label}»" for role in roles)
        raise PermissionDenied(f"Cần vai trò {names} trong đề án {project.code}.")


def project_for(request: HttpRequest, project_id: int, *roles: Role) -> Project:
    project = found(lambda: project_get(user=request.user, project_id=project_id))
    require_roles(request, project, *roles)
    return project


def item_for(request: HttpRequest, item_id: int, *roles: Role) -> ProjectFile:
    item = found(lambda: item_get(user=request.user, item_id=item_id))
    require_roles(request, item.project, *roles)
    return item
