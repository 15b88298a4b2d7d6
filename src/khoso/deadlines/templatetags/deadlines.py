"""``{% deadlines_panel %}``: the home page's panel of items overdue or coming due, for whoever follows any."""

from __future__ import annotations

from typing import Any

from django import template

from khoso.deadlines import selectors

register = template.Library()


@register.inclusion_tag("deadlines/_panel.html", takes_context=True)
def deadlines_panel(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    return {"panel": selectors.summary(user) if selectors.may_see_board(user) else None}
