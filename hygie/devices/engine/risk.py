"""Clinical risk: an explainable score per device–vulnerability and per device.

Pure (no Django, no I/O). Three components, each between 0 and 1, then the compensating controls:

* **exploitability** — the CVSS base score (vector scored with the ``cvss`` library; v2, v3.x
  and v4.0), the EPSS probability of exploitation in the next 30 days, and the CISA KEV flag
  (exploited in the wild: at least 0.8);
* **exposure** — the device's network zone, whether it is reachable from the internet, whether
  flows leaving its zone were seen, weighted by the vector's attack vector (a physical-access
  flaw matters less on an exposed device than a network one);
* **clinical impact** — what the device does to a patient (life-sustaining first), whether it is
  connected to the patient and whether it stores health data;
* **compensating controls** — each declared control reduces the score, at most by half.

``score = 100 × E^0.40 × X^0.25 × I^0.35 × (1 − R)``: exploitability weighs most, clinical impact
next; a KEV flaw on an exposed life-sustaining device comes first. Every factor is returned with
its value and its effect, in French and English, so the page shows why, not just a number. The
weights are documented in docs/devices.md; change both together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]  # ships no type information
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]  # idem


@dataclass(frozen=True)
class Text:
    """A wording in French and English (the engine is pure: the caller picks the language)."""

    fr: str
    en: str

    def get(self, language: str | None) -> str:
        return self.en if language and language.lower().startswith("en") else self.fr


FUNCTION_IMPACT: dict[str, tuple[float, Text]] = {
    "life_sustaining": (1.0, Text("maintien en vie", "life-sustaining")),
    "therapeutic": (0.85, Text("thérapeutique", "therapeutic")),
    "patient_monitoring": (0.75, Text("surveillance du patient", "patient monitoring")),
    "diagnostic_imaging": (0.6, Text("imagerie diagnostique", "diagnostic imaging")),
    "laboratory": (0.5, Text("laboratoire", "laboratory")),
    "clinical_it": (0.45, Text("informatique clinique", "clinical IT")),
    "non_clinical": (0.2, Text("non clinique", "non-clinical")),
}
ZONE_EXPOSURE: dict[str, tuple[float, Text]] = {
    "isolated": (0.1, Text("isolé", "isolated")),
    "medical": (0.4, Text("réseau médical segmenté", "segmented medical network")),
    "clinical": (0.6, Text("réseau clinique", "clinical network")),
    "corporate": (0.7, Text("réseau bureautique", "corporate network")),
    "unknown": (0.7, Text("zone inconnue", "unknown zone")),
    "dmz": (0.85, Text("DMZ", "DMZ")),
    "internet": (1.0, Text("exposé à internet", "exposed to the internet")),
}
ATTACK_VECTOR: dict[str, tuple[float, Text]] = {
    "N": (1.0, Text("réseau", "network")),
    "A": (0.8, Text("réseau adjacent", "adjacent network")),
    "L": (0.5, Text("accès local", "local access")),
    "P": (0.3, Text("accès physique", "physical access")),
}
CONTROL_REDUCTION: dict[str, tuple[float, Text]] = {
    "segmented": (0.15, Text("segmentation réseau", "network segmentation")),
    "firewall_allowlist": (0.15, Text("liste blanche de flux", "flow allow-list")),
    "no_internet": (0.1, Text("sans accès internet", "no internet access")),
    "remote_access_controlled": (
        0.1,
        Text("télémaintenance contrôlée", "vendor remote access controlled"),
    ),
    "hardened": (0.1, Text("configuration durcie", "hardened configuration")),
    "monitored": (0.05, Text("trafic surveillé", "traffic monitored")),
    "usb_locked": (0.05, Text("supports amovibles bloqués", "removable media locked")),
}
MAX_REDUCTION = 0.5
KEV_FLOOR = 0.8
UNKNOWN_SEVERITY = 0.5
LEVELS: tuple[tuple[float, str], ...] = ((70, "critical"), (50, "high"), (30, "medium"))
LEVEL_LABELS: dict[str, Text] = {
    "critical": Text("critique", "critical"),
    "high": Text("élevé", "high"),
    "medium": Text("moyen", "medium"),
    "low": Text("faible", "low"),
}


@dataclass(frozen=True)
class CvssScore:
    version: str
    base_score: float
    attack_vector: str  # N, A, L, P or "" when unknown


def score_vector(vector: str) -> CvssScore | None:
    """The base score and attack vector of a CVSS v2, v3.x or v4.0 vector; None if invalid."""
    text = (vector or "").strip()
    if not text or len(text) > 300:
        return None
    try:
        if text.startswith("CVSS:4"):
            v4 = CVSS4(text)
            return CvssScore("4.0", float(v4.base_score), str(v4.metrics.get("AV", "")))
        if text.startswith("CVSS:3"):
            v3 = CVSS3(text)
            return CvssScore(text[5:8], float(v3.scores()[0]), str(v3.metrics.get("AV", "")))
        v2 = CVSS2(text)
        return CvssScore("2.0", float(v2.scores()[0]), str(v2.metrics.get("AV", "")))
    except (CVSSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class Vulnerability:
    cvss_vector: str = ""
    cvss_score: float | None = None  # used when the vector is absent or invalid
    kev: bool = False
    epss: float | None = None  # probability in [0, 1]


@dataclass(frozen=True)
class DeviceContext:
    clinical_function: str = "non_clinical"
    patient_connected: bool = False
    stores_phi: bool = False
    network_zone: str = "unknown"
    internet_reachable: bool = False
    external_flows: bool = False  # flows leaving the device's zone were observed
    compensating_controls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Factor:
    component: str  # exploitability | exposure | impact | controls | device
    label: Text
    detail: Text


@dataclass(frozen=True)
class Risk:
    score: float
    level: str
    exploitability: float
    exposure: float
    impact: float
    reduction: float
    factors: tuple[Factor, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (stored with the device vulnerability, served by the API)."""
        return {
            "score": self.score,
            "level": self.level,
            "exploitability": self.exploitability,
            "exposure": self.exposure,
            "impact": self.impact,
            "reduction": self.reduction,
            "factors": [
                {
                    "component": f.component,
                    "label": {"fr": f.label.fr, "en": f.label.en},
                    "detail": {"fr": f.detail.fr, "en": f.detail.en},
                }
                for f in self.factors
            ],
        }


