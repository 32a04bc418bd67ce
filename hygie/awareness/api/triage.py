"""Reported-mail triage over the API: report a mail (.eml), the queue, a report's analysis, the
analyst's verdict, and the report mailboxes (the password is write-only).

No ``from __future__ import annotations``: ninja reads the handlers' annotations at import time.
"""

from datetime import datetime
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from hygie.awareness.engine.report import MAX_REPORT_BYTES
from hygie.awareness.models import ReportChannel, ReportedMail, ReportMailbox
from hygie.awareness.roles import TRIAGE
from hygie.awareness.services import mailboxes, triage
from hygie.core import audit
from hygie.core.api.common import ERROR_RESPONSES, Pagination, get_visible, require
from hygie.core.api.schemas import ErrorOut, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment

router = Router()

VerdictValue = Literal["simulation", "clean", "spam", "phishing", "malicious"]


class ReportIn(InputSchema):
    establishment_id: int = Field(description="The establishment the mail was received in.")


class ReportSummaryOut(Schema):
    id: int
    establishment_id: int
    channel: str
    received_at: datetime
    reporter_email: str
    sender: str
    suggested_verdict: str
    verdict: str
    alert_id: int | None
    recipient_id: int | None = Field(description="The simulation recipient it was one of ours.")


class ReportOut(ReportSummaryOut):
    reply_to: str
    message_id: str
    subject: str = Field(description="Shown to triage users only; never copied elsewhere.")
    facts: dict[str, Any] = Field(
        description="authentication, received, urls, attachments, lookalikes, reasons, score…"
    )
    verdict_at: datetime | None
    thanked_at: datetime | None
    evidence_id: int | None


class VerdictIn(InputSchema):
    verdict: VerdictValue


class ReportFilters(Schema):
    verdict: str | None = Field(None, description="Confirmed verdict ('' for unconfirmed).")
    suggested_verdict: VerdictValue | None = None


class MailboxIn(InputSchema):
    establishment_id: int
    name: str = Field(max_length=200)
    host: str = Field(max_length=255)
    port: int = Field(993, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "tls"
    username: str = Field(max_length=255)
    password: str = Field("", max_length=500, description="Write-only; empty keeps the stored.")
    folder: str = Field("INBOX", max_length=200)
    is_active: bool = True


class MailboxOut(Schema):
    id: int
    establishment_id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    folder: str
    is_active: bool
    last_uid: int
    last_polled_at: datetime | None
    last_error: str
    has_password: bool

    @staticmethod
    def resolve_has_password(obj: ReportMailbox) -> bool:
        return bool(obj.password)


@router.post(
    "/reported-mails",
    response={201: ReportSummaryOut, 413: ErrorOut, **ERROR_RESPONSES},
    summary="Report a suspicious mail",
    operation_id="awareness_report_mail",
    url_name="awareness_reportedmail_add",
    description="multipart/form-data with `establishment_id` and `file` (the mail as .eml, or "
    "a message carrying it as attachment). The mail is analysed (authentication results, "
    "look-alike domains, links, attachments, simulation tokens) and queued for triage; one of "
    "our simulations is credited to its recipient. A file that is no mail answers 422 with the "
    "reason. Every signed-in user may report; needs a write token.",
)
def report_mail(
    request: AuthenticatedRequest, payload: Form[ReportIn], file: File[UploadedFile]
) -> Any:
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > MAX_REPORT_BYTES:
        raise HttpError(
            413,
            _("The file is larger than the upload limit (%(limit)d bytes).")
            % {"limit": MAX_REPORT_BYTES},
        )
    report = triage.receive_report(
        file.read(MAX_REPORT_BYTES + 1),
        ReportChannel.API,
        establishment=establishment,
        reporter=request.user,
    )
    return Status(201, report)


@router.get(
    "/reported-mails",
    response={200: list[ReportSummaryOut], **ERROR_RESPONSES},
    summary="List reported mails",
    operation_id="awareness_list_reported_mails",
    url_name="awareness_reportedmail_list",
)
@paginate(Pagination)
def list_reported_mails(request: AuthenticatedRequest, filters: Query[ReportFilters]) -> Any:
    require(request, TRIAGE)
    queryset = ReportedMail.objects.visible_to(request.user).order_by("-received_at", "-pk")
    if filters.verdict is not None:
        queryset = queryset.filter(verdict=filters.verdict)
    if filters.suggested_verdict:
        queryset = queryset.filter(suggested_verdict=filters.suggested_verdict)
    return queryset


@router.get(
    "/reported-mails/{report_id}",
    response={200: ReportOut, **ERROR_RESPONSES},
    summary="A reported mail's analysis",
    operation_id="awareness_get_reported_mail",
    url_name="awareness_reportedmail_detail",
)
def get_reported_mail(request: AuthenticatedRequest, report_id: int) -> Any:
    require(request, TRIAGE)
    report = get_visible(ReportedMail, request, report_id)
    audit.record("view", report)  # the subject may name a patient: who read it is recorded
    return report


@router.post(
    "/reported-mails/{report_id}/verdict",
    response={200: ReportOut, **ERROR_RESPONSES},
    summary="Confirm a reported mail's verdict",
    operation_id="awareness_confirm_verdict",
    url_name="awareness_reportedmail_verdict",
    description="Phishing and malicious verdicts raise a core alert (source `awareness`) with "
    "the mail's observables; the reporter is thanked by mail in their language.",
)
def confirm_verdict(request: AuthenticatedRequest, report_id: int, payload: VerdictIn) -> Any:
    require(request, TRIAGE)
    report = get_visible(ReportedMail, request, report_id)
    return triage.confirm_verdict(request.user, report, payload.verdict)


@router.get(
    "/report-mailboxes",
    response={200: list[MailboxOut], **ERROR_RESPONSES},
    summary="List report mailboxes",
    operation_id="awareness_list_report_mailboxes",
    url_name="awareness_reportmailbox_list",
)
@paginate(Pagination)
def list_mailboxes(request: AuthenticatedRequest) -> Any:
    require(request, TRIAGE)
    return ReportMailbox.objects.visible_to(request.user).order_by("name", "pk")


@router.post(
    "/report-mailboxes",
    response={201: MailboxOut, **ERROR_RESPONSES},
    summary="Add a report mailbox",
    operation_id="awareness_add_report_mailbox",
    url_name="awareness_reportmailbox_add",
    description="An IMAP mailbox polled for mails staff forward as attachments. The password "
    "is stored sealed and never returned (`has_password`).",
)
def add_mailbox(request: AuthenticatedRequest, payload: MailboxIn) -> Any:
    require(request, TRIAGE)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    values = payload.dict(exclude={"establishment_id", "password"})
    mailbox = mailboxes.save_mailbox(request.user, establishment, values, password=payload.password)
    return Status(201, mailbox)
