"""Columns declare a priority; the generic tables carry it as a class on headers and cells, so
that the stylesheet folds the low-priority columns first on narrow screens (the 1280-px browser
test checks the result)."""

import pytest
from django.urls import reverse

from hygie.core.services.alerts import raise_alert
from hygie.core.tables import ESSENTIAL, OPTIONAL, SECONDARY, Column, column_classes
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_column_classes_say_priority_room_and_breaking():
    assert column_classes() == ""
    assert column_classes(SECONDARY) == "col-p2"
    assert column_classes(OPTIONAL, main=True, breaks=True) == "col-p3 col-main col-break"
    assert Column("title", main=True).css == "col-main"
    assert Column("assignee", priority=OPTIONAL).css == "col-p3"
    assert Column("severity").priority == ESSENTIAL


def test_alert_list_marks_headers_and_cells(client_a, establishment_a):
    raise_alert(establishment=establishment_a, source="detection", title="Connexion suspecte")
    html = client_a.get(reverse("core:alert_list")).content.decode()
    # The title names the row and keeps room; the assignee folds first, the source next.
    assert html.count('class="col-main"') == 2  # its header and its cell
    assert html.count('class="col-p3"') >= 4  # occurrences and assignee, header and cell
    assert html.count('class="col-p2"') >= 4  # source and establishment
    assert "container: table-box / inline-size" in _stylesheet()


def _stylesheet() -> str:
    from pathlib import Path

    import hygie

    return (Path(hygie.__file__).parent / "core/static/hygie/css/hygie.css").read_text()
