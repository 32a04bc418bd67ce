"""The response module's part of the alert pages, autodiscovered at start-up like every module's
``alert_sections.py``: on every alert, the incidents it belongs to, and on the triage list, the
"Open an incident" action for the ticked alerts (``views.alert_section``)."""

from __future__ import annotations

from hygie.response.views import alert_section

alert_section.register()
