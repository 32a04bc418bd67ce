"""Compliance evidence the core computes from live data (registered in the probe registry).

Control ids belong to Hygie's own small control catalogue (``hygie/compliance/library/
controls.yaml``); framework files map their requirements onto them, so adding a framework never
means editing a probe. Summaries are msgids filled with ``params`` (``ProbeResult.translatable``):
they are translated when shown, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.audit import verify_chain
from hygie.core.audit_checkpoints import read_log
from hygie.core.checklist import REQUIRED_CONTACTS, smtp_configured
from hygie.core.choices import AlertStatus
from hygie.core.models import Alert, Asset, AuditEntry, Establishment, Person, User
from hygie.core.models.audit import AuditChainHead
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.core.roles import PRIVILEGED_ROLES
from hygie.core.services.backup import (
    AUDIT_OBJECT_TYPE,
    BACKUP_AUDIT_REPR,
    RESTORE_TEST_AUDIT_REPR,
)
from hygie.lib.severity import Severity

INACTIVITY = timedelta(days=90)
ALERT_TRIAGE_PERIOD = timedelta(days=7)
# Backups are scheduled daily (admin guide): two days' grace, a week at most.
BACKUP_PERIOD = timedelta(days=2)
BACKUP_LATE = timedelta(days=7)
RESTORE_TEST_PERIOD = timedelta(days=365)
# The core.audit_checkpoint job anchors the chain hourly; a day without a checkpoint means the
# worker is not running.
ANCHOR_PERIOD = timedelta(hours=24)
# At most this many names in a result's data (an auditor reads them; the counts are complete).
LISTED = 50


def _accounts_of(establishment: Establishment) -> QuerySet[User]:
    """Active accounts that can act on the establishment (attached to it, or to all)."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(establishments=establishment) | Q(has_all_establishments=True))
        .distinct()
    )


def _privileged(accounts: QuerySet[User]) -> QuerySet[User]:
    return accounts.filter(Q(role__in=PRIVILEGED_ROLES) | Q(is_superuser=True))


def mfa_coverage(establishment: Establishment) -> ProbeResult:
    """Share of active privileged accounts of the establishment with a confirmed second factor."""
    accounts = dict(_privileged(_accounts_of(establishment)).values_list("pk", "username"))
    total = len(accounts)
    if total == 0:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No privileged account is attached to this establishment."),
        )
    confirmed = set(
        TOTPDevice.objects.filter(confirmed=True, user_id__in=accounts).values_list(
            "user_id", flat=True
        )
    )
    enrolled = len(confirmed)
    missing = sorted(name for pk, name in accounts.items() if pk not in confirmed)
    status = "pass" if enrolled == total else ("partial" if enrolled else "fail")
    return ProbeResult.translatable(
        status,
        gettext_noop("%(enrolled)s of %(total)s privileged accounts use a second factor."),
        {"enrolled": enrolled, "total": total},
        {"enrolled": enrolled, "total": total, "without_mfa": missing},
    )


def audit_chain_intact(establishment: Establishment) -> ProbeResult:
    """The platform's audit trail verifies end to end (tamper evidence for every establishment)."""
    report = verify_chain()
    if report.is_intact:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("Audit trail intact: %(checked)s entries verified."),
            {"checked": report.checked},
            {"checked": report.checked},
        )
    problem = report.problem
    assert problem is not None
    return ProbeResult.translatable(
        "fail",
        gettext_noop("Audit trail broken at entry #%(sequence)s (%(kind)s, %(check)s check)."),
        {"sequence": problem.sequence, "kind": problem.kind, "check": problem.check},
        {
            "checked": report.checked,
            "sequence": problem.sequence,
            "kind": problem.kind,
            "check": problem.check,
        },
    )


