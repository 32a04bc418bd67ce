"""Training: the shipped catalogue synchronised into versioned ``TrainingModule`` rows, assignments
to groups of the people directory with due dates and mail reminders, the personal expiring link,
quiz scoring (``engine.score_quiz``), the completion certificate and completion figures.

Versions: a shipped module whose text or quiz changed gets a new row (``version`` + 1); older
rows stay (unpublished), so a completed assignment keeps pointing at the version that was passed.
Assignments not started yet move to the new version.

The personal link is the assignment's token (``engine.new_token``, 144 random bits); it expires at
``token_expires_at``. Mails carry the link, the module title and the due date: no patient data,
no score.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import nh3
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from hygie.awareness.engine import QuizResult, is_valid_token, new_token, score_quiz
from hygie.awareness.models import (
    AssignmentSource,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    TrainingAssignment,
    TrainingModule,
)
from hygie.awareness.services.training_catalogue import (
    CatalogueError,
    ModuleText,
    QuizQuestion,
    engine_quiz,
    load_catalogue,
    parse_questions,
)
from hygie.core import audit
from hygie.core.models import Establishment, Person
from hygie.core.services.mail import MAIL_ERRORS, absolute_link, connection

if TYPE_CHECKING:
    from hygie.core.models import User

logger = logging.getLogger(__name__)

# The link stays valid this long after the due date (late completion still counts).
LINK_GRACE = timedelta(days=30)
DEFAULT_DUE = timedelta(days=30)
# Reminders: a first invitation, then a week before the due date, then weekly while overdue.
REMIND_BEFORE = timedelta(days=7)
REMIND_EVERY = timedelta(days=7)
TRAINED_WINDOW = timedelta(days=365)
MAX_ATTEMPTS = 10

# --- Markdown -------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("table")
_ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "a", "img", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def _image_url(src: str) -> str:
    name = src.removeprefix("images/")
    if "/" in src.removeprefix("images/") or not src.startswith("images/"):
        return ""  # only shipped catalogue images: never an outside address
    return reverse("awareness:training_image", args=[name])


def render_markdown(text: str) -> SafeString:
    """Module text as HTML: raw HTML in the Markdown is escaped by the renderer, images point to
    the shipped catalogue only, then an allow-list sanitiser (nh3) keeps known tags, attributes
    and link schemes (http, https, mailto)."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                url = _image_url(str(child.attrGet("src") or ""))
                if url:
                    child.attrSet("src", url)
                else:  # an outside or unknown image: its alt text only
                    child.type, child.tag, child.children, child.attrs = "text", "", None, {}
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 with an allow-list just above


# --- Catalogue ------------------------------------------------------------------------------


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "slug.lang v1"
    new_versions: list[str] = field(default_factory=list)
    unchanged: int = 0
    moved_assignments: int = 0


def _module_fields(module: ModuleText) -> dict[str, Any]:
    return {
        "title": module.title,
        "summary": module.summary,
        "body_markdown": module.body_markdown,
        "duration_minutes": module.duration_minutes,
        "pass_mark": module.pass_mark,
        "quiz": module.quiz_json(),
    }


def sync_catalogue(modules: Sequence[ModuleText] | None = None) -> SyncReport:
    """Bring the shipped catalogue into the database in one transaction: a new module becomes
    version 1, a changed one a new version (the previous one is unpublished, kept for the
    completions that passed it); not-started assignments move to the new version."""
    modules = load_catalogue() if modules is None else modules
    report = SyncReport()
    with transaction.atomic():
        for module in modules:
            wanted = _module_fields(module)
            latest = (
                TrainingModule.objects.select_for_update()
                .filter(establishment__isnull=True, slug=module.slug, language=module.language)
                .order_by("-version")
                .first()
            )
            if latest is not None and all(
                getattr(latest, name) == value for name, value in wanted.items()
            ):
                if not latest.is_published:
                    latest.is_published = True
                    latest.save(update_fields=["is_published", "updated_at"])
                report.unchanged += 1
                continue
            version = 1 if latest is None else latest.version + 1
            created = TrainingModule.objects.create(
                establishment=None,
                slug=module.slug,
                language=module.language,
                version=version,
                is_published=True,
                **wanted,
            )
            label = f"{module.slug}.{module.language} v{version}"
            if latest is None:
                report.created.append(label)
                continue
            report.new_versions.append(label)
            TrainingModule.objects.filter(
                establishment__isnull=True, slug=module.slug, language=module.language
            ).exclude(pk=created.pk).update(is_published=False)
            report.moved_assignments += TrainingAssignment.objects.filter(
                module__establishment__isnull=True,
                module__slug=module.slug,
                module__language=module.language,
                started_at__isnull=True,
                completed_at__isnull=True,
            ).update(module=created)
        if report.created or report.new_versions:
            audit.record(
                "system",
                object_type="awareness.trainingmodule",
                object_repr="training catalogue",
                message=(
                    f"Training catalogue synchronised: {len(report.created)} new, "
                    f"{len(report.new_versions)} new version(s), {report.unchanged} unchanged"
                ),
            )
    return report


