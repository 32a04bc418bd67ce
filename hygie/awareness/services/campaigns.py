"""Campaigns: targets from the people directory (establishment, department, profession) or a
CSV file, A/B variants, the sending plan over the window (``engine.schedule``: working hours of
the campaign's time zone, at most the profile's rate per minute), launch and cancel.

A recipient gets an unguessable token (``engine.new_token``); the plan is deterministic (seeded by
the campaign), so what the trainer sees before launching is what the sending job follows.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.awareness import engine
from hygie.awareness.engine.schedule import MAX_RECIPIENTS
from hygie.awareness.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Language,
    Variant,
)
from hygie.awareness.services.templates_library import check_template
from hygie.core import audit
from hygie.core.models import Person
from hygie.core.services import crud

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_CSV_BYTES = 5 * 1024 * 1024
CSV_COLUMNS = ("email", "first_name", "last_name", "department", "profession", "language")
EDITABLE = (CampaignStatus.DRAFT,)


# --- targets -------------------------------------------------------------------------------------


def people_for(
    user: User | None,
    establishment_ids: list[int] | None = None,
    department_ids: list[int] | None = None,
    professions: list[str] | None = None,
    today: date | None = None,
) -> QuerySet[Person]:
    """Current staff with an address, visible to ``user`` (None: the platform), filtered by
    establishment, department and profession (each empty = no filter)."""
    day = today or timezone.localdate()
    people = Person.objects.all() if user is None else Person.objects.visible_to(user)
    people = people.exclude(email="").filter(
        Q(employment_end__isnull=True) | Q(employment_end__gte=day)
    )
    if establishment_ids:
        people = people.filter(establishment_id__in=establishment_ids)
    if department_ids:
        people = people.filter(department_id__in=department_ids)
    if professions:
        wanted = Q()
        for profession in professions:
            wanted |= Q(profession__iexact=profession.strip())
        people = people.filter(wanted)
    return people.select_related("establishment", "department").order_by("email")


@dataclass(frozen=True)
class Target:
    email: str
    first_name: str = ""
    last_name: str = ""
    department_name: str = ""
    profession: str = ""
    language: str = ""
    person: Person | None = None


def targets_from_people(people: QuerySet[Person]) -> list[Target]:
    return [
        Target(
            email=person.email.strip().lower(),
            first_name=person.first_name,
            last_name=person.last_name,
            department_name=person.department.name if person.department else "",
            profession=person.profession,
            language=person.establishment.default_language,
            person=person,
        )
        for person in people
    ]


def targets_from_csv(data: bytes) -> list[Target]:
    """Recipients from a CSV file (``email`` required; ``first_name``, ``last_name``,
    ``department``, ``profession``, ``language`` optional). Every bad row is reported at once;
    nothing is kept from a file with errors."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(_("The file is too large (5 MB at most)."))
    if b"\x00" in data[:4096]:
        raise ValidationError(_('The file is UTF-16 or binary. Save it as "CSV UTF-8".'))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # as saved by Excel in French
    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower().lstrip("\ufeff") for name in next(reader)]
    except (StopIteration, csv.Error):
        raise ValidationError(_("The file is empty.")) from None
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown or "email" not in header:
        raise ValidationError(
            _("Expected the columns %(columns)s (email required).")
            % {"columns": ", ".join(CSV_COLUMNS)}
        )
    targets: list[Target] = []
    errors: list[str] = []
    seen: set[str] = set()
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            row = dict(zip(header, (cell.strip()[:200] for cell in record), strict=False))
            email = row.get("email", "").lower()
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("Row %(row)d: not an e-mail address.") % {"row": number})
                continue
            language = row.get("language", "").lower()
            if language and language not in Language.values:
                errors.append(_("Row %(row)d: language must be fr or en.") % {"row": number})
                continue
            if email in seen:
                continue
            seen.add(email)
            targets.append(
                Target(
                    email=email,
                    first_name=row.get("first_name", "")[:100],
                    last_name=row.get("last_name", "")[:100],
                    department_name=row.get("department", ""),
                    profession=row.get("profession", "")[:100],
                    language=language,
                )
            )
            if len(targets) > MAX_RECIPIENTS:
                raise ValidationError(_("Too many recipients for one campaign."))
    except csv.Error:
        raise ValidationError(_("The file is not valid CSV (check the quotes).")) from None
    if errors:
        raise ValidationError(errors[:50])
    if not targets:
        raise ValidationError(_("The file has no recipient."))
    return targets


