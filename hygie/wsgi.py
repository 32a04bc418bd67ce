"""WSGI entry point (``hygie serve`` uses it through waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.settings.production")
application = get_wsgi_application()
