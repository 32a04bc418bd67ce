"""``{% first_run_checklist as first_run %}``: the home page's first-run checklist, computed
where it is shown so the page's view needs no change (see core/partials/_first_run.html)."""

from __future__ import annotations

from typing import Any

from django import template

from hygie.core.services.first_run import FirstRun, first_run_checklist

register = template.Library()


@register.simple_tag(takes_context=True)
def first_run_checklist_for_user(context: dict[str, Any]) -> FirstRun | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return first_run_checklist(user) if user is not None else None