def variant_for(campaign: Campaign, email: str) -> str:
    """A or B, half and half, stable for an address (no variant without a template B)."""
    if campaign.template_b_id is None:
        return Variant.A
    digest = hashlib.sha256(f"{campaign.pk}\x00{email}".encode()).digest()
    return Variant.B if digest[0] % 2 else Variant.A


def add_recipients(campaign: Campaign, targets: list[Target], user: User | None) -> int:
    """Add targets not yet in the campaign (a draft); returns how many were added."""
    if campaign.status not in EDITABLE:
        raise ValidationError(_("Recipients can only be changed before the launch."))
    crud.check_instance_allowed(user, campaign)
    existing = set(campaign.recipients.values_list("email", flat=True))
    default_language = campaign.template_a.language
    new = []
    for target in targets:
        if target.email in existing:
            continue
        existing.add(target.email)
        new.append(
            CampaignRecipient(
                establishment_id=campaign.establishment_id,
                campaign=campaign,
                person=target.person,
                email=target.email,
                first_name=target.first_name,
                last_name=target.last_name,
                department_name=target.department_name[:200],
                profession=target.profession,
                language=target.language or default_language,
                variant=variant_for(campaign, target.email),
                token=engine.new_token(),
            )
        )
    with transaction.atomic():
        CampaignRecipient.objects.bulk_create(new, batch_size=1000)
        if new:
            audit.record("update", campaign, message=f"{len(new)} recipients added")
    return len(new)


def remove_recipients(campaign: Campaign, user: User | None) -> int:
    if campaign.status not in EDITABLE:
        raise ValidationError(_("Recipients can only be changed before the launch."))
    crud.check_instance_allowed(user, campaign)
    with transaction.atomic():
        deleted = campaign.recipients.all().delete()[1].get(CampaignRecipient._meta.label, 0)
        if deleted:
            audit.record("update", campaign, message=f"{deleted} recipients removed")
    return deleted


# --- the sending plan --------------------------------------------------------------------------


def rate_of(campaign: Campaign, count: int) -> int:
    """The per-minute cap of the plan: the profile's, or everyone in one minute if unlimited."""
    rate = campaign.sending_profile.rate_per_minute
    return rate if rate > 0 else max(count, 1)


def sending_window(campaign: Campaign, count: int) -> engine.SendingWindow:
    """The campaign's window for the engine; days not in ``working_days`` become holidays."""
    try:
        zone = ZoneInfo(campaign.time_zone)
    except (KeyError, ValueError):
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
    working = {int(day) for day in (campaign.working_days or [])}
    start, end = campaign.window_start.astimezone(zone), campaign.window_end.astimezone(zone)
    off: set[date] = set()
    day = start.date()
    while day <= end.date() and len(off) < 4000:
        if day.weekday() not in working:
            off.add(day)
        day += timedelta(days=1)
    return engine.SendingWindow(
        start=campaign.window_start,
        end=campaign.window_end,
        timezone=campaign.time_zone,
        day_start=campaign.working_hours_start,
        day_end=campaign.working_hours_end,
        skip_weekends=False,
        holidays=frozenset(off),
        per_minute=rate_of(campaign, count),
    )


def plan(campaign: Campaign) -> list[tuple[str, datetime]]:
    """Every recipient's sending time (not saved); raises ``ValidationError`` when the window
    cannot hold them at the rate."""
    emails = list(campaign.recipients.values_list("email", flat=True))
    try:
        planned = engine.schedule(
            emails, sending_window(campaign, len(emails)), seed=f"campaign-{campaign.pk}"
        )
    except engine.AwarenessError as error:
        raise ValidationError(
            _("The sending window does not work: %(reason)s") % {"reason": str(error)}
        ) from None
    return [(mail.recipient, mail.send_at) for mail in planned]


