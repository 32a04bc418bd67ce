"""The compliance REST API, mounted at /api/v1/compliance: one router, one sub-module per area
(frameworks and library, assessments and probes, remediation, GDPR registers, reports)."""

from ninja import Router

router = Router(tags=["compliance"])
