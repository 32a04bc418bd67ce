"""The response module's capabilities, granted to roles in ``ResponseConfig.ready``."""

VIEW_INCIDENTS = "response.view_incidents"  # incidents (may hold PHI), obligations, exercises
MANAGE_INCIDENTS = "response.manage_incidents"  # create, edit, move through the lifecycle, tasks
MANAGE_OBLIGATIONS = "response.manage_obligations"  # regulatory profile, obligations, drafts
MANAGE_PLAYBOOKS = "response.manage_playbooks"  # edit copies, add playbooks
MANAGE_EXERCISES = "response.manage_exercises"  # plan and run crisis exercises
