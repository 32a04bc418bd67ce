"""The awareness module's models (one sub-module per area; see AUDITED_MODELS): phishing
simulations (``campaigns.py``), reported-mail triage (``triage.py``) and training
(``training.py``)."""

from hygie.awareness.models.campaigns import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    ContentSource,
    EventKind,
    LandingPage,
    Language,
    MailTemplate,
    SendingProfile,
    SmtpSecurity,
    Variant,
)
from hygie.awareness.models.training import (
    AssignmentSource,
    TrainingAssignment,
    TrainingModule,
)
from hygie.awareness.models.triage import (
    MailboxSecurity,
    ReportChannel,
    ReportedMail,
    ReportMailbox,
    Verdict,
)

__all__ = [
    "AUDITED_MODELS",
    "AssignmentSource",
    "Campaign",
    "CampaignEvent",
    "CampaignRecipient",
    "CampaignStatus",
    "ContentSource",
    "EventKind",
    "LandingPage",
    "Language",
    "MailTemplate",
    "MailboxSecurity",
    "ReportChannel",
    "ReportMailbox",
    "ReportedMail",
    "SendingProfile",
    "SmtpSecurity",
    "TrainingAssignment",
    "TrainingModule",
    "Variant",
    "Verdict",
]

# Changes land in the hash-chained audit trail: who set up a relay, wrote or imported a lure,
# launched a campaign, confirmed a verdict, assigned or published training. Recipients and
# events are not audited one by one (thousands per campaign): the campaign's launch is.
AUDITED_MODELS = (
    SendingProfile,
    MailTemplate,
    LandingPage,
    Campaign,
    ReportMailbox,
    ReportedMail,
    TrainingModule,
    TrainingAssignment,
)
