"""Date and time inputs: the browser needs ISO values whatever the interface language (issue 10).

A French page once sent ``06/03/2027`` to an ``<input type="date">``, which the browser shows as
empty: the token's expiry date looked unset. Every date, date-time and time field must use the
shared ISO widgets of ``hygie.core.widgets``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

import hygie
from hygie.core.widgets import IsoDateInput, IsoDateTimeInput, IsoTimeInput

pytestmark = pytest.mark.django_db

_EXPECTED = {
    forms.DateTimeField: IsoDateTimeInput,
    forms.DateField: IsoDateInput,
    forms.TimeField: IsoTimeInput,
}


def _import_every_form_module() -> None:
    for module in pkgutil.walk_packages(hygie.__path__, "hygie."):
        leaf = module.name.rsplit(".", 1)[-1]
        if "form" in leaf or "filter" in leaf or ".forms." in module.name:
            importlib.import_module(module.name)


def _all_form_classes() -> list[type[forms.BaseForm]]:
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("hygie."):
            found.append(cls)
    return found


def test_every_date_field_of_every_form_uses_an_iso_widget():
    _import_every_form_module()
    classes = _all_form_classes()
    assert len(classes) > 20  # the walk really found the forms
    wrong = []
    for cls in classes:
        for name, field in cls.base_fields.items():
            for field_type, widget_type in _EXPECTED.items():
                if isinstance(field, field_type):
                    if not isinstance(field.widget, widget_type):
                        wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
                    break
    assert wrong == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_widgets_render_iso_in_every_language(language):
    with translation.override(language):
        day = IsoDateInput().render("d", date(2027, 3, 6))
        moment = IsoDateTimeInput().render("m", datetime(2027, 3, 6, 14, 5))
        clock = IsoTimeInput().render("t", datetime(2027, 3, 6, 14, 5).time())
    assert 'type="date"' in day and 'value="2027-03-06"' in day
    assert 'type="datetime-local"' in moment and 'value="2027-03-06T14:05"' in moment
    assert 'type="time"' in clock and 'value="14:05"' in clock


def test_french_token_page_shows_the_expiry_date(client_a):
    from django.conf import settings

    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client_a.get(reverse("core:token_list")).content.decode()
    assert 'lang="fr"' in page
    field = re.search(r'<input[^>]*name="expires_on"[^>]*>', page)
    assert field is not None
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', field.group(0)), field.group(0)
    assert timezone.localdate().strftime("%d/%m/%Y") not in field.group(0)