def audit_chain_anchored(establishment: Establishment) -> ProbeResult:
    """A signed checkpoint of the audit chain was written outside the database in the last
    24 hours (what lets verification detect a deleted tail or a rebuilt chain)."""
    log = read_log()
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    last = log.last
    data: dict[str, object] = {
        "checkpoints": len(log.checkpoints),
        "last_checkpoint_at": last.at if last else None,
        "last_checkpoint_sequence": last.sequence if last else None,
        "head_sequence": head_sequence,
        "off_host_copy": bool(getattr(settings, "HYGIE_AUDIT_SYSLOG", "")),
        "file_problem": log.problem,
    }
    if log.problem:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("The audit checkpoint file does not verify."),
            data=data,
        )
    if last is None:
        if head_sequence == 0:
            return ProbeResult.translatable(
                "not_applicable", gettext_noop("The audit trail is still empty."), data=data
            )
        return ProbeResult.translatable(
            "fail", gettext_noop("No signed checkpoint of the audit trail was written."), data=data
        )
    try:
        at = datetime.fromisoformat(last.at)
    except (TypeError, ValueError):  # signed, yet not a time: treat it as a damaged file
        data["file_problem"] = "the last checkpoint has no valid time"
        return ProbeResult.translatable(
            "fail", gettext_noop("The audit checkpoint file does not verify."), data=data
        )
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    hours = int((timezone.now() - at).total_seconds() // 3600)
    data["age_hours"] = hours
    params = {"hours": hours, "sequence": last.sequence}
    if timezone.now() - at <= ANCHOR_PERIOD:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "Last signed checkpoint of the audit trail %(hours)s hour(s) ago, at entry "
                "#%(sequence)s."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "Last signed checkpoint of the audit trail %(hours)s hours ago (more than 24): "
            "is the worker running?"
        ),
        params,
        data,
    )


def asset_inventory_completeness(establishment: Establishment) -> ProbeResult:
    """Assets with an owner department and a network zone: an inventory someone can act on."""
    assets = Asset.objects.filter(establishment=establishment)
    total = assets.count()
    if total == 0:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No asset is inventoried for this establishment."),
            data={"total": 0},
        )
    complete = assets.exclude(department__isnull=True).exclude(network_zone="").count()
    ratio = complete / total
    status = "pass" if ratio >= 0.95 else ("partial" if ratio >= 0.5 else "fail")
    return ProbeResult.translatable(
        status,
        gettext_noop(
            "%(complete)s of %(total)s assets have an owner department and a network zone."
        ),
        {"complete": complete, "total": total},
        {"complete": complete, "total": total},
    )


def leavers_disabled(establishment: Establishment) -> ProbeResult:
    """No one whose employment ended (staff directory) still has an active account.

    The directory's ``employment end`` is the only record of a departure: a person is matched to
    an account by e-mail address (case-insensitive), an account of this establishment or of all.
    """
    today = timezone.localdate()
    departed = {
        email.lower(): end
        for email, end in Person.objects.filter(
            establishment=establishment, employment_end__lt=today
        ).values_list("email", "employment_end")
        if email
    }
    data: dict[str, object] = {"departed": len(departed)}
    if not departed:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("The staff directory records no departure for this establishment."),
            data=data,
        )
    still_active = []
    for username, email in _accounts_of(establishment).values_list("username", "email"):
        end = departed.get((email or "").lower())
        if end is not None:
            still_active.append({"account": username, "left_on": end.isoformat()})
    still_active.sort(key=lambda row: (row["left_on"], row["account"]))
    data.update(still_active=len(still_active), accounts=still_active[:LISTED])
    if still_active:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(active)s of %(departed)s people who left still have an active account."
            ),
            {"active": len(still_active), "departed": len(departed)},
            data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop("None of the %(departed)s people who left has an active account."),
        {"departed": len(departed)},
        data,
    )


def inactive_accounts_disabled(establishment: Establishment) -> ProbeResult:
    """No active account has gone 90 days without signing in (never signed in: 90 days after
    its creation). Dormant privileged accounts fail; dormant others are partial."""
    cutoff = timezone.now() - INACTIVITY
    accounts = list(
        _accounts_of(establishment)
        .order_by("username")
        .values_list("username", "last_login", "date_joined", "role", "is_superuser")
    )
    total = len(accounts)
    if total == 0:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No active account is attached to this establishment."),
            data={"total": 0},
        )
    dormant = [
        (username, last_login, role in PRIVILEGED_ROLES or superuser)
        for username, last_login, joined, role, superuser in accounts
        if (last_login or joined) < cutoff
    ]
    count = len(dormant)
    privileged = [username for username, _, is_privileged in dormant if is_privileged]
    rows = [
        {"account": username, "last_login": last_login.isoformat() if last_login else None}
        for username, last_login, _ in dormant[:LISTED]
    ]
    data = {"total": total, "dormant": count, "dormant_privileged": privileged, "accounts": rows}
    params = {"dormant": count, "total": total}
    if not count:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("All %(total)s active accounts signed in within the last 90 days."),
            {"total": total},
            data,
        )
    return ProbeResult.translatable(
        "fail" if privileged else "partial",
        gettext_noop(
            "%(dormant)s of %(total)s active accounts have not signed in for 90 days or more."
        ),
        params,
        data,
    )


