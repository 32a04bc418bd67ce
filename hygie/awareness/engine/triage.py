"""Reported-mail triage: look-alike domains and a suggested verdict with its reasons.

Takes the facts detection's hostile-input parser extracts (``parse_reported_mail`` →
``ReportedMail``; any object with the same attributes works, see ``MailFacts``), so there is one
.eml parser in Hygie. Judges from the evidence in the mail itself (authentication, header
mismatches, look-alike link or sender domains, risky attachments), not from lists of bad domains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

SIMULATION = "simulation"
CLEAN = "clean"
SUSPICIOUS = "suspicious"
PHISHING = "phishing"
MALICIOUS = "malicious"

SIMULATION_HEADER = "x-hygie-simulation"
# Characters that look like Latin letters (Cyrillic, Greek, digits used as letters).
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ν": "v",
        "τ": "t", "ι": "i", "κ": "k", "0": "o", "1": "l", "3": "e", "5": "s", "ℓ": "l",
    }
)  # fmt: skip
_MULTI = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_MACRO_EXTENSIONS = frozenset({".docm", ".xlsm", ".pptm", ".dotm", ".xlam"})
_EXECUTABLE = frozenset(
    {".exe", ".scr", ".com", ".bat", ".cmd", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta",
     ".ps1", ".msi", ".lnk", ".jar"}
)  # fmt: skip
_CONTAINERS = frozenset({".iso", ".img", ".zip", ".rar", ".7z", ".html", ".htm", ".svg"})
# Lure wording (FR/EN): urgency, threats to access, credential or payment requests. Matched on
# the subject (and any text the caller chooses to pass), folded to ASCII lower case.
_LURE_WORDS = re.compile(
    r"\b(urgent|immediat|immediately|expire[sd]?|expiration|suspendu|suspended|verifi|verify|"
    r"mot de passe|password|identifiants?|credentials?|code pin|pin code|confirm|paiement|"
    r"payment|frais|fee|facture|invoice|action requise|action required|24 ?h|48 ?h)",
)


class MailFacts(Protocol):
    """What triage reads: detection's ``ReportedMail`` has these attributes."""

    @property
    def sender(self) -> str: ...
    @property
    def sender_domain(self) -> str: ...
    @property
    def reply_to(self) -> str: ...
    @property
    def link_domains(self) -> tuple[str, ...]: ...
    @property
    def attachment_extensions(self) -> tuple[str, ...]: ...
    @property
    def authentication(self) -> dict[str, str]: ...


def _registrable(domain: str) -> str:
    """The last two labels (a registrable-domain approximation without a suffix list, plus the
    third for two-level suffixes such as ``co.uk`` / ``gouv.fr``)."""
    labels = [label for label in domain.lower().strip(".").split(".") if label]
    if len(labels) >= 3 and labels[-2] in {"co", "com", "gouv", "ac", "org", "net", "nhs"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _decode_punycode(domain: str) -> str:
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def skeleton(domain: str) -> str:
    """A comparison form: punycode decoded, accents removed, look-alike letters folded."""
    text = unicodedata.normalize("NFKD", _decode_punycode(domain.lower()))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_CONFUSABLES)
    for many, one in _MULTI:
        text = text.replace(many, one)
    return text


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (adjacent swaps) distance, stopped early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class Lookalike:
    domain: str
    imitates: str
    how: str  # punycode / homoglyph / typo / embedded


def lookalike(domain: str, own_domains: Collection[str]) -> Lookalike | None:
    """Whether ``domain`` imitates one of the organisation's domains (and how)."""
    domain = domain.lower().strip(".")
    if not domain:
        return None
    mine = _registrable(domain)
    for own in own_domains:
        own = own.lower().strip(".")
        target = _registrable(own)
        if not target or mine == target:
            continue
        if domain.startswith("xn--") or ".xn--" in domain:
            if skeleton(mine) == skeleton(target):
                return Lookalike(domain, own, "punycode")
        if skeleton(mine) == skeleton(target):
            return Lookalike(domain, own, "homoglyph")
        label, own_label = skeleton(mine).split(".")[0], target.split(".")[0]
        if len(own_label) >= 5 and edit_distance(label, own_label, 2) <= (
            1 if len(own_label) < 9 else 2
        ):
            return Lookalike(domain, own, "typo")
        if (
            len(own_label) >= 5
            and own_label in domain.replace(mine, "") + label
            and (own_label != label)
        ):
            return Lookalike(domain, own, "embedded")
    return None