def level_of(score: float) -> str:
    for threshold, level in LEVELS:
        if score >= threshold:
            return level
    return "low"


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nombre(value: float) -> str:
    """The same number written the French way (decimal comma: 64,5)."""
    return _number(value).replace(".", ",")


def _pourcentage(share: float, digits: int = 1) -> str:
    """A share as a French percentage (61,0 %, with a narrow no-break space)."""
    return f"{100 * share:.{digits}f}".replace(".", ",") + "\u202f%"


def assess(vulnerability: Vulnerability, device: DeviceContext) -> Risk:
    """The clinical risk of one vulnerability on one device, with every factor that made it."""
    factors: list[Factor] = []

    # --- exploitability
    scored = score_vector(vulnerability.cvss_vector)
    attack_vector = scored.attack_vector if scored else ""
    if scored is not None:
        severity = scored.base_score / 10
        factors.append(
            Factor(
                "exploitability",
                Text("CVSS", "CVSS"),
                Text(
                    f"{_nombre(scored.base_score)} (v{scored.version})",
                    f"{_number(scored.base_score)} (v{scored.version})",
                ),
            )
        )
    elif vulnerability.cvss_score is not None:
        severity = _clamp(vulnerability.cvss_score / 10)
        factors.append(
            Factor(
                "exploitability",
                Text("CVSS", "CVSS"),
                Text(
                    f"{_nombre(vulnerability.cvss_score)} (sans vecteur)",
                    f"{_number(vulnerability.cvss_score)} (no vector)",
                ),
            )
        )
    else:
        severity = UNKNOWN_SEVERITY
        factors.append(
            Factor(
                "exploitability",
                Text("CVSS", "CVSS"),
                Text("inconnu : gravité moyenne supposée", "unknown: medium severity assumed"),
            )
        )
    epss = _clamp(vulnerability.epss) if vulnerability.epss is not None else 0.0
    if vulnerability.epss is not None:
        factors.append(
            Factor(
                "exploitability",
                Text("EPSS", "EPSS"),
                Text(
                    f"probabilité d'exploitation à 30 jours {_pourcentage(epss)}",
                    f"probability of exploitation within 30 days {epss:.1%}",
                ),
            )
        )
    exploitability = _clamp(0.6 * severity + 0.25 * epss + (0.15 if vulnerability.kev else 0.0))
    if vulnerability.kev:
        exploitability = max(exploitability, KEV_FLOOR)
        factors.append(
            Factor(
                "exploitability",
                Text("KEV", "KEV"),
                Text(
                    "exploitée activement (catalogue CISA KEV)",
                    "actively exploited (CISA KEV catalogue)",
                ),
            )
        )

    # --- exposure
    zone_value, zone_label = ZONE_EXPOSURE.get(device.network_zone, ZONE_EXPOSURE["unknown"])
    factors.append(Factor("exposure", Text("Zone réseau", "Network zone"), zone_label))
    exposure = zone_value
    if device.internet_reachable:
        exposure = 1.0
        factors.append(
            Factor(
                "exposure",
                Text("Internet", "Internet"),
                Text("joignable depuis internet", "reachable from the internet"),
            )
        )
    if device.external_flows:
        exposure = _clamp(exposure + 0.15)
        factors.append(
            Factor(
                "exposure",
                Text("Flux observés", "Observed flows"),
                Text("flux sortant de sa zone", "flows leaving its zone"),
            )
        )
    if attack_vector in ATTACK_VECTOR:
        weight, label = ATTACK_VECTOR[attack_vector]
        exposure = _clamp(exposure * weight)
        factors.append(Factor("exposure", Text("Vecteur d'attaque", "Attack vector"), label))

    # --- clinical impact
    impact, function_label = FUNCTION_IMPACT.get(
        device.clinical_function, FUNCTION_IMPACT["non_clinical"]
    )
    factors.append(Factor("impact", Text("Fonction clinique", "Clinical function"), function_label))
    if device.patient_connected:
        impact = _clamp(impact + 0.15)
        factors.append(
            Factor(
                "impact",
                Text("Patient", "Patient"),
                Text("connecté au patient", "connected to the patient"),
            )
        )
    if device.stores_phi:
        impact = _clamp(impact + 0.1)
        factors.append(
            Factor(
                "impact",
                Text("Données de santé", "Health data"),
                Text("stocke des données de santé", "stores health data"),
            )
        )

    # --- compensating controls
    reduction = 0.0
    for control in sorted(set(device.compensating_controls)):
        if control not in CONTROL_REDUCTION:
            continue
        value, label = CONTROL_REDUCTION[control]
        reduction += value
        factors.append(
            Factor(
                "controls",
                label,
                Text(f"−{_pourcentage(value, 0)}", f"−{value:.0%}"),
            )
        )
    reduction = min(reduction, MAX_REDUCTION)

    raw = (
        100
        * exploitability**0.40
        * max(exposure, 0.01) ** 0.25
        * max(impact, 0.01) ** 0.35
        * (1 - reduction)
    )
    score = round(raw, 1)
    return Risk(
        score=score,
        level=level_of(score),
        exploitability=round(exploitability, 3),
        exposure=round(exposure, 3),
        impact=round(impact, 3),
        reduction=round(reduction, 3),
        factors=tuple(factors),
    )


