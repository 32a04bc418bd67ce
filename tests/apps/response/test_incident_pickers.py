"""The incident's pickers: assets and departments searchable in its form, and an alert picker
that accepts picked alerts (several values) as well as typed numbers ("12, 15")."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from hygie.core.services.alerts import raise_alert
from hygie.core.widgets import SearchableSelectMultiple
from hygie.response.forms.incidents import AlertLinkForm, IncidentForm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_incident_form_pickers_and_alert_link_accept_picked_or_typed(
    client_a, user_a, incident, establishment_a
):
    form = IncidentForm(user=user_a, instance=incident)
    assert isinstance(form.fields["assets"].widget, SearchableSelectMultiple)
    assert isinstance(form.fields["departments"].widget, SearchableSelectMultiple)
    alerts = [
        raise_alert(establishment=establishment_a, source="detection", title=f"Alerte {n}")
        for n in range(3)
    ]
    page = client_a.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    # The search is narrowed to the alerts the incident may link (its establishment's).
    assert f'data-picker="/pickers/alerts/?establishment={establishment_a.pk}"' in page
    assert f"#{alerts[0].pk} Alerte 0" in page  # offered without scripts too
    # Picked in the select (several values) or typed as before ("12, 15"): the same list.
    data = QueryDict(mutable=True)
    data.setlist("alerts-alerts", [str(a.pk) for a in alerts[:2]])
    picked = AlertLinkForm(data, prefix="alerts")
    assert picked.is_valid() and picked.cleaned_data["alerts"] == [a.pk for a in alerts[:2]]
    typed = AlertLinkForm({"alerts-alerts": f"{alerts[2].pk}, #{alerts[0].pk}"}, prefix="alerts")
    assert typed.is_valid() and typed.cleaned_data["alerts"] == [alerts[2].pk, alerts[0].pk]
    picked_values = {"alerts-alerts": [str(a.pk) for a in alerts[:2]]}  # as a browser posts them
    client_a.post(reverse("response:incident_link_alerts", args=[incident.pk]), picked_values)
    assert incident.alerts.count() == 2
