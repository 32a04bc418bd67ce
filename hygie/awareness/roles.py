"""The awareness module's capabilities, granted to roles in ``AwarenessConfig.ready``."""

VIEW = "awareness.view"  # campaign results, reports, training completion
# sending profiles, templates, landing pages, campaigns, training catalogue
MANAGE = "awareness.manage"
TRIAGE = "awareness.triage"  # reported mails: review, confirm a verdict, thank the reporter
