"""Audit trail pages."""

from django.urls import path

from hygie.core.views import audit

urlpatterns = [
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
]
