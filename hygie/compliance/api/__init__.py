"""The compliance REST API, mounted at /api/v1/compliance: one router, one sub-module per area
(frameworks and library, assessments and probes, remediation, GDPR registers, reports)."""

from ninja import Router

from hygie.compliance.api import assessments, probes, registers, remediation, reports

router = Router(tags=["compliance"])
router.add_router("", assessments.router)
router.add_router("", probes.router)
router.add_router("", remediation.router)
router.add_router("", registers.router)
router.add_router("", reports.router)
