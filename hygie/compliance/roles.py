"""The compliance module's capabilities, granted to roles in ``ComplianceConfig.ready``."""

VIEW = "compliance.view"  # frameworks, assessments, scores, probe results, reports
ASSESS = "compliance.assess"  # answer requirements, run probes, manage remediation actions
VIEW_REGISTERS = "compliance.view_registers"  # GDPR record of processing and DPIAs
MANAGE_REGISTERS = "compliance.manage_registers"
