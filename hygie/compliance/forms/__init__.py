"""The compliance module's page forms, one module per area (the GDPR registers' forms live in
``forms/registers.py``)."""

from hygie.compliance.forms.assessments import (
    AnswerForm,
    AssessmentCreateForm,
    AssessmentEditForm,
    EvidenceUploadForm,
    FrameworkImportForm,
)
from hygie.compliance.forms.remediation import RemediationActionForm

__all__ = [
    "AnswerForm",
    "AssessmentCreateForm",
    "AssessmentEditForm",
    "EvidenceUploadForm",
    "FrameworkImportForm",
    "RemediationActionForm",
]
