"""User administration (capability ``users.manage``), limited to the accounts the actor manages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hygie.core.account_forms import UserAccessForm, UserCreateForm, UserFilterForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import User
from hygie.core.roles import MANAGE_USERS
from hygie.core.services import accounts, mfa
from hygie.core.views.permissions import capability_required

PAGE_SIZE = 50


@capability_required(MANAGE_USERS)
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    users = accounts.users_manageable_by(request.user).prefetch_related("establishments")
    filters = UserFilterForm(request.GET or None)
    if filters.is_valid():
        text = filters.cleaned_data["q"].strip()
        if text:
            users = users.filter(
                Q(username__icontains=text)
                | Q(email__icontains=text)
                | Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
            )
        if filters.cleaned_data["role"]:
            users = users.filter(role=filters.cleaned_data["role"])
    page = Paginator(users.order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    locked = accounts.locked_usernames(user.username for user in page)
    context = {
        "page": page,
        "filters": filters,
        "locked": locked,
        "query": _query_without_page(request),
    }
    template = (
        "core/users/partials/_table.html"
        if getattr(request, "htmx", False)
        else "core/users/list.html"
    )
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _apply_errors(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(
            None, str(error.messages[0] if isinstance(error, ValidationError) else error)
        )


@never_cache
@capability_required(MANAGE_USERS)
def user_add(request: AuthenticatedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        access = form.access()
        try:
            user, password = accounts.create_user_with_temporary_password(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                role=access["role"],
                establishments=access["establishments"],
                all_establishments=access["has_all_establishments"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            _apply_errors(form, error)
        else:
            # Rendered, not redirected: the one-time password must not be stored anywhere.
            return render(
                request,
                "core/users/temporary_password.html",
                {"managed_user": user, "password": password, "is_new": True},
            )
    return render(request, "core/users/form.html", {"form": form})


def _managed_user(request: AuthenticatedRequest, pk: int) -> User:
    # Accounts outside the actor's reach (one establishment beyond it is enough) answer 404,
    # exactly like missing ones.
    return get_object_or_404(accounts.users_manageable_by(request.user), pk=pk)


@never_cache
@capability_required(MANAGE_USERS)
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    initial = {
        "role": user.role,
        "establishments": list(user.establishments.all()),
        "has_all_establishments": user.has_all_establishments,
        "is_active": user.is_active,
    }
    form = UserAccessForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        access = form.access()
        if "has_all_establishments" not in form.fields:
            access["has_all_establishments"] = user.has_all_establishments
        try:
            accounts.update_user_access(
                user, actor=request.user, is_active=form.cleaned_data["is_active"], **access
            )
        except (ValidationError, PermissionDenied) as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("The account “%(username)s” was updated.") % {"username": user.username}
            )
            return redirect("core:user_edit", pk=user.pk)
    context = {
        "managed_user": user,
        "form": form,
        "has_second_factor": mfa.has_confirmed_device(user),
        "is_locked": user.username in accounts.locked_usernames([user.username]),
    }
    return render(request, "core/users/edit.html", context)


@never_cache
@require_POST
@capability_required(MANAGE_USERS)
def user_password_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    password = accounts.reset_password(user, actor=request.user)
    return render(
        request,
        "core/users/temporary_password.html",
        {"managed_user": user, "password": password, "is_new": False},
    )


@require_POST
@capability_required(MANAGE_USERS)
def user_mfa_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    accounts.reset_mfa(user, actor=request.user)
    messages.success(
        request,
        _(
            "The second factor of “%(username)s” was removed: they will "
            "enrol a new one at next sign-in."
        )
        % {"username": user.username},
    )
    return redirect("core:user_edit", pk=user.pk)


@require_POST
@capability_required(MANAGE_USERS)
def user_unlock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    accounts.unlock(user.username, actor=request.user)
    messages.success(request, _("“%(username)s” may sign in again.") % {"username": user.username})
    return redirect("core:user_edit", pk=user.pk)
