"""What each role may do, as capabilities. Modules add their own capabilities to the table.

Capabilities are plain strings "<area>.<verb>"; views and API handlers check them through
``user.can(...)``. Establishment scoping is separate and always applies on top.
"""

from __future__ import annotations

from hygie.core.choices import Role

VIEW_DIRECTORY = "directory.view"
EDIT_DIRECTORY = "directory.edit"
VIEW_ORGANISATION = "organisation.view"
EDIT_ORGANISATION = "organisation.edit"
VIEW_AUDIT = "audit.view"
EXPORT_AUDIT = "audit.export"
MANAGE_USERS = "users.manage"
VIEW_ALERTS = "alerts.view"
TRIAGE_ALERTS = "alerts.triage"
VIEW_EVIDENCE = "evidence.view"
ADD_EVIDENCE = "evidence.add"
# See an uploaded file's original name in full (it may name a patient); each look is audited.
REVEAL_FILE_NAMES = "evidence.reveal_names"
VIEW_JOBS = "jobs.view"

_READ = {VIEW_DIRECTORY, VIEW_ORGANISATION, VIEW_ALERTS, VIEW_EVIDENCE, VIEW_JOBS}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _READ
        | {
            EDIT_DIRECTORY,
            EDIT_ORGANISATION,
            VIEW_AUDIT,
            EXPORT_AUDIT,
            MANAGE_USERS,
            TRIAGE_ALERTS,
            ADD_EVIDENCE,
            REVEAL_FILE_NAMES,
        }
    ),
    Role.RSSI: frozenset(
        _READ
        | {
            EDIT_DIRECTORY,
            EDIT_ORGANISATION,
            VIEW_AUDIT,
            EXPORT_AUDIT,
            TRIAGE_ALERTS,
            ADD_EVIDENCE,
            REVEAL_FILE_NAMES,
        }
    ),
    Role.DPO: frozenset(_READ | {VIEW_AUDIT, EXPORT_AUDIT, ADD_EVIDENCE, REVEAL_FILE_NAMES}),
    Role.SOC_ANALYST: frozenset(_READ | {TRIAGE_ALERTS, ADD_EVIDENCE}),
    Role.BIOMED: frozenset(_READ | {EDIT_DIRECTORY, ADD_EVIDENCE}),
    Role.TRAINER: frozenset({VIEW_DIRECTORY, VIEW_ORGANISATION}),
    Role.AUDITOR: frozenset(_READ | {VIEW_AUDIT, EXPORT_AUDIT}),
    Role.STAFF: frozenset({VIEW_ORGANISATION}),
}

# Roles whose accounts must enrol a second factor before doing anything else.
PRIVILEGED_ROLES = frozenset(
    {Role.ADMIN, Role.RSSI, Role.DPO, Role.SOC_ANALYST, Role.AUDITOR, Role.BIOMED}
)


def capabilities_for(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def least_privileged_role(roles: list[str]) -> str:
    """The role among ``roles`` granting the fewest capabilities (the safe default for a new user).

    Ties go to the role listed last in ``Role`` (the list runs from most to least powerful).
    """
    order = list(Role.values)
    return min(
        roles,
        key=lambda role: (
            len(capabilities_for(role)),
            -order.index(role) if role in order else 0,
        ),
    )


def grant(role: str, *capabilities: str) -> None:
    """Let a module add capabilities to a role at start-up (from its AppConfig.ready)."""
    ROLE_CAPABILITIES[role] = ROLE_CAPABILITIES.get(role, frozenset()) | frozenset(capabilities)