def published_modules(user: User | None = None) -> QuerySet[TrainingModule]:
    """The latest published version of every module the user may see (shipped + own)."""
    queryset = (
        TrainingModule.objects.all() if user is None else TrainingModule.objects.visible_to(user)
    )
    return queryset.filter(is_published=True).order_by("title", "language", "-version")


def current_module(
    slug: str, language: str, establishment: Establishment | None = None
) -> TrainingModule | None:
    """The published version of ``slug`` in ``language``: the establishment's own module of that
    slug first, else the shipped one; the other language when missing."""
    scope = Q(establishment__isnull=True)
    if establishment is not None:
        scope |= Q(establishment=establishment)
    candidates = TrainingModule.objects.filter(scope, slug=slug, is_published=True)
    for lang in (language, "en" if language == "fr" else "fr"):
        found = (
            candidates.filter(language=lang)
            .order_by(F("establishment_id").asc(nulls_last=True), "-version")  # own first
            .first()
        )
        if found is not None:
            return found
    return None


def module_questions(module: TrainingModule) -> tuple[QuizQuestion, ...]:
    try:
        return parse_questions(module.quiz, f"module {module.pk}")
    except CatalogueError:
        logger.warning("training module %s has a malformed quiz", module.pk)
        raise


# --- Assignments ----------------------------------------------------------------------------


def active_people(
    establishments: Iterable[Establishment],
    *,
    department_ids: Sequence[int] = (),
    professions: Sequence[str] = (),
    today: date | None = None,
) -> QuerySet[Person]:
    """People of the directory still employed (no end date, or one in the future), narrowed to
    departments and professions when given."""
    today = today or timezone.localdate()
    people = Person.objects.filter(establishment__in=list(establishments)).filter(
        Q(employment_end__isnull=True) | Q(employment_end__gte=today)
    )
    if department_ids:
        people = people.filter(department_id__in=list(department_ids))
    if professions:
        wanted = Q()
        for profession in professions:
            wanted |= Q(profession__iexact=profession.strip())
        people = people.filter(wanted)
    return people.select_related("establishment", "department").order_by("last_name", "pk")


@dataclass
class AssignReport:
    created: list[TrainingAssignment] = field(default_factory=list)
    already_assigned: int = 0
    without_module: int = 0


def assign(
    slug: str,
    people: Iterable[Person],
    *,
    due_at: datetime | None = None,
    assigned_by: User | None = None,
    source: str = AssignmentSource.MANUAL,
    now: datetime | None = None,
) -> AssignReport:
    """Assign module ``slug`` to each person (in their establishment's language), skipping those
    who already have it open. One transaction: all or nothing."""
    now = now or timezone.now()
    due_at = due_at or now + DEFAULT_DUE
    if due_at <= now:
        raise ValueError(_("The due date must be in the future."))
    report = AssignReport()
    with transaction.atomic():
        for person in people:
            establishment = person.establishment
            module = current_module(slug, establishment.default_language, establishment)
            if module is None:
                report.without_module += 1
                continue
            open_already = TrainingAssignment.objects.filter(
                person=person, module__slug=slug, completed_at__isnull=True
            ).exists()
            if open_already:
                report.already_assigned += 1
                continue
            report.created.append(
                TrainingAssignment.objects.create(
                    establishment=establishment,
                    module=module,
                    person=person,
                    assigned_by=assigned_by,
                    due_at=due_at,
                    token=new_token(),
                    token_expires_at=due_at + LINK_GRACE,
                    source=source,
                )
            )
    return report


