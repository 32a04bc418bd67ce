"""Reusable tests for the generic object pages (NetBox ``ViewTestCases`` style).

A test class for one model page inherits the mixins it needs and declares:

* ``url_base`` — e.g. ``"core:person"`` (the views are ``<url_base>_list``, ``_detail``…);
* ``make_object(establishment)`` — an object belonging to that establishment, whose ``str()``
  is unique on the page;
* for the write mixins, ``form_data(establishment)`` (valid POST data) and ``edit_data(obj)``;
* ``denied_role`` — a role without the view capability (None when every role may view);
* ``writer_sees_all`` — whether the writer must be organisation-wide.

Isolation is always checked with a user attached to establishment A only, against objects of
establishment B: they must be a 404, like objects that do not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hygie.core.models import AuditEntry
from hygie.core.testing import login_with_mfa


@pytest.fixture
def english(settings):
    """Run in English: assertions quote the source messages (French is the product default)."""
    settings.LANGUAGE_CODE = "en"


class _Base:
    url_base: str
    denied_role: str | None = None
    read_only_role = "auditor"
    writer_role = "rssi"
    writer_sees_all = False

    def make_object(self, establishment: Any) -> Any:
        raise NotImplementedError

    def url(self, action: str, *args: Any) -> str:
        return reverse(f"{self.url_base}_{action}", args=args)

    @pytest.fixture
    def writer(self, make_user, establishment_a) -> Client:
        user = make_user(
            "writer", self.writer_role, [establishment_a], all_establishments=self.writer_sees_all
        )
        return login_with_mfa(Client(), user)

    @pytest.fixture
    def scoped(self, make_user, establishment_a) -> Client:
        """Someone of establishment A only, with every capability the page needs."""
        user = make_user("scoped", "admin", [establishment_a])
        return login_with_mfa(Client(), user)

    @pytest.fixture
    def reader(self, make_user, establishment_a) -> Client:
        user = make_user("reader", self.read_only_role, [establishment_a])
        return login_with_mfa(Client(), user)


class ListViewTests(_Base):
    def test_list_shows_visible_objects(self, writer, establishment_a):
        obj = self.make_object(establishment_a)
        response = writer.get(self.url("list"))
        assert response.status_code == 200
        assert str(obj) in response.content.decode()

    def test_list_hides_other_establishment(self, scoped, establishment_a, establishment_b):
        mine, theirs = self.make_object(establishment_a), self.make_object(establishment_b)
        content = scoped.get(self.url("list")).content.decode()
        assert str(mine) in content
        assert str(theirs) not in content

    def test_list_htmx_returns_table_fragment(self, writer, establishment_a):
        obj = self.make_object(establishment_a)
        response = writer.get(
            self.url("list"),
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET=f"{self.url_base.split(':')[1]}-table",
        )
        content = response.content.decode()
        assert response.status_code == 200
        assert "<table" in content and "<html" not in content
        assert str(obj) in content

    def test_list_search_sort_and_bad_parameters(self, writer, establishment_a):
        obj = self.make_object(establishment_a)
        first_word = str(obj).split()[0]
        response = writer.get(
            self.url("list"),
            {"q": first_word, "page": "999", "sort": "-nonexistent; DROP", "per_page": "7"},
        )
        assert response.status_code == 200
        assert str(obj) in response.content.decode()
        nothing = writer.get(self.url("list"), {"q": "zz-no-such-thing-zz"})
        assert str(obj) not in nothing.content.decode()

    def test_list_requires_sign_in(self, client):
        response = client.get(self.url("list"))
        assert response.status_code == 302
        assert reverse("core:login") in response["Location"]

    def test_list_forbidden_without_capability(self, make_user, establishment_a):
        if self.denied_role is None:
            pytest.skip("every role may view this page")
        user = make_user("denied", self.denied_role, [establishment_a])
        client = login_with_mfa(Client(), user)
        assert client.get(self.url("list")).status_code == 403


class DetailViewTests(_Base):
    def test_detail(self, writer, establishment_a):
        obj = self.make_object(establishment_a)
        response = writer.get(self.url("detail", obj.pk))
        assert response.status_code == 200
        assert str(obj) in response.content.decode()

    def test_detail_of_other_establishment_is_404(self, scoped, establishment_b):
        theirs = self.make_object(establishment_b)
        response = scoped.get(self.url("detail", theirs.pk))
        assert response.status_code == 404
        assert str(theirs) not in response.content.decode()

    def test_detail_forbidden_without_capability(self, make_user, establishment_a):
        if self.denied_role is None:
            pytest.skip("every role may view this page")
        obj = self.make_object(establishment_a)
        user = make_user("denied", self.denied_role, [establishment_a])
        client = login_with_mfa(Client(), user)
        assert client.get(self.url("detail", obj.pk)).status_code == 403


class EditViewTests(_Base):
    def form_data(self, establishment: Any) -> dict[str, Any]:
        raise NotImplementedError

    def edit_data(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def model(self) -> Any:
        raise NotImplementedError

    def test_add_form_renders(self, writer):
        assert writer.get(self.url("add")).status_code == 200

    def test_create(self, writer, establishment_a):
        model = self.model()
        before = model.objects.count()
        response = writer.post(self.url("add"), self.form_data(establishment_a))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert model.objects.count() == before + 1
        created = model.objects.order_by("-pk").first()
        assert AuditEntry.objects.filter(
            action="create", object_id=str(created.pk), object_type=model._meta.label_lower
        ).exists()

    def test_create_invalid_shows_errors_and_writes_nothing(self, writer):
        model = self.model()
        before = model.objects.count()
        response = writer.post(self.url("add"), {})
        assert response.status_code == 422
        assert "errorlist" in response.content.decode()
        assert model.objects.count() == before

    def test_edit(self, writer, establishment_a):
        obj = self.make_object(establishment_a)
        data = self.edit_data(obj)
        response = writer.post(self.url("edit", obj.pk), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        obj.refresh_from_db()
        for name, value in self.expected_after_edit().items():
            assert str(getattr(obj, name)) == str(value)

    def expected_after_edit(self) -> dict[str, Any]:
        return {}

    def test_edit_of_other_establishment_is_404(self, scoped, establishment_b):
        theirs = self.make_object(establishment_b)
        assert scoped.get(self.url("edit", theirs.pk)).status_code == 404
        assert scoped.post(self.url("edit", theirs.pk), self.edit_data(theirs)).status_code == 404

    def test_write_forbidden_without_capability(self, reader, establishment_a):
        obj = self.make_object(establishment_a)
        model = self.model()
        before = model.objects.count()
        assert reader.get(self.url("add")).status_code == 403
        assert reader.post(self.url("add"), self.form_data(establishment_a)).status_code == 403
        assert reader.post(self.url("edit", obj.pk), self.edit_data(obj)).status_code == 403
        assert model.objects.count() == before


class DeleteViewTests(_Base):
    def make_deletable_object(self, establishment: Any) -> Any:
        return self.make_object(establishment)

    def test_delete(self, writer, establishment_a):
        obj = self.make_deletable_object(establishment_a)
        assert writer.get(self.url("delete", obj.pk)).status_code == 200
        response = writer.post(self.url("delete", obj.pk))
        assert response.status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        assert AuditEntry.objects.filter(action="delete", object_id=str(obj.pk)).exists()

    def test_delete_of_other_establishment_is_404(self, scoped, establishment_b):
        theirs = self.make_deletable_object(establishment_b)
        assert scoped.post(self.url("delete", theirs.pk)).status_code == 404
        assert type(theirs).objects.filter(pk=theirs.pk).exists()

    def test_delete_forbidden_without_capability(self, reader, establishment_a):
        obj = self.make_deletable_object(establishment_a)
        assert reader.post(self.url("delete", obj.pk)).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


class ReadOnlyViewTests(ListViewTests, DetailViewTests):
    """List and detail pages."""


class StandardViewTests(ListViewTests, DetailViewTests, EditViewTests, DeleteViewTests):
    """Every page of a model with the full list/detail/add/edit/delete set."""
