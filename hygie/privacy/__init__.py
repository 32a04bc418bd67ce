"""Protect patient data: find PHI where it should not be (discovery), de-identify, watch access.

The pure discovery engine lives in ``hygie.privacy.engine``; the database-free ``hygie scan``
command in ``hygie.privacy.cli`` drives it over files.
"""
