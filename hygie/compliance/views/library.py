"""The framework library pages: the frameworks, one framework's requirement tree, and the
import of a user's framework file with a preview of every problem before anything is saved."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hygie.compliance.choices import FrameworkSource
from hygie.compliance.engine.library import localized
from hygie.compliance.forms import FrameworkImportForm
from hygie.compliance.library_files import shipped_library
from hygie.compliance.models import Framework
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import library
from hygie.compliance.views.common import relation_label
from hygie.core.http import AuthenticatedRequest
from hygie.core.views.generic import CapabilityRequiredMixin
from hygie.core.views.uploads import BoundedUploadMixin

# What a requirement's attributes mean to its reader (HIPAA Required/Addressable, ANSSI level,
# HPH CPG tier, HICP organisation sizes); unknown attributes are not shown.
ATTRIBUTE_LABELS: dict[tuple[str, Any], Any] = {
    ("implementation", "required"): gettext_lazy("Required"),
    ("implementation", "addressable"): gettext_lazy("Addressable"),
    ("level", "standard"): gettext_lazy("Standard level"),
    ("level", "renforce"): gettext_lazy("Reinforced level only"),
    ("reinforced_extension", True): gettext_lazy("Also has a reinforced level"),
    ("tier", "essential"): gettext_lazy("Essential goal"),
    ("tier", "enhanced"): gettext_lazy("Enhanced goal"),
    ("sizes", "small"): gettext_lazy("Small organisations"),
    ("sizes", "medium"): gettext_lazy("Medium organisations"),
    ("sizes", "large"): gettext_lazy("Large organisations"),
}


def attribute_labels(attributes: Any) -> list[str]:
    labels: list[str] = []
    for key, value in (attributes or {}).items() if isinstance(attributes, dict) else ():
        for item in value if isinstance(value, list) else [value]:
            try:
                label = ATTRIBUTE_LABELS.get((str(key), item))
            except TypeError:  # an unhashable value in a user's file
                label = None
            if label is not None:
                labels.append(str(label))
    return labels


class FrameworkListView(CapabilityRequiredMixin):
    required_capability = VIEW

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        frameworks = list(library.frameworks_with_counts())
        return render(
            request,
            "compliance/framework_list.html",
            {
                "frameworks": frameworks,
                "can_assess": request.user.can(ASSESS),
                "can_import": request.user.can(ASSESS) and request.user.sees_all_establishments,
            },
        )


class FrameworkDetailView(CapabilityRequiredMixin):
    required_capability = VIEW

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        library.ensure_library()
        framework = get_object_or_404(Framework, pk=pk)
        requirements = list(framework.requirements.order_by("order"))
        catalogue = shipped_library().controls
        language = (get_language() or "en").split("-")[0]
        for item in requirements:
            item.attribute_labels = attribute_labels(item.attributes)  # type: ignore[attr-defined]
            item.control_rows = [  # type: ignore[attr-defined]
                (
                    str(link.get("id", "")),
                    relation_label(str(link.get("relation", ""))),
                    # the control's title in the reader's language, never its bare id
                    localized(catalogue[str(link["id"])].title, language)
                    if str(link.get("id", "")) in catalogue
                    else str(link.get("id", "")),
                )
                for link in item.controls or []
                if isinstance(link, dict)
            ]
        return render(
            request,
            "compliance/framework_detail.html",
            {
                "framework": framework,
                "requirements": requirements,
                "assessable": sum(1 for item in requirements if item.is_assessable),
                "unverified": sum(
                    1 for item in requirements if item.is_assessable and not item.is_verified
                ),
                "can_delete": request.user.can(ASSESS)
                and request.user.sees_all_establishments
                and framework.source == FrameworkSource.IMPORTED
                and not framework.assessments.exists(),
            },
        )


class FrameworkDeleteView(CapabilityRequiredMixin):
    required_capability = ASSESS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        framework = get_object_or_404(Framework, pk=pk, source=FrameworkSource.IMPORTED)
        return render(request, "compliance/framework_delete.html", {"framework": framework})

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        framework = get_object_or_404(Framework, pk=pk, source=FrameworkSource.IMPORTED)
        try:
            library.delete_framework(request.user, framework)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("compliance:framework_detail", args=[pk]))
        messages.success(request, _("Framework deleted."))
        return HttpResponseRedirect(reverse("compliance:framework_list"))


# dispatch is overridden here, so as_view() no longer sees the mixin's csrf_exempt and the CSRF
# middleware would read the upload before the size limit is installed (500 in a browser); the
# mixin still checks CSRF itself, after installing the limit.
@method_decorator(csrf_exempt, name="dispatch")
class FrameworkImportView(BoundedUploadMixin, CapabilityRequiredMixin):
    """Step 1: upload → preview (every problem, or what would be saved). Step 2: the preview's
    form posts the same content back with ``confirm``; it is checked again, then saved."""

    required_capability = ASSESS
    template_name = "compliance/framework_import.html"

    def upload_limit(self) -> int:
        return library.MAX_IMPORT_BYTES + 64 * 1024

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.sees_all_establishments:
            raise PermissionDenied(
                _("Only users with organisation-wide access may change the framework library.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": FrameworkImportForm()})

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        if request.POST.get("confirm") == "1":
            return self._confirm(request)
        form = FrameworkImportForm(request.POST, request.FILES)
        if self.flag_too_large(form) or not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read(library.MAX_IMPORT_BYTES + 1)
        file_format = form.cleaned_data["file_format"]
        preview = library.preview_import(upload.name or "framework.yaml", content, file_format)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "preview": preview,
                "payload": base64.b64encode(content).decode("ascii") if preview.is_valid else "",
                "file_format": file_format,
            },
        )

    def _confirm(self, request: AuthenticatedRequest) -> HttpResponse:
        try:
            content = base64.b64decode(request.POST.get("payload", ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        name = request.POST.get("file_name", "")[:255] or "framework.yaml"
        file_format = request.POST.get("file_format", library.FORMAT_HYGIE)
        if not content:
            messages.error(request, _("Nothing to import: upload the file again."))
            return HttpResponseRedirect(reverse("compliance:framework_import"))
        preview, framework = library.import_framework(request.user, name, content, file_format)
        if framework is None:
            return render(
                request,
                self.template_name,
                {"form": FrameworkImportForm(), "preview": preview},
                status=400,
            )
        messages.success(
            request,
            _("Framework imported: %(name)s (%(count)s requirements).")
            % {"name": framework.name, "count": preview.requirements},
        )
        return HttpResponseRedirect(reverse("compliance:framework_detail", args=[framework.pk]))


def framework_choices() -> models.QuerySet[Framework]:
    library.ensure_library()
    return Framework.objects.order_by("framework_id")
