"""Every upload page (BoundedUploadMixin) stays CSRF-exempt at the middleware: the mixin
installs the upload size limit first and then checks the token itself. A view that overrides
``dispatch`` loses the mixin's ``csrf_exempt`` (``as_view`` copies the attributes of the class's
own ``dispatch``), and the middleware then reads the upload first: every browser upload
answers 500 ("cannot alter upload handlers"), which the default test client never shows."""

from __future__ import annotations

from django.urls import get_resolver

from hygie.core.views.uploads import BoundedUploadMixin


def _upload_views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _upload_views(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, BoundedUploadMixin):
            yield prefix + str(pattern.pattern), pattern.callback


def test_upload_views_are_csrf_exempt_at_the_middleware():
    views = list(_upload_views(get_resolver().url_patterns))
    assert views, "no upload page found"
    offenders = [path for path, view in views if not getattr(view, "csrf_exempt", False)]
    assert not offenders, (
        "decorate these views' class with @method_decorator(csrf_exempt, name='dispatch'): "
        f"{offenders}"
    )