def contacts_filled(establishment: Establishment) -> ProbeResult:
    """The DPO, the security officer (RSSI) and a 24/7 on-call number are recorded for the
    establishment (its own or its organisation's): whom the authorities call in a crisis."""
    contacts = establishment.contacts()
    missing = [name for name in REQUIRED_CONTACTS if not contacts[name]]
    filled = len(REQUIRED_CONTACTS) - len(missing)
    data = {"required": list(REQUIRED_CONTACTS), "missing": missing}
    params = {"filled": filled, "required": len(REQUIRED_CONTACTS)}
    if not missing:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("DPO, security officer and 24/7 on-call contacts are recorded."),
            data=data,
        )
    return ProbeResult.translatable(
        "partial" if filled else "fail",
        gettext_noop(
            "%(filled)s of %(required)s crisis contacts are recorded (DPO, security officer, "
            "24/7 on-call number)."
        ),
        params,
        data,
    )


def alerts_triaged(establishment: Establishment) -> ProbeResult:
    """No alert has waited more than 7 days for triage (still "new"). Stale high or critical
    alerts fail; only lower ones is partial."""
    cutoff = timezone.now() - ALERT_TRIAGE_PERIOD
    stale = Q(first_seen_at__lt=cutoff)
    figures = Alert.objects.filter(establishment=establishment, status=AlertStatus.NEW).aggregate(
        new=Count("pk"),
        stale=Count("pk", filter=stale),
        serious=Count("pk", filter=stale & Q(severity__gte=Severity.HIGH)),
        oldest=Min("first_seen_at", filter=stale),
    )
    count, serious, oldest = figures["stale"], figures["serious"], figures["oldest"]
    data = {
        "untriaged": count,
        "untriaged_high_or_critical": serious,
        "oldest_first_seen_at": oldest.isoformat() if oldest else None,
        "new_alerts": figures["new"],
    }
    if not count:
        return ProbeResult.translatable(
            "pass", gettext_noop("No alert has waited more than 7 days for triage."), data=data
        )
    return ProbeResult.translatable(
        "fail" if serious else "partial",
        gettext_noop(
            "%(count)s alert(s) waiting for triage for more than 7 days, %(serious)s of them "
            "high or critical."
        ),
        {"count": count, "serious": serious},
        data,
    )


def mail_configured(establishment: Establishment) -> ProbeResult:
    """Hygie can send mail (SMTP): alert notifications and the reminders of regulatory
    deadlines reach people, not a console. Installation-wide."""
    host = str(getattr(settings, "EMAIL_HOST", "") or "")
    if smtp_configured():
        return ProbeResult.translatable(
            "pass",
            gettext_noop("Outgoing e-mail goes through the SMTP server %(host)s."),
            {"host": host},
            {"smtp": True, "host": host},
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "Outgoing e-mail is not configured (HYGIE_SMTP_URL): alerts and deadline reminders "
            "are not sent."
        ),
        data={"smtp": False},
    )


def backup_recent(establishment: Establishment) -> ProbeResult:
    """``hygie backup`` ran in the last 2 days (each run is recorded in the audit trail). The
    backup covers the whole installation, hence every establishment."""
    backups = AuditEntry.objects.filter(
        object_type=AUDIT_OBJECT_TYPE, object_repr=BACKUP_AUDIT_REPR, action="export"
    ).order_by("-sequence")
    recent = list(
        backups.filter(at__gte=timezone.now() - timedelta(days=30)).only("at", "sequence")
    )
    month = len(recent)
    last = recent[0] if recent else backups.only("at", "sequence").first()
    if last is None:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No backup of the installation is recorded (hygie backup)."),
            data={"last_backup_at": None, "backups_last_30_days": 0},
        )
    age = timezone.now() - last.at
    data = {
        "last_backup_at": last.at.isoformat(),
        "age_days": age.days,
        "backups_last_30_days": month,
        "audit_entry": last.sequence,
    }
    params = {"days": age.days, "date": last.at.date().isoformat(), "month": month}
    if age <= BACKUP_PERIOD:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("Last backup on %(date)s (%(month)s backup(s) in the last 30 days)."),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if age <= BACKUP_LATE else "fail",
        gettext_noop("Last backup on %(date)s, %(days)s days ago: backups should run daily."),
        params,
        data,
    )


