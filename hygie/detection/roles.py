"""The detection module's capabilities, granted to roles in ``DetectionConfig.ready``."""

VIEW_EVENTS = "detection.view_events"  # stored log events and the rule library
INGEST = "detection.ingest"  # send events (HTTP bulk endpoint, `hygie ingest`)
MANAGE_RULES = "detection.manage_rules"  # enable or disable rules per establishment
MANAGE_FORWARDING = "detection.manage_forwarding"  # alert forwarding targets (SIEM, webhooks)
REPORT_MAIL = "detection.report_mail"  # report a suspicious e-mail to the security team
