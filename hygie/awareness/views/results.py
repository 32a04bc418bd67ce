"""Results of phishing simulations: a campaign's live dashboard (the htmx fragment refreshes
while the campaign runs), its CSV and PDF exports, and the trend over campaigns with repeat
clickers."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hygie.awareness.models import Campaign
from hygie.awareness.roles import VIEW
from hygie.awareness.services import results
from hygie.core.http import AuthenticatedRequest
from hygie.core.views.generic import CapabilityRequiredMixin


class _ResultsView(CapabilityRequiredMixin):
    required_capability = VIEW

    def campaign(self) -> Campaign:
        return get_object_or_404(
            Campaign.objects.visible_to(self.request.user).select_related(
                "establishment", "template_a", "template_b", "landing_page"
            ),
            pk=self.kwargs["pk"],
        )


class CampaignResultsView(_ResultsView):
    """The live dashboard: the whole page, or its figures only for htmx's refresh."""

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.campaign()
        context = results.page_context(results.campaign_results(campaign))
        if getattr(request, "htmx", False):
            return render(request, "awareness/results/_live.html", context)
        return render(request, "awareness/results/campaign.html", context)


class CampaignResultsExportView(_ResultsView):
    """``?format=csv`` (one row per recipient) or ``?format=pdf`` (the report)."""

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.campaign()
        fmt = request.GET.get("format", "csv")
        if fmt not in results.EXPORT_FORMATS:
            return HttpResponse(_("Export as csv or pdf."), status=404)
        data, content_type, name = results.export_results(campaign, fmt)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ResultsOverviewView(CapabilityRequiredMixin):
    """Every launched campaign's headline figures, the trend chart and repeat clickers."""

    required_capability = VIEW

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        launched = results.launched_campaigns(request.user)
        latest = list(launched.values_list("pk", flat=True)[:100])
        rows = results.summaries(launched.filter(pk__in=latest))
        trend_rows = results.trend(request.user)
        return render(
            request,
            "awareness/results/overview.html",
            {
                "rows": rows,
                "trend_chart": results.trend_chart(trend_rows),
                "repeat_clickers": results.repeat_clickers(request.user),
            },
        )


campaign_results = never_cache(CampaignResultsView.as_view())
campaign_results_export = never_cache(CampaignResultsExportView.as_view())
results_overview = never_cache(ResultsOverviewView.as_view())
