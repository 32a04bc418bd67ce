"""Detection pages, mounted at /detection/."""

from django.urls import path

from hygie.core.views.generic import object_urlpatterns
from hygie.detection import views
from hygie.detection.models import ForwardingTarget

app_name = "detection"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/import/", views.LogFileUploadView.as_view(), name="event_import"),
    path("report-mail/", views.MailReportView.as_view(), name="mail_report"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rule-packs/add/", views.RulePackImportView.as_view(), name="rulepack_add"),
    path("rules/toggle/", views.RuleToggleView.as_view(), name="rule_toggle"),
    *object_urlpatterns(
        ForwardingTarget,
        "forwarding-targets",
        list_view=views.ForwardingTargetListView,
        detail_view=views.ForwardingTargetDetailView,
        edit_view=views.ForwardingTargetEditView,
        delete_view=views.ForwardingTargetDeleteView,
    ),
    path(
        "forwarding-targets/<int:pk>/test/",
        views.ForwardingTargetTestView.as_view(),
        name="forwardingtarget_test",
    ),
    path(
        "forwarding-targets/<int:pk>/secret/",
        views.ForwardingTargetSecretView.as_view(),
        name="forwardingtarget_secret",
    ),
]