def in_window(campaign: Campaign, moment: datetime) -> bool:
    """May a mail of this campaign leave at ``moment``? Inside the window, on a working day,
    within working hours of the campaign's time zone."""
    if not campaign.window_start <= moment < campaign.window_end:
        return False
    local = moment.astimezone(ZoneInfo(campaign.time_zone))
    if local.weekday() not in {int(day) for day in (campaign.working_days or [])}:
        return False
    return campaign.working_hours_start <= local.time() < campaign.working_hours_end


def check_ready(campaign: Campaign) -> None:
    """Everything a launch needs; raises ``ValidationError`` listing what is missing."""
    problems: list[str] = []
    if campaign.status not in EDITABLE:
        problems.append(_("Only a draft campaign can be launched."))
    if not campaign.sending_profile.is_active:
        problems.append(_("The sending profile is not active."))
    if campaign.window_end <= timezone.now():
        problems.append(_("The sending window is already over."))
    if not campaign.recipients.exists():
        problems.append(_("The campaign has no recipient."))
    for template in (campaign.template_a, campaign.template_b):
        if template is None:
            continue
        try:
            check_template(template)
        except ValidationError as error:
            problems.extend(f"{template.name}: {message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)


def _save_plan(times: list[tuple[int, datetime]]) -> None:
    """Every recipient's ``scheduled_at`` in one prepared statement run per row
    (``executemany``): ``bulk_update``'s CASE over a thousand primary keys per statement made
    the launch of a 5,000-recipient campaign take seconds."""
    # Identifiers from the model's metadata, values bound as parameters.
    table = connection.ops.quote_name(CampaignRecipient._meta.db_table)
    sql = f"UPDATE {table} SET scheduled_at = %s WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(connection.ops.adapt_datetimefield_value(at), pk) for pk, at in times]
        )


def launch(campaign: Campaign, user: User | None, *, start_sending: bool = True) -> Campaign:
    """Plan every recipient's sending time, mark the campaign scheduled and queue the sending
    job (the periodic job sends what later falls due)."""
    crud.check_instance_allowed(user, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        check_ready(campaign)
        planned = dict(plan(campaign))
        recipients = list(campaign.recipients.values_list("pk", "email"))
        _save_plan([(pk, planned[email]) for pk, email in recipients])
        campaign.status = CampaignStatus.SCHEDULED
        campaign.launched_at = timezone.now()
        campaign.save(update_fields=["status", "launched_at", "updated_at"])
        audit.record(
            "update",
            campaign,
            changes={"status": {"before": CampaignStatus.DRAFT, "after": campaign.status}},
            message=f"campaign launched for {len(recipients)} recipients",
        )
    if start_sending:
        from hygie.awareness import jobs  # the job module imports this one

        jobs.start_sending(campaign, user)
    return campaign


def cancel(campaign: Campaign, user: User | None) -> Campaign:
    """Stop a campaign: nothing more is sent (events of mails already sent still record)."""
    crud.check_instance_allowed(user, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status in (CampaignStatus.FINISHED, CampaignStatus.CANCELLED):
            raise ValidationError(_("This campaign is already over."))
        before = campaign.status
        campaign.status = CampaignStatus.CANCELLED
        campaign.finished_at = timezone.now()
        campaign.save(update_fields=["status", "finished_at", "updated_at"])
        audit.record(
            "update",
            campaign,
            changes={"status": {"before": before, "after": campaign.status}},
            message="campaign cancelled",
        )
    return campaign


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    pending: int
    next_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "sent": self.sent,
            "failed": self.failed,
            "pending": self.pending,
            "next_at": self.next_at,
        }


def progress(campaign: Campaign) -> Progress:
    recipients = campaign.recipients.all()
    total = recipients.count()
    sent = recipients.filter(sent_at__isnull=False).count()
    failed = recipients.filter(sent_at__isnull=True).exclude(send_error="").count()
    upcoming = (
        recipients.filter(sent_at__isnull=True, send_error="", scheduled_at__isnull=False)
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
        .first()
    )
    return Progress(total, sent, failed, total - sent - failed, upcoming)