def personal_link(assignment: TrainingAssignment) -> str:
    return absolute_link(reverse("awareness:training_take", args=[assignment.token]))


# --- The personal link ----------------------------------------------------------------------

VALID, EXPIRED, UNKNOWN = "valid", "expired", "unknown"


def assignment_for_token(
    token: str, now: datetime | None = None
) -> tuple[TrainingAssignment | None, str]:
    """The assignment behind a personal link and whether the link still works. A malformed and
    an unknown token are the same answer; an expired link is told apart (the page says whom to
    ask) but gives nothing else. A completed assignment stays readable (certificate) until
    expiry."""
    if not is_valid_token(token):
        return None, UNKNOWN
    assignment = (
        TrainingAssignment.objects.select_related("module", "person", "establishment")
        .filter(token=token)
        .first()
    )
    if assignment is None:
        return None, UNKNOWN
    if assignment.token_expires_at <= (now or timezone.now()):
        return assignment, EXPIRED
    return assignment, VALID


def mark_started(assignment: TrainingAssignment, now: datetime | None = None) -> None:
    if assignment.started_at is None:
        assignment.started_at = now or timezone.now()
        TrainingAssignment.objects.filter(pk=assignment.pk, started_at__isnull=True).update(
            started_at=assignment.started_at
        )


def answers_from_post(
    questions: Sequence[QuizQuestion], data: Mapping[str, Sequence[str]]
) -> dict[str, set[str]]:
    """The chosen choice ids of each question from a form post (``q-<id>`` fields); anything
    that is not a choice of that question is dropped."""
    answers: dict[str, set[str]] = {}
    for question in questions:
        valid = {choice.id for choice in question.choices}
        name = f"q-{question.id}"
        # A QueryDict's get() answers the last value only: every ticked box is in getlist().
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, ())
        chosen = {str(value) for value in values if value in valid}
        if not question.multiple and len(chosen) > 1:
            chosen = set()
        answers[question.id] = chosen
    return answers


class AttemptRefused(Exception):
    """A quiz post that cannot count (too many attempts)."""


def submit_quiz(
    assignment: TrainingAssignment,
    answers: Mapping[str, Collection[str]],
    now: datetime | None = None,
) -> QuizResult:
    """Score an attempt with the engine. The best score is kept; the first pass completes the
    assignment (the module version stays the one passed)."""
    now = now or timezone.now()
    module = assignment.module
    questions = module_questions(module)
    result = score_quiz(engine_quiz(questions, module.pass_mark), answers)
    with transaction.atomic():
        locked = TrainingAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.attempts >= MAX_ATTEMPTS and not locked.passed:
            raise AttemptRefused
        percent = round(result.score * 100)
        locked.attempts += 1
        locked.started_at = locked.started_at or now
        locked.score = max(locked.score or 0, percent)
        if result.passed and not locked.passed:
            locked.passed = True
            locked.completed_at = now
        locked.save(update_fields=["attempts", "started_at", "score", "passed", "completed_at"])
    for name in ("attempts", "started_at", "score", "passed", "completed_at"):
        setattr(assignment, name, getattr(locked, name))
    return result


def certificate_pdf(assignment: TrainingAssignment) -> bytes:
    """The completion certificate (core PDF renderer), in the establishment's language."""
    from hygie.core.services.pdf import render_pdf

    if not assignment.passed or assignment.completed_at is None:
        raise ValueError("only a passed assignment has a certificate")
    with translation.override(assignment.establishment.default_language):
        return render_pdf(
            "awareness/training/certificate.html",
            {
                "assignment": assignment,
                "module": assignment.module,
                "person": assignment.person,
                "establishment": assignment.establishment,
                "reference": f"HYG-TR-{assignment.pk:06d}-v{assignment.module.version}",
            },
        )


