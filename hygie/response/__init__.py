"""Response: incidents, playbooks, regulatory clocks, notification drafts and crisis exercises."""
