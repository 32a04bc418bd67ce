"""The awareness module's pages, mounted at /awareness/.

URL names are ``awareness:<model>_<action>``.
"""

from django.urls import URLPattern, URLResolver, path

from hygie.awareness.models import (
    Campaign,
    LandingPage,
    MailTemplate,
    ReportedMail,
    ReportMailbox,
    SendingProfile,
    TrainingAssignment,
)
from hygie.awareness.views import campaigns as campaign_views
from hygie.awareness.views import public, results, training, triage
from hygie.core.views.generic import object_urlpatterns

app_name = "awareness"

urlpatterns: list[URLPattern | URLResolver] = []

# Public tracking endpoints of the simulations (no account: the token is the capability);
# services/tracking.py TRACKING_PATH and engine.render_mail's /c/ and /o/ depend on these paths.
urlpatterns += [
    path("t/o/<str:token>", public.track_open, name="track_open"),
    path("t/c/<str:token>", public.track_click, name="track_click"),
    path("t/v/<str:token>", public.track_confirm, name="track_confirm"),
    path("t/s/<str:token>", public.track_submit, name="track_submit"),
    path("t/l/<str:token>", public.track_learn, name="track_learn"),
]
# Campaign results (live dashboard, exports) and the trend over campaigns.
urlpatterns += [
    path("campaigns/<int:pk>/results/", results.campaign_results, name="campaign_results"),
    path(
        "campaigns/<int:pk>/results/export/",
        results.campaign_results_export,
        name="campaign_results_export",
    ),
    path("results/", results.results_overview, name="results_overview"),
]
# Reported-mail triage: report a mail, the queue and a report's analysis, the report mailboxes.
urlpatterns += [
    path("reports/new/", triage.ReportUploadView.as_view(), name="reportedmail_upload"),
    path(
        "reports/<int:pk>/verdict/",
        triage.ReportedMailVerdictView.as_view(),
        name="reportedmail_verdict",
    ),
    *object_urlpatterns(
        ReportedMail,
        "reports",
        list_view=triage.ReportedMailListView,
        detail_view=triage.ReportedMailDetailView,
    ),
    *object_urlpatterns(
        ReportMailbox,
        "mailboxes",
        list_view=triage.ReportMailboxListView,
        detail_view=triage.ReportMailboxDetailView,
        edit_view=triage.ReportMailboxEditView,
    ),
]
# Training: catalogue, module preview, assignments, completion; the personal link's public pages
# (no account: the token is the capability) and the shipped illustrations.
urlpatterns += [
    path("training/", training.catalogue, name="training_catalogue"),
    path("training/sync/", training.sync, name="training_sync"),
    path("training/assign/", training.assign, name="training_assign"),
    path("training/completion/", training.completion, name="training_completion"),
    path("training/modules/<int:pk>/", training.module_detail, name="trainingmodule_detail"),
    path(
        "training/assignments/<int:pk>/certificate/",
        training.assignment_certificate,
        name="trainingassignment_certificate",
    ),
    *object_urlpatterns(
        TrainingAssignment, "training/assignments", list_view=training.TrainingAssignmentListView
    ),
    path("training/images/<str:name>", training.image, name="training_image"),
    path("training/t/<str:token>/", training.take, name="training_take"),
    path("training/t/<str:token>/certificate/", training.certificate, name="training_certificate"),
]
# Campaign back office: sending profiles, templates and landing pages (shared library, GoPhish
# import), campaigns with their targets, launch and cancel.
urlpatterns += [
    *object_urlpatterns(
        SendingProfile,
        "sending-profiles",
        list_view=campaign_views.SendingProfileListView,
        detail_view=campaign_views.SendingProfileDetailView,
        edit_view=campaign_views.SendingProfileEditView,
        delete_view=campaign_views.SendingProfileDeleteView,
    ),
    path(
        "templates/sync/", campaign_views.MailTemplateSyncView.as_view(), name="mailtemplate_sync"
    ),
    path(
        "templates/import/",
        campaign_views.MailTemplateImportView.as_view(),
        name="mailtemplate_import",
    ),
    *object_urlpatterns(
        MailTemplate,
        "templates",
        list_view=campaign_views.MailTemplateListView,
        detail_view=campaign_views.MailTemplateDetailView,
        edit_view=campaign_views.MailTemplateEditView,
        delete_view=campaign_views.MailTemplateDeleteView,
    ),
    *object_urlpatterns(
        LandingPage,
        "landing-pages",
        list_view=campaign_views.LandingPageListView,
        detail_view=campaign_views.LandingPageDetailView,
        edit_view=campaign_views.LandingPageEditView,
        delete_view=campaign_views.LandingPageDeleteView,
    ),
    *object_urlpatterns(
        Campaign,
        "campaigns",
        list_view=campaign_views.CampaignListView,
        detail_view=campaign_views.CampaignDetailView,
        edit_view=campaign_views.CampaignEditView,
        delete_view=campaign_views.CampaignDeleteView,
    ),
    path(
        "campaigns/<int:pk>/targets/",
        campaign_views.CampaignTargetsView.as_view(),
        name="campaign_targets",
    ),
    path(
        "campaigns/<int:pk>/launch/",
        campaign_views.CampaignLaunchView.as_view(),
        name="campaign_launch",
    ),
    path(
        "campaigns/<int:pk>/cancel/",
        campaign_views.CampaignCancelView.as_view(),
        name="campaign_cancel",
    ),
]
