"""Response pages, one module per area; the URL table is ``hygie/response/urls.py``."""
