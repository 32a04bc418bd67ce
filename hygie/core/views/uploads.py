"""Bounded file uploads: stop storing an upload as soon as it passes the page's limit.

Django would otherwise spool a file of any size to a temporary file before the form sees it. The
handler must be installed before the request body is parsed, and the CSRF check parses it, so
these views install it first and run the CSRF check themselves right after.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

_TOO_LARGE_FLAG = "hygie_upload_too_large"


class SizeLimitedUploadHandler(FileUploadHandler):
    """Skips a file once more than ``limit`` bytes of it have arrived (disk use stays bounded)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            setattr(self.request, _TOO_LARGE_FLAG, True)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file


def upload_was_too_large(request: HttpRequest) -> bool:
    return bool(getattr(request, _TOO_LARGE_FLAG, False))


@method_decorator(csrf_exempt, name="dispatch")
class BoundedUploadMixin(View):
    """Install the size limit on POST, then check CSRF as the middleware would have."""

    def upload_limit(self) -> int:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            request.upload_handlers.insert(
                0, SizeLimitedUploadHandler(request, self.upload_limit())
            )
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def flag_too_large(self, form: forms.BaseForm) -> bool:
        """When the upload passed the limit, put the error on the form's file field (True)."""
        if not upload_was_too_large(self.request):
            return False
        form.is_valid()
        form.errors["file"] = form.error_class(
            [
                _("The file is too large (limit %(limit)s).")
                % {"limit": filesizeformat(self.upload_limit())}
            ]
        )
        return True
