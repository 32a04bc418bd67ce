"""Compliance: a healthcare framework library, assessments whose evidence is computed from live
data (probes), GDPR registers (art. 30 record, DPIA), audit-ready reports and an executive page.

The pure library engine lives in ``hygie.compliance.engine`` (no Django); the framework, control
and mapping files it loads ship in ``hygie/compliance/library/``.
"""
