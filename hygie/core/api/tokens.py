"""The caller's own personal API tokens: list, create (secret shown once), revoke."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Status
from ninja.pagination import paginate

from hygie.core.api.common import ERROR_RESPONSES, Pagination
from hygie.core.api.schemas import APITokenCreatedOut, APITokenIn, APITokenOut, Id
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import APIToken
from hygie.core.services.accounts import issue_token, revoke_token, tokens_of

router = Router(tags=["Tokens"])


@router.get(
    "/tokens",
    response={200: list[APITokenOut], **ERROR_RESPONSES},
    summary="List my API tokens",
    operation_id="list_tokens",
    url_name="core_token_list",
    description="Your own tokens, active or not; never their secret.",
)
@paginate(Pagination)
def list_tokens(request: AuthenticatedRequest) -> Any:
    return tokens_of(request.user).order_by("-created_at", "-pk")


@router.post(
    "/tokens",
    response={201: APITokenCreatedOut, **ERROR_RESPONSES},
    summary="Create an API token",
    operation_id="create_token",
    url_name="core_token_add",
    description="Returns the secret in `token` once: only its hash is stored. Must be "
    "called from a signed-in browser session (with CSRF token), not with "
    "another API token, so a leaked token cannot mint new ones.",
)
def create_token(request: AuthenticatedRequest, payload: APITokenIn) -> Any:
    if getattr(request, "api_token", None) is not None:
        raise PermissionDenied(_("Create API tokens from a signed-in session, not with a token."))
    expires_at = timezone.now() + timedelta(days=payload.expires_in_days)
    token, secret = issue_token(
        request.user,
        name=payload.name,
        scope=payload.scope,
        expires_at=expires_at,
        actor=request.user,
    )
    # The secret is never stored: the answer is the token's fields plus the clear value, once.
    created = APITokenOut.model_validate(token).model_dump()
    return Status(201, APITokenCreatedOut(**created, token=secret))


@router.delete(
    "/tokens/{int:token_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Revoke an API token",
    operation_id="revoke_token",
    url_name="core_token_delete",
    description="Revoked at once; the token stays listed as revoked for the record.",
)
def delete_token(request: AuthenticatedRequest, token_id: Path[Id]) -> Any:
    token = _own_token(request, token_id)
    revoke_token(token, actor=request.user)
    return Status(204, None)


def _own_token(request: AuthenticatedRequest, token_id: int) -> APIToken:
    token = tokens_of(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token