def device_risk(scores: Iterable[float], os_unsupported: bool = False) -> Risk:
    """A device's risk: its worst open vulnerability, plus a little for each other one and for
    an operating system out of support (capped at 100)."""
    ordered: Sequence[float] = sorted(scores, reverse=True)
    if not ordered:
        return Risk(0.0, "low", 0.0, 0.0, 0.0, 0.0, ())
    factors = [
        Factor(
            "device",
            Text("Pire vulnérabilité", "Worst vulnerability"),
            Text(_nombre(ordered[0]), _number(ordered[0])),
        )
    ]
    extra = min(10.0, 2.0 * (len(ordered) - 1))
    if extra:
        factors.append(
            Factor(
                "device",
                Text("Autres vulnérabilités ouvertes", "Other open vulnerabilities"),
                Text(f"{len(ordered) - 1} (+{_nombre(extra)})", f"{len(ordered) - 1} (+{extra:g})"),
            )
        )
    if os_unsupported:
        extra += 5.0
        factors.append(
            Factor(
                "device",
                Text("Système d'exploitation", "Operating system"),
                Text("hors support (+5)", "out of support (+5)"),
            )
        )
    score = round(min(100.0, ordered[0] + extra), 1)
    return Risk(score, level_of(score), 0.0, 0.0, 0.0, 0.0, tuple(factors))
