"""Response pages, mounted at /response/. Each area's views module declares its own routes."""

from hygie.response.views import drafts, exercises, incidents, obligations, playbooks

app_name = "response"

urlpatterns = [
    *incidents.urlpatterns,
    *playbooks.urlpatterns,
    *obligations.urlpatterns,
    *drafts.urlpatterns,
    *exercises.urlpatterns,
]