@dataclass(frozen=True)
class TriageResult:
    verdict: str
    score: int
    reasons: tuple[str, ...]
    lookalikes: tuple[Lookalike, ...] = ()
    simulation_token: str | None = None


def triage(
    mail: MailFacts,
    own_domains: Collection[str] = (),
    *,
    headers: Mapping[str, str] | None = None,
    tokens_in_mail: Collection[str] = (),
    known_tokens: Collection[str] = (),
    display_name: str = "",
    wording: str = "",
) -> TriageResult:
    """The suggested verdict: simulation (one of ours, by header or token), malicious, phishing,
    suspicious or clean, with the reasons (stable codes) and the score behind it.

    ``wording`` is the subject (or any text the caller may read: detection's parser keeps no
    body) checked for lure wording; ``display_name`` is the From display name."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    for token in tokens_in_mail:
        if token in known_tokens:
            return TriageResult(SIMULATION, 0, ("simulation_token",), (), token)
    if lowered.get(SIMULATION_HEADER, "").strip() in known_tokens and lowered.get(
        SIMULATION_HEADER
    ):
        return TriageResult(
            SIMULATION, 0, ("simulation_header",), (), lowered[SIMULATION_HEADER].strip()
        )
    reasons: list[str] = []
    score = 0
    auth = mail.authentication
    for name, weight in (("dmarc", 3), ("spf", 2), ("dkim", 2)):
        if auth.get(name) in {"fail", "softfail", "permerror"}:
            reasons.append(f"{name}_fail")
            score += weight
    if not auth:
        reasons.append("no_authentication_results")
        score += 1
    reply_domain = mail.reply_to.rpartition("@")[2]
    if (
        reply_domain
        and mail.sender_domain
        and _registrable(reply_domain) != _registrable(mail.sender_domain)
    ):
        reasons.append("reply_to_elsewhere")
        score += 2
    found: list[Lookalike] = []
    for domain in (mail.sender_domain, reply_domain, *mail.link_domains):
        hit = lookalike(domain, own_domains) if domain else None
        if hit and hit not in found:
            found.append(hit)
    if found:
        reasons.append("lookalike_domain")
        score += 4
    name = display_name.lower()
    if name and "@" in name and mail.sender and mail.sender not in name:
        reasons.append("display_name_spoofing")
        score += 3
    elif (
        name
        and mail.sender_domain
        and any(_registrable(own).split(".")[0] in name for own in own_domains)
        and _registrable(mail.sender_domain) not in {_registrable(o) for o in own_domains}
    ):
        reasons.append("display_name_claims_organisation")
        score += 2
    if any(d.replace(".", "").isdigit() or d.startswith("[") for d in mail.link_domains):
        reasons.append("link_to_ip_address")
        score += 2
    if any("xn--" in d for d in mail.link_domains):
        reasons.append("punycode_link")
        score += 1
    folded = unicodedata.normalize("NFKD", wording[:20_000].lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    if len({m.group(0) for m in _LURE_WORDS.finditer(folded)}) >= 2:
        reasons.append("lure_wording")
        score += 1
    extensions = set(mail.attachment_extensions)
    malicious = False
    if extensions & _EXECUTABLE:
        reasons.append("executable_attachment")
        malicious = True
    if extensions & _MACRO_EXTENSIONS:
        reasons.append("macro_attachment")
        malicious = True
    if extensions & _CONTAINERS:
        reasons.append("container_or_html_attachment")
        score += 3
    if malicious:
        verdict = MALICIOUS
    elif score >= 5:
        verdict = PHISHING
    elif score >= 2:
        verdict = SUSPICIOUS
    else:
        verdict = CLEAN
    return TriageResult(verdict, score, tuple(reasons), tuple(found))
