"""The privacy module's capabilities, granted to roles in ``PrivacyConfig.ready``."""

VIEW_FINDINGS = "privacy.view_findings"  # findings, scan runs and scan roots (PHI locations)
TRIAGE = "privacy.triage"
SCAN = "privacy.scan"  # start scans, manage scan roots