# --- Reminders ------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    messages: int = 0
    failures: int = 0
    without_address: int = 0


def _reminder_due(assignment: TrainingAssignment, now: datetime) -> bool:
    if assignment.reminded_at is None:
        return True  # the invitation
    due = assignment.due_at
    if due is None:
        return False
    if now < due - REMIND_BEFORE:
        return False
    if now < due:
        return assignment.reminded_at < due - REMIND_BEFORE
    return now - assignment.reminded_at >= REMIND_EVERY


def _reminder_message(assignment: TrainingAssignment, link: str, first: bool) -> tuple[str, str]:
    module = assignment.module
    due = (
        date_format(timezone.localtime(assignment.due_at), "DATE_FORMAT")
        if assignment.due_at
        else ""
    )
    subject = (
        _("Security training to complete: %(title)s") % {"title": module.title}
        if first
        else _("Reminder: security training to complete: %(title)s") % {"title": module.title}
    )
    lines = [
        _("Hello %(first_name)s,") % {"first_name": assignment.person.first_name},
        "",
        _(
            "%(establishment)s asks you to complete a short security training module "
            "(about %(minutes)s minutes): %(title)s."
        )
        % {
            "establishment": assignment.establishment.name,
            "minutes": module.duration_minutes,
            "title": module.title,
        },
    ]
    if due:
        lines.append(_("Please complete it by %(date)s.") % {"date": due})
    lines += [
        "",
        _("Your personal link (no account or password needed):"),
        link,
        "",
        _(
            "This link is personal: do not forward it. If you doubt this message, ask your "
            "security officer (RSSI) before clicking."
        ),
        "",
        _("This message was sent by Hygie. It contains no patient data."),
    ]
    return subject, "\n".join(lines)


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """Mail the invitation to each new open assignment, then a reminder a week before the due
    date and weekly while overdue (until the link expires), through the platform's relay."""
    now = now or timezone.now()
    report = ReminderReport()
    pending = (
        TrainingAssignment.objects.filter(completed_at__isnull=True, token_expires_at__gt=now)
        .select_related("module", "person", "establishment")
        .order_by("pk")
    )
    mail = connection()
    for assignment in pending:
        if not _reminder_due(assignment, now):
            continue
        if not assignment.person.email:
            report.without_address += 1
            continue
        first = assignment.reminded_at is None
        with translation.override(assignment.establishment.default_language):
            subject, body = _reminder_message(assignment, personal_link(assignment), first)
        message = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [assignment.person.email],
            connection=mail,
        )
        try:
            message.send()
        except MAIL_ERRORS as error:
            report.failures += 1
            logger.warning("training reminder %s not sent: %s", assignment.pk, type(error).__name__)
            continue
        TrainingAssignment.objects.filter(pk=assignment.pk).update(reminded_at=now)
        report.messages += 1
    return report


# --- Figures --------------------------------------------------------------------------------


def _month_starts(now: datetime, months: int) -> list[date]:
    first = timezone.localdate(now).replace(day=1)
    starts = []
    year, month = first.year, first.month
    for _index in range(months):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


@dataclass(frozen=True)
class DepartmentRate:
    department: str
    people: int
    trained: int

    @property
    def percent(self) -> int:
        return round(100 * self.trained / self.people) if self.people else 0


def trained_people_ids(establishments: Iterable[Establishment], since: datetime) -> set[int]:
    return set(
        TrainingAssignment.objects.filter(
            establishment__in=list(establishments), passed=True, completed_at__gte=since
        ).values_list("person_id", flat=True)
    )


def completion_by_department(
    establishments: Sequence[Establishment], now: datetime | None = None
) -> list[DepartmentRate]:
    """Share of active staff who passed a module in the last 12 months, by department."""
    now = now or timezone.now()
    trained = trained_people_ids(establishments, now - TRAINED_WINDOW)
    counts: dict[str, list[int]] = {}
    for person in active_people(establishments):
        name = person.department.name if person.department else _("No department")
        bucket = counts.setdefault(name, [0, 0])
        bucket[0] += 1
        bucket[1] += person.pk in trained
    return [DepartmentRate(name, total, done) for name, (total, done) in sorted(counts.items())]


