"""One way for every view to run a service: a refused rule is shown, a missing right is a 403.

Services raise ``ArchiveError`` subclasses with a Vietnamese message naming the rule; a view turns
that into a message on the next page and changes nothing, except ``PermissionDeniedError``,
which is a 403 so deny-by-default holds however a form was posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from khoso.core.errors import ArchiveError, PermissionDeniedError


def run_service(request: HttpRequest, action: Callable[[], Any], success: str | Callable[[Any], str]) -> bool:
    """Run ``action``; True (and ``success`` shown) if it went through, False (and the rule shown) if refused.

    ``success`` may be a function of the action's result, for messages that name what was made.
    """
    try:
        result = action()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except ArchiveError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
