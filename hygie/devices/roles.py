"""The devices module's capabilities, granted to roles in ``DevicesConfig.ready``."""

VIEW = "devices.view"  # inventory, vulnerabilities, risk, discovery results, segmentation
MANAGE = "devices.manage"  # edit the inventory, imports, feeds, aliases, zones and policies
TRIAGE = "devices.triage"  # decide on device vulnerabilities (mitigated, accepted, not affected)
