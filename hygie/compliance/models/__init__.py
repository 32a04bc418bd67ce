"""The compliance module's models: the framework library, assessments and their answers,
probe results, the remediation plan (and the GDPR registers, ``models/registers.py``)."""

from hygie.compliance.models.assessments import Answer, AnswerChange, Assessment, ScoreSnapshot
from hygie.compliance.models.frameworks import Framework, Requirement
from hygie.compliance.models.probes import ProbeRun
from hygie.compliance.models.registers import DPIA, REGISTER_MODELS, DPIARisk, ProcessingActivity
from hygie.compliance.models.remediation import RemediationAction

__all__ = [
    "AUDITED_MODELS",
    "Answer",
    "AnswerChange",
    "Assessment",
    "DPIA",
    "DPIARisk",
    "Framework",
    "ProbeRun",
    "ProcessingActivity",
    "RemediationAction",
    "Requirement",
    "ScoreSnapshot",
]

# Changes land in the hash-chained audit trail (an auditor may ask who changed an answer).
AUDITED_MODELS = (Framework, Assessment, Answer, RemediationAction, *REGISTER_MODELS)
