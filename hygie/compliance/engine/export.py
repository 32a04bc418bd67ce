"""A framework written back as a Hygie framework file (``hygie-framework/1``).

Used to convert an imported framework (a CISO Assistant library) into a file people can read,
complete (``controls:``, French or English texts) and check with ``check-library``. Pure.
"""

from __future__ import annotations

from typing import Any

import yaml

from .library import Framework, Localized, Requirement
from .schema import FRAMEWORK_FORMAT

# libyaml's emitter when installed (several times faster), PyYAML's otherwise; both safe.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def framework_to_yaml(framework: Framework, header: str = "") -> str:
    """The framework file's text; ``parse_framework`` reads it back to an equal framework
    (``source_name``, lines and the framework's own ``attributes`` aside). ``header`` lines
    become comments at the top."""
    meta: dict[str, Any] = {
        "id": framework.id,
        "urn": framework.urn,
        "name": _texts(framework.name),
    }
    if framework.description:
        meta["description"] = _texts(framework.description)
    meta["version"] = framework.version
    if framework.publication_date:
        meta["publication_date"] = framework.publication_date
    meta["provider"] = framework.provider
    if framework.source_url:
        meta["source_url"] = framework.source_url
    if framework.licence_note:
        meta["licence_note"] = framework.licence_note
    meta["locales"] = list(framework.locales)
    document = {
        "format": FRAMEWORK_FORMAT,
        "framework": meta,
        "requirements": [_requirement(r) for r in framework.requirements],
    }
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    body = yaml.dump(document, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    return comments + body


def _requirement(requirement: Requirement) -> dict[str, Any]:
    item: dict[str, Any] = {"urn": requirement.urn, "ref_id": requirement.ref_id}
    if requirement.parent:
        item["parent"] = requirement.parent
    item["assessable"] = requirement.assessable
    item["title"] = _texts(requirement.title)
    if requirement.description:
        item["description"] = _texts(requirement.description)
    item["verification_status"] = requirement.verification_status
    if requirement.attributes:
        item["attributes"] = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in requirement.attributes.items()
        }
    if requirement.controls:
        item["controls"] = list(requirement.controls)
    return item


def _texts(text: Localized) -> dict[str, str]:
    return dict(text)