RECENT_TESTS = 20


def _passed(entry: AuditEntry) -> bool:
    return isinstance(entry.changes, dict) and entry.changes.get("result") == "passed"


def restore_tested(establishment: Establishment) -> ProbeResult:
    """A restore test passed in the last 12 months (``hygie restore --test``, recorded in the
    audit trail with what it verified)."""
    since = timezone.now() - RESTORE_TEST_PERIOD
    tests = AuditEntry.objects.filter(
        object_type=AUDIT_OBJECT_TYPE, object_repr=RESTORE_TEST_AUDIT_REPR, action="system"
    ).order_by("-sequence")
    recent = list(tests[:RECENT_TESTS])
    last = recent[0] if recent else None
    passed = next((entry for entry in recent if _passed(entry)), None)
    if passed is None and len(recent) == RECENT_TESTS:  # a long run of failures: look further
        passed = next((entry for entry in tests[RECENT_TESTS:] if _passed(entry)), None)
    data: dict[str, object] = {
        "last_test_at": last.at.isoformat() if last else None,
        "last_test_result": (last.changes or {}).get("result") if last else None,
        "last_passed_at": passed.at.isoformat() if passed else None,
        "last_passed": (
            {
                key: (passed.changes or {}).get(key)
                for key in ("backup_created_at", "files", "database_engine", "database_check")
            }
            if passed
            else None
        ),
    }
    if passed is None:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No successful restore test is recorded (hygie restore --test)."),
            data=data,
        )
    params = {"date": passed.at.date().isoformat()}
    if passed.at < since:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("Last successful restore test on %(date)s, more than 12 months ago."),
            params,
            data,
        )
    assert last is not None
    if last.pk != passed.pk:
        return ProbeResult.translatable(
            "partial",
            gettext_noop(
                "A restore test passed on %(date)s, but the latest one failed on %(failed)s."
            ),
            {**params, "failed": last.at.date().isoformat()},
            data,
        )
    return ProbeResult.translatable(
        "pass", gettext_noop("Restore test passed on %(date)s."), params, data
    )


def _register(
    probe_id: str,
    title: str,
    controls: tuple[str, ...],
    run: Callable[[Establishment], ProbeResult],
) -> None:
    probes.register(probe_id, Probe(id=probe_id, title=title, controls=controls, run=run))


_register(
    "core.mfa_coverage",
    gettext_noop("Second factor on privileged accounts"),
    ("hygie.identity.mfa",),
    mfa_coverage,
)
_register(
    "core.audit_chain_intact",
    gettext_noop("Tamper-evident audit trail verifies"),
    ("hygie.logging.integrity",),
    audit_chain_intact,
)
_register(
    "core.audit_chain_anchored",
    gettext_noop("Audit trail anchored by a signed checkpoint in the last 24 hours"),
    ("hygie.logging.integrity",),
    audit_chain_anchored,
)
_register(
    "core.asset_inventory_completeness",
    gettext_noop("Asset inventory is actionable"),
    ("hygie.assets.inventory",),
    asset_inventory_completeness,
)
_register(
    "core.leavers_disabled",
    gettext_noop("Accounts of staff who left are disabled"),
    ("hygie.identity.leavers",),
    leavers_disabled,
)
_register(
    "core.inactive_accounts_disabled",
    gettext_noop("No active account unused for 90 days"),
    ("hygie.identity.access_review", "hygie.identity.leavers"),
    inactive_accounts_disabled,
)
_register(
    "core.contacts_filled",
    gettext_noop("DPO, security officer and 24/7 contacts recorded"),
    ("hygie.governance.roles",),
    contacts_filled,
)
_register(
    "core.alerts_triaged",
    gettext_noop("No alert waiting more than 7 days for triage"),
    ("hygie.detection.alert_triage",),
    alerts_triaged,
)
_register(
    "core.backup_recent",
    gettext_noop("Installation backed up in the last 2 days"),
    ("hygie.continuity.backup",),
    backup_recent,
)
_register(
    "core.restore_tested",
    gettext_noop("Restore from backup tested in the last 12 months"),
    ("hygie.continuity.restore_test",),
    restore_tested,
)
_register(
    "core.mail_configured",
    gettext_noop("Outgoing e-mail configured for alerts and deadline reminders"),
    ("hygie.incident.notification", "hygie.detection.monitoring"),
    mail_configured,
)
