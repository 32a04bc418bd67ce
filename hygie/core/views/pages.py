"""The shell's own pages (dashboard)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hygie.core.models import Asset, AuditEntry, Establishment, Person


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "establishment_count": Establishment.objects.visible_to(user).count(),
        "person_count": Person.objects.visible_to(user).count(),
        "asset_count": Asset.objects.visible_to(user).count(),
        "recent_audit": AuditEntry.objects.visible_to(user)[:10],
    }
    return render(request, "core/dashboard.html", context)
