"""Personal API tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hygie.core.account_forms import TokenForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.services import accounts


@never_cache
@login_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    """The user's tokens and the creation form.

    A new token's secret is rendered in the response to the creating POST and nowhere else: it is
    never put in the session or a redirect, so it cannot be shown twice.
    """
    form = TokenForm(request.POST or None)
    new_token = new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_secret = accounts.issue_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
                actor=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "tokens": accounts.tokens_of(request.user),
        "new_token": new_token,
        "new_secret": new_secret,
    }
    return render(request, "core/account/tokens.html", context)


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Only the user's own tokens are found: another user's id gives the same 404 as a missing one.
    token = get_object_or_404(accounts.tokens_of(request.user), pk=pk)
    accounts.revoke_token(token, actor=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:token_list")
