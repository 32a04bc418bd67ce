"""Detection pages, mounted at /detection/."""

from django.urls import path

from hygie.detection import views

app_name = "detection"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/import/", views.RulePackImportView.as_view(), name="rulepack_add"),
    path("rules/toggle/", views.RuleToggleView.as_view(), name="rule_toggle"),
]
