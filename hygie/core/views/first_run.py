"""Hiding (or showing again) the first-run checklist of the home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from hygie.core.http import AuthenticatedRequest
from hygie.core.services.first_run import may_see_checklist, set_checklist_hidden


@login_required
@require_POST
def first_run_hide(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_checklist(request.user):
        raise PermissionDenied
    set_checklist_hidden(request.user, request.POST.get("show") != "1")
    return redirect("core:dashboard")