def monthly_completions(
    establishments: Sequence[Establishment], now: datetime | None = None, months: int = 12
) -> tuple[list[str], dict[str, list[int]]]:
    """Passed assignments per month and department over the last ``months`` months, for the
    chart: (month labels, department → counts). The two busiest departments are named and the
    others summed (a chart draws three series at most)."""
    now = now or timezone.now()
    starts = _month_starts(now, months)
    since = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    rows = TrainingAssignment.objects.filter(
        establishment__in=list(establishments), passed=True, completed_at__gte=since
    ).values_list("completed_at", "person__department__name")
    index = {(start.year, start.month): position for position, start in enumerate(starts)}
    by_department: dict[str, list[int]] = {}
    for completed_at, department in rows:
        local = timezone.localtime(completed_at)
        position = index.get((local.year, local.month))
        if position is None:
            continue
        name = department or _("No department")
        by_department.setdefault(name, [0] * months)[position] += 1
    ranked = sorted(by_department.items(), key=lambda item: (-sum(item[1]), item[0]))
    values = dict(ranked[:2])
    if len(ranked) > 2:
        values[_("Other departments")] = [
            sum(column) for column in zip(*(v for _n, v in ranked[2:]), strict=True)
        ]
    labels = [date_format(start, "YEAR_MONTH_FORMAT") for start in starts]
    return labels, values


def trained_share(establishment: Establishment, now: datetime | None = None) -> tuple[int, int]:
    """(people trained in the last 12 months, active people) for one establishment."""
    now = now or timezone.now()
    people = set(active_people([establishment]).values_list("pk", flat=True))
    trained = trained_people_ids([establishment], now - TRAINED_WINDOW) & people
    return len(trained), len(people)


def last_simulation(establishment: Establishment) -> Campaign | None:
    """The establishment's latest launched phishing simulation (running or finished)."""
    return (
        Campaign.objects.filter(
            establishment=establishment,
            launched_at__isnull=False,
            status__in=[CampaignStatus.RUNNING, CampaignStatus.FINISHED],
        )
        .order_by("-launched_at")
        .first()
    )


def clickers_retrained(
    establishment: Establishment, now: datetime | None = None
) -> tuple[int, int]:
    """(retrained, clickers): people whose click was validated as human (or who submitted the
    landing form) in a simulation of the last 12 months, and those of them who passed a training
    module after that click."""
    now = now or timezone.now()
    since = now - TRAINED_WINDOW
    clicks: dict[int, datetime] = {}
    recipients = CampaignRecipient.objects.filter(
        campaign__establishment=establishment, person__isnull=False
    ).filter(Q(confirmed_at__gte=since) | Q(submitted_at__gte=since))
    for person_id, confirmed, submitted in recipients.values_list(
        "person_id", "confirmed_at", "submitted_at"
    ):
        moments = [moment for moment in (confirmed, submitted) if moment is not None]
        first = min(moments)
        if person_id not in clicks or first < clicks[person_id]:
            clicks[person_id] = first
    if not clicks:
        return 0, 0
    latest: dict[int, datetime] = {}
    for person_id, completed_at in TrainingAssignment.objects.filter(
        person_id__in=list(clicks), passed=True, completed_at__isnull=False
    ).values_list("person_id", "completed_at"):
        if completed_at is not None and (
            person_id not in latest or completed_at > latest[person_id]
        ):
            latest[person_id] = completed_at
    retrained = sum(
        1 for person_id, clicked in clicks.items() if latest.get(person_id, clicked) > clicked
    )
    return retrained, len(clicks)


# --- The signed-in person -------------------------------------------------------------------


def people_of_user(user: User) -> QuerySet[Person]:
    """Directory entries that are the signed-in user (same e-mail address, in an establishment
    the user sees)."""
    if not user.email:
        return Person.objects.none()
    return Person.objects.visible_to(user).filter(email__iexact=user.email)


def my_assignments(user: User) -> QuerySet[TrainingAssignment]:
    return (
        TrainingAssignment.objects.filter(person__in=people_of_user(user))
        .select_related("module", "establishment")
        .order_by("completed_at", "due_at", "pk")
    )
