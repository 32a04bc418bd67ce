"""The compliance module's use cases, shared by pages, API, CLI and jobs: the framework
library (``library``), assessments and answers (``assessments``), probe results (``probes``),
the remediation plan (``remediation``) and the GDPR registers (``registers``)."""
