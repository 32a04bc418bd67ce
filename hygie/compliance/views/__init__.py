"""The compliance module's pages: the framework library (``library``), assessments and their
answers (``assessments``), probe results (``probes``), the remediation plan (``remediation``)
and the GDPR registers (``registers``)."""
