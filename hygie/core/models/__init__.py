"""Core models; import them from here."""

from hygie.core.models.accounts import APIToken, User
from hygie.core.models.alerts import Alert
from hygie.core.models.assets import Asset
from hygie.core.models.audit import AuditAction, AuditChainHead, AuditChannel, AuditEntry
from hygie.core.models.directory import Person
from hygie.core.models.evidence import Evidence
from hygie.core.models.jobs import Job, JobStatus
from hygie.core.models.organisation import Department, Establishment, Organisation
from hygie.core.models.scoping import ScopedQuerySet

__all__ = [
    "APIToken",
    "Alert",
    "Asset",
    "AuditAction",
    "AuditChainHead",
    "AuditChannel",
    "AuditEntry",
    "Department",
    "Establishment",
    "Evidence",
    "Job",
    "JobStatus",
    "Organisation",
    "Person",
    "ScopedQuerySet",
    "User",
]
