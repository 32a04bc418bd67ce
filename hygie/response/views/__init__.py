"""Response pages, one module per area; each exposes ``urlpatterns``."""
