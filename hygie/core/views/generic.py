"""Generic object views (NetBox style): a page is a model, columns, filters, a form, capabilities.

Every view reads through ``Model.objects.visible_to(user)`` — an object of another establishment
is a 404, exactly like one that does not exist — and writes through ``services.crud``. A missing
capability is a 403. List views answer htmx requests with the table fragment only, so search,
filters, sorting and paging refresh the table without reloading the page.

URL names follow design §6: ``<app>:<model>_list|_detail|_add|_edit|_delete``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from hygie.core import audit
from hygie.core.forms import ScopedModelForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.models.scoping import visible_objects
from hygie.core.services import crud
from hygie.core.tables import Column, display_value, scoped_label, verbose_name_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_SEARCH_LENGTH = 200
PAGE_SIZES = (25, 50, 100)


def url_name_for(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def reverse_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class CapabilityRequiredMixin(View):
    """Sign-in first (redirect), then the capability (403)."""

    required_capability: str | None = None
    # Signed in past ``dispatch``: every handler of these views sees Hygie's User.
    request: AuthenticatedRequest

    def get_required_capability(self) -> str | None:
        return self.required_capability

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        capability = self.get_required_capability()
        if capability and not self.request.user.can(capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ObjectViewMixin(CapabilityRequiredMixin):
    """What every object page shares: the model, its scoped queryset, its capabilities."""

    model: type[models.Model]
    view_capability: str | None = None
    edit_capability: str | None = None
    list_select_related: Sequence[str] = ()

    def get_required_capability(self) -> str | None:
        return self.view_capability

    def get_queryset(self) -> models.QuerySet[Any, Any]:
        queryset = visible_objects(self.model, self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_object(self) -> models.Model:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def can_edit(self) -> bool:
        return self.edit_capability is not None and self.request.user.can(self.edit_capability)

    def base_context(self) -> dict[str, Any]:
        meta = self.model._meta
        return {
            "model_name": meta.model_name,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse_or_empty(url_name_for(self.model, "list")),
            "add_url": reverse_or_empty(url_name_for(self.model, "add")) if self.can_edit() else "",
            "can_edit": self.can_edit(),
        }


@dataclass(frozen=True)
class FilterControl:
    name: str
    label: str
    options: list[tuple[str, str]]
    selected: str


@dataclass(frozen=True)
class BulkAction:
    """A button under a list that sends the ticked rows' ids to another page (GET ?<param>=id…).

    ``url_name`` may belong to another module: lists offer what the registries give them.
    """

    label: StrOrPromise
    url_name: str
    capability: str | None = None


@dataclass(frozen=True)
class HeaderCell:
    label: str
    sort_param: str  # value of ?sort= when the header is clicked ("" = not sortable)
    direction: str  # "ascending", "descending" or "" (for aria-sort)
    css: str = ""  # the column's classes (priority, main; see hygie.core.tables)


class ObjectListView(ObjectViewMixin):
    """Search, filters, sorting and pagination over the user's visible objects."""

    columns: Sequence[Column] = ()
    search_fields: Sequence[str] = ()
    filters: Sequence[str] = ()
    per_page = 50
    template_name = "core/object_list.html"
    table_template_name = "core/partials/_object_table.html"
    selection_param = "selected"  # name of the ticked ids in the bulk actions' query string

    def bulk_actions(self) -> Sequence[BulkAction]:
        return ()

    def usable_bulk_actions(self) -> list[tuple[StrOrPromise, str]]:
        user = self.request.user
        return [
            (action.label, reverse(action.url_name))
            for action in self.bulk_actions()
            if action.capability is None or user.can(action.capability)
        ]

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset = self.get_queryset()
        search = request.GET.get("q", "").strip()[:MAX_SEARCH_LENGTH]
        queryset = self.apply_search(queryset, search)
        controls = self.filter_controls()
        for control in controls:
            if control.selected:
                queryset = queryset.filter(**{control.name: control.selected})
        queryset, sort = self.apply_sort(queryset)
        paginator = Paginator(queryset, self.page_size())
        page = paginator.get_page(request.GET.get("page"))
        context = {
            **self.base_context(),
            "page": page,
            "rows": [
                (
                    obj,
                    [
                        column.cell(obj, url_name_for(self.model, "detail"))
                        for column in self.columns
                    ],
                )
                for obj in page.object_list
            ],
            "headers": self.headers(sort),
            "sort": sort,
            "filters": controls,
            "search": search,
            "has_search": bool(self.search_fields),
            "is_filtered": bool(search or any(c.selected for c in controls)),
            "table_id": f"{self.model._meta.model_name}-table",
            "table_template": self.table_template_name,
            "bulk_actions": self.usable_bulk_actions(),
            "selection_param": self.selection_param,
            **self.extra_context(queryset),
        }
        selected = {control.name: control.selected for control in controls if control.selected}
        if context["add_url"] and selected:
            # "Add" from a filtered list pre-fills the form (the edit view keeps form fields only).
            context["add_url"] += "?" + urlencode(selected)
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            return render(request, self.table_template_name, context)
        return render(request, self.template_name, context)

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        """Hook for page-specific additions (counts, actions)."""
        return {}

    def page_size(self) -> int:
        try:
            wanted = int(self.request.GET.get("per_page", self.per_page))
        except ValueError:
            return self.per_page
        return wanted if wanted in PAGE_SIZES else self.per_page

    def apply_search(self, queryset: models.QuerySet, search: str) -> models.QuerySet:
        if not search or not self.search_fields:
            return queryset
        for term in search.split()[:10]:
            condition = Q()
            for field_name in self.search_fields:
                condition |= Q(**{f"{field_name}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset

    def filter_controls(self) -> list[FilterControl]:
        """Filters with their choices; a value outside the choices is ignored, not trusted."""
        controls = []
        for name in self.filters:
            field = self.model._meta.get_field(name)
            options = self.filter_options(field)
            selected = self.request.GET.get(name, "")
            if selected not in {value for value, _label in options}:
                selected = ""
            controls.append(
                FilterControl(name, str(capfirst(verbose_name_of(field))), options, selected)
            )
        return controls

    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        if field.is_relation:
            related = field.related_model._default_manager
            if not hasattr(related.all(), "visible_to"):
                return []
            objects = related.all().visible_to(self.request.user)
            return [(str(obj.pk), scoped_label(obj, self.request.user)) for obj in objects]
        if field.choices:
            return [(str(value), str(label)) for value, label in field.flatchoices]
        if isinstance(field, models.BooleanField):  # words, not Python's True/False
            return [("True", _("Yes")), ("False", _("No"))]
        values = (
            self.get_queryset()
            .order_by(field.name)
            .values_list(field.name, flat=True)
            .distinct()[:200]
        )
        return [(str(value), str(value)) for value in values if value not in (None, "")]

    def apply_sort(self, queryset: models.QuerySet) -> tuple[models.QuerySet, str]:
        """Sort only by whitelisted columns: ``?sort=`` never reaches the ORM unchecked."""
        requested = self.request.GET.get("sort", "")
        descending = requested.startswith("-")
        allowed = {column.name: column.sort_key() for column in self.columns}
        key = allowed.get(requested.lstrip("-"))
        if not key:
            return queryset.order_by(
                *(queryset.query.order_by or self.model._meta.ordering or ()), "pk"
            ), ""
        return queryset.order_by(("-" if descending else "") + key, "pk"), requested

    def headers(self, sort: str) -> list[HeaderCell]:
        cells = []
        for column in self.columns:
            if column.sort_key() is None:
                cells.append(HeaderCell(column.header(self.model), "", "", column.css))
                continue
            direction = ""
            if sort.lstrip("-") == column.name:
                direction = "descending" if sort.startswith("-") else "ascending"
            next_sort = f"-{column.name}" if direction == "ascending" else column.name
            cells.append(HeaderCell(column.header(self.model), next_sort, direction, column.css))
        return cells


@dataclass(frozen=True)
class DetailRow:
    label: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class RelatedLink:
    label: str
    url: str
    count: int


class ObjectDetailView(ObjectViewMixin):
    """One object's fields, links to related lists, and its edit/delete actions."""

    fields: Sequence[str] = ()
    template_name = "core/object_detail.html"
    audit_views = False  # record a "view" entry: for records holding personal data

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        if self.audit_views:
            audit.record("view", obj)
        context = {
            **self.base_context(),
            "object": obj,
            "detail_rows": self.detail_rows(obj),
            "related": self.related_links(obj),
            "edit_url": reverse_or_empty(url_name_for(self.model, "edit"), obj.pk)
            if self.can_edit()
            else "",
            "delete_url": reverse_or_empty(url_name_for(self.model, "delete"), obj.pk)
            if self.can_edit()
            else "",
            **self.extra_context(obj),
        }
        return render(request, self.template_name, context)

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {}

    def detail_rows(self, obj: models.Model) -> list[DetailRow]:
        rows = []
        for name in self.fields:
            try:
                field = self.model._meta.get_field(name)
                label = str(capfirst(verbose_name_of(field)))
            except FieldDoesNotExist:
                field, label = None, str(capfirst(name.replace("_", " ")))
            value = getattr(obj, name)
            url = ""
            if field is not None and field.is_relation and isinstance(value, models.Model):
                url = reverse_or_empty(url_name_for(type(value), "detail"), value.pk)
            rows.append(DetailRow(label, display_value(obj, name, value), url))
        return rows

    def related_links(self, obj: models.Model) -> list[RelatedLink]:
        """Hook: links to lists filtered on this object, with their counts."""
        return []


class ObjectEditView(ObjectViewMixin):
    """Create (no ``pk``) or edit an object through a ModelForm and ``crud.save_instance``."""

    form_class: type[ScopedModelForm]
    template_name = "core/object_edit.html"

    def get_required_capability(self) -> str | None:
        return self.edit_capability

    def check_write_allowed(self, obj: models.Model | None) -> None:
        """Hook: raise PermissionDenied when this user may not create/edit this object."""

    def warnings_for(self, obj: models.Model) -> list[str]:
        """Hook: non-blocking remarks shown after a successful save."""
        return []

    def current_object(self) -> models.Model | None:
        return self.get_object() if "pk" in self.kwargs else None

    def initial_from_query(self) -> dict[str, Any]:
        """Prefill from ``?field=value`` (e.g. add a department from its establishment page)."""
        form_fields = self.form_class.base_fields
        return {name: value for name, value in self.request.GET.items() if name in form_fields}

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.current_object()
        self.check_write_allowed(obj)
        form = self.form_class(instance=obj, user=request.user, initial=self.initial_from_query())
        return self.render_form(form, obj)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.current_object()
        self.check_write_allowed(obj)
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            instance = form.save(commit=False)
            try:
                crud.save_instance(instance, request.user)
                form.save_m2m()
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                message = _("%(name)s saved.") % {"name": str(instance)}
                messages.success(request, message)
                for warning in self.warnings_for(instance):
                    messages.warning(request, warning)
                return HttpResponseRedirect(self.success_url(instance))
        return self.render_form(form, obj, status=422 if form.errors else 200)

    def success_url(self, obj: models.Model) -> str:
        return reverse_or_empty(url_name_for(self.model, "detail"), obj.pk) or reverse_or_empty(
            url_name_for(self.model, "list")
        )

    def render_form(
        self, form: forms.BaseForm, obj: models.Model | None, status: int = 200
    ) -> HttpResponse:
        cancel_url = (
            reverse_or_empty(url_name_for(self.model, "detail"), obj.pk)
            if obj
            else reverse_or_empty(url_name_for(self.model, "list"))
        )
        context = {**self.base_context(), "form": form, "object": obj, "cancel_url": cancel_url}
        return render(self.request, self.template_name, context, status=status)


def _attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ObjectDeleteView(ObjectViewMixin):
    """A confirmation page; the POST deletes through ``crud.delete_instance``."""

    template_name = "core/object_delete.html"

    def get_required_capability(self) -> str | None:
        return self.edit_capability

    def check_write_allowed(self, obj: models.Model) -> None:
        """Hook: raise PermissionDenied when this user may not delete this object."""

    def check_deletable(self, obj: models.Model) -> None:
        """Hook: raise ValidationError (shown to the user) when the object must be kept."""

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        self.check_write_allowed(obj)
        return render(
            request,
            self.template_name,
            {
                **self.base_context(),
                "object": obj,
                "cancel_url": reverse_or_empty(url_name_for(self.model, "detail"), obj.pk),
                **self.extra_context(obj),
            },
        )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        """Hook: e.g. ``delete_warning`` to say what goes with the object."""
        return {}

    def delete_object(self, obj: models.Model) -> None:
        """Hook: the service that deletes (a module's own, when deleting does more than crud)."""
        crud.delete_instance(obj, self.request.user)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        self.check_write_allowed(obj)
        name = str(obj)
        try:
            self.check_deletable(obj)
            self.delete_object(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(
                reverse_or_empty(url_name_for(self.model, "detail"), obj.pk)
            )
        messages.success(request, _("%(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(reverse_or_empty(url_name_for(self.model, "list")))


def object_urlpatterns(
    model: type[models.Model],
    prefix: str,
    *,
    list_view: type[View] | None = None,
    detail_view: type[View] | None = None,
    edit_view: type[View] | None = None,
    delete_view: type[View] | None = None,
) -> list[Any]:
    """The standard routes of one model.

    ``prefix/``, ``add/``, ``<pk>/``, ``edit/`` and ``delete/``.
    """
    name = model._meta.model_name
    patterns = []
    if list_view is not None:
        patterns.append(path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"))
    if edit_view is not None:
        patterns.append(path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"))
        patterns.append(path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"))
    if detail_view is not None:
        patterns.append(path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"))
    if delete_view is not None:
        patterns.append(
            path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete")
        )
    return patterns


def form_moment(value: str, *, end_of_day: bool = False) -> datetime | None:
    """A filter's date or date-time, read in the user's time zone, as an aware date-time.

    A bare date means the start of that day, or its end with ``end_of_day`` (an "until" filter
    includes the whole day). Checked before date-times: Python 3.11 reads "2026-03-10" as a
    date-time at midnight, which would make "until <date>" drop that day.
    """
    value = value.strip()[:40]
    if not value:
        return None
    try:
        day = parse_date(value) if len(value) == 10 else None
        moment: datetime | None
        if day is not None:
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            moment = parse_datetime(value)
        if moment is None:
            return None
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
