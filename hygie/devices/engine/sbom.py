"""SBOMs and VEX: CycloneDX (JSON and XML, 1.1 to 1.6) through ``cyclonedx-python-lib``, SPDX 2.3
(JSON and tag-value) through ``spdx-tools``, SPDX 3.0 JSON-LD (its software packages, read here:
``spdx-tools`` 0.8 has no 3.0 parser), and the matching of a device's components.

Pure: texts in, dataclasses out. Input is hostile: bounded in size, JSON read by the hardened
loader (depth, nodes, duplicate keys), XML by ``defusedxml`` (no DTD, no entities, no external
references) with a depth bound, and whatever a library raises on a malformed document becomes an
:class:`SbomError` (a library is not a validator: it raises what its code meets).

Matching (:func:`match_sbom`): every component becomes an inventory item of the device (its CPE,
its purl, its supplier and name) and goes through :func:`hygie.devices.engine.match` — CSAF
products by purl, CPE or vendor and product name, NVD criteria by CPE. A component known only by
its purl is not guessed into a CPE (the source of the CPE false positives Dependency-Track's users
report). Then the VEX statements (CycloneDX ``vulnerabilities[].analysis``; CSAF VEX documents are
advisories and match by purl like any other) override the status of the verdicts they name, and a
statement naming a component no feed relates to becomes a verdict of its own. Each verdict says
which component, and which statement, decided.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from xml.etree.ElementTree import Element

from hygie.devices.engine.csaf import Advisory
from hygie.devices.engine.match import InventoryItem, Verdict, explained, match, purl_key
from hygie.devices.engine.nvd import CveRecord
from hygie.devices.engine.texts import Text, clauses, gettext_noop, listing, text
from hygie.lib.documents import DocumentError, Limits, load_json
from hygie.lib.errors import HygieError

MAX_BYTES = 64 * 1024 * 1024
MAX_XML_DEPTH = 64
MAX_COMPONENTS = 50_000  # the library reads about 1,000 per CPU second: refused before it
JSON_LIMITS = Limits(max_bytes=MAX_BYTES, max_depth=64, max_nodes=20_000_000)

# CycloneDX analysis state → verdict status.
# CycloneDX analysis states, justifications and responses as words (decision 0041).
_VEX_WORDS = {
    "exploitable": gettext_noop("exploitable"),
    "in_triage": gettext_noop("in triage"),
    "resolved": gettext_noop("resolved"),
    "resolved_with_pedigree": gettext_noop("resolved with pedigree"),
    "not_affected": gettext_noop("not affected"),
    "false_positive": gettext_noop("false positive"),
    "code_not_present": gettext_noop("code not present"),
    "code_not_reachable": gettext_noop("code not reachable"),
    "requires_configuration": gettext_noop("requires configuration"),
    "requires_dependency": gettext_noop("requires dependency"),
    "requires_environment": gettext_noop("requires environment"),
    "protected_by_compiler": gettext_noop("protected by compiler"),
    "protected_at_runtime": gettext_noop("protected at runtime"),
    "protected_at_perimeter": gettext_noop("protected at perimeter"),
    "protected_by_mitigating_control": gettext_noop("protected by mitigating control"),
    "can_not_fix": gettext_noop("can not fix"),
    "will_not_fix": gettext_noop("will not fix"),
    "update": gettext_noop("update"),
    "rollback": gettext_noop("rollback"),
    "workaround_available": gettext_noop("workaround available"),
}


def _vex_word(value: str) -> Text | str:
    msgid = _VEX_WORDS.get(value)
    return Text(msgid) if msgid else value.replace("_", " ")


VEX_STATES = {
    "exploitable": "known_affected",
    "in_triage": "under_investigation",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "not_affected": "known_not_affected",
    "false_positive": "known_not_affected",
}
# SPDX 3.0 / OpenVEX / CSAF words a statement may use for the same decisions.
_SPDX3_PURL = "packageUrl"
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


class SbomError(HygieError, ValueError):
    """An SBOM refused as a whole, and why."""


@dataclass(frozen=True)
class Component:
    ref: str  # bom-ref (CycloneDX) or SPDXID; unique in the SBOM
    name: str
    version: str = ""
    supplier: str = ""
    group: str = ""
    purl: str = ""
    cpe: str = ""
    kind: str = ""  # library, application, firmware, device, operating-system…

    @property
    def label(self) -> str:
        name = f"{self.group}/{self.name}" if self.group else self.name
        return f"{name} {self.version}".strip()


@dataclass(frozen=True)
class VexStatement:
    vulnerability: str  # CVE-… or another identifier
    refs: tuple[str, ...]  # the components it concerns (empty: the whole product)
    state: str  # CycloneDX analysis state (exploitable, not_affected, …)
    justification: str = ""
    responses: tuple[str, ...] = ()
    detail: str = ""
    source: str = ""

    @property
    def status(self) -> str:
        status = VEX_STATES.get(self.state, "needs_review")
        if status == "known_not_affected" and not (self.justification or self.detail):
            # CISA's minimum requirements: "not affected" must say why; without it, review.
            return "needs_review"
        return status

    def explain(self) -> str:
        return str(self.explanation())

    def explanation(self) -> Text | str:
        """What the statement says, as a translatable text (keywords as words)."""
        state = _vex_word(self.state)
        head = (
            text(
                gettext_noop("VEX %(state)s (%(justification)s)"),
                state=state,
                justification=_vex_word(self.justification),
            )
            if self.justification
            else text(gettext_noop("VEX %(state)s"), state=state)
        )
        response = (
            text(
                gettext_noop("response: %(responses)s"),
                responses=listing(_vex_word(r) for r in self.responses),
            )
            if self.responses
            else None
        )
        review: Text | None = None
        if self.status == "needs_review" and self.state in VEX_STATES:
            review = Text(gettext_noop("no justification given, review"))
        elif self.state not in VEX_STATES:
            review = Text(gettext_noop("no analysis state, review"))
        return clauses(head, response, self.detail[:300], review)


@dataclass(frozen=True)
class Sbom:
    format: str  # "CycloneDX 1.4", "SPDX-2.3", …
    name: str = ""
    version: str = ""
    components: tuple[Component, ...] = ()
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    vex: tuple[VexStatement, ...] = ()

    def component(self, ref: str) -> Component | None:
        for component in self.components:
            if component.ref == ref:
                return component
        return None


# --- parsing --------------------------------------------------------------------------------


def parse_sbom(data: str | bytes, name: str = "") -> Sbom:
    """An SBOM of any supported format, recognised by its content."""
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise SbomError(f"{name or 'SBOM'}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _cyclonedx_xml(raw, name)
    if head.startswith(b"{"):
        try:
            document = load_json(raw, name or None, JSON_LIMITS).data
        except DocumentError as error:
            raise SbomError(f"{name or 'SBOM'}: {error}") from None
        if not isinstance(document, dict):
            raise SbomError(f"{name or 'SBOM'}: a JSON object is expected")
        if document.get("bomFormat") == "CycloneDX":
            return _cyclonedx_json(document, name)
        if "spdxVersion" in document:
            return _spdx2_json(document, name)
        if "@context" in document and "@graph" in document:
            return _spdx3_json(document, name)
        raise SbomError(
            f"{name or 'SBOM'}: neither CycloneDX (bomFormat), SPDX 2 (spdxVersion) "
            "nor SPDX 3 (@context, @graph)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SbomError(f"{name or 'SBOM'}: not UTF-8 text") from None
    if re.match(r"\s*(#.*\n\s*)*SPDXVersion\s*:", text):
        return _spdx2_tagvalue(text, name)
    raise SbomError(f"{name or 'SBOM'}: not an SBOM (CycloneDX JSON/XML or SPDX)")


def _cyclonedx_json(document: dict[str, Any], name: str) -> Sbom:
    from cyclonedx.model.bom import Bom

    spec = str(document.get("specVersion", ""))
    count, stack = 0, [document.get("components")]
    while stack:
        listed = stack.pop()
        if isinstance(listed, list):
            count += len(listed)
            stack.extend(c.get("components") for c in listed if isinstance(c, dict))
        if count > MAX_COMPONENTS:
            raise SbomError(f"{name or 'SBOM'}: more than {MAX_COMPONENTS} components")
    try:
        with warnings.catch_warnings():  # deprecation notices about the document's schema
            warnings.simplefilter("ignore")
            bom = Bom.from_json(document)  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 (the library raises what its code meets)
        raise SbomError(
            f"{name or 'SBOM'}: not a readable CycloneDX BOM ({_short(error)})"
        ) from None
    return _from_bom(bom, f"CycloneDX {spec}".strip(), name)


def _cyclonedx_xml(raw: bytes, name: str) -> Sbom:
    import defusedxml.ElementTree as safe_tree
    from cyclonedx.model.bom import Bom
    from defusedxml import DefusedXmlException

    try:
        root = safe_tree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as error:
        raise SbomError(f"{name or 'SBOM'}: refused XML ({type(error).__name__})") from None
    except Exception as error:  # noqa: BLE001 (ParseError, expat's errors)
        raise SbomError(f"{name or 'SBOM'}: not well-formed XML ({_short(error)})") from None
    _check_depth(root, name)
    match_ns = re.match(r"\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}bom$", str(root.tag))
    if match_ns is None:
        raise SbomError(f"{name or 'SBOM'}: the XML root is not a CycloneDX bom")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bom = Bom.from_xml(root)  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 (the library raises what its code meets)
        raise SbomError(
            f"{name or 'SBOM'}: not a readable CycloneDX BOM ({_short(error)})"
        ) from None
    return _from_bom(bom, f"CycloneDX {match_ns.group(1)}", name)


def _check_depth(root: Element, name: str) -> None:
    stack = [(root, 1)]
    components = 0
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise SbomError(f"{name or 'SBOM'}: XML nested deeper than {MAX_XML_DEPTH}")
        if str(element.tag).endswith("}component"):
            components += 1
            if components > MAX_COMPONENTS:
                raise SbomError(f"{name or 'SBOM'}: more than {MAX_COMPONENTS} components")
        stack.extend((child, depth + 1) for child in element)


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _from_bom(bom: Any, fmt: str, name: str) -> Sbom:
    components: list[Component] = []
    seen: set[str] = set()
    top = bom.metadata.component if bom.metadata is not None else None
    everything = [top] if top is not None else []
    stack = list(bom.components)
    while stack:  # nested components, iteratively
        component = stack.pop(0)
        everything.append(component)
        stack.extend(component.components or ())
        if len(everything) > MAX_COMPONENTS:
            raise SbomError(f"{name or 'SBOM'}: more than {MAX_COMPONENTS} components")
    for index, component in enumerate(everything):
        ref = str(component.bom_ref.value or "") or f"component-{index + 1}"
        if ref in seen:
            continue
        seen.add(ref)
        supplier = component.supplier.name if component.supplier is not None else ""
        components.append(
            Component(
                ref=ref,
                name=str(component.name or ""),
                version=str(component.version or ""),
                supplier=str(supplier or component.publisher or ""),
                group=str(component.group or ""),
                purl=str(component.purl.to_string()) if component.purl is not None else "",
                cpe=str(component.cpe or ""),
                kind=_enum(component.type),
            )
        )
    dependencies = {
        str(d.ref.value): tuple(sorted(str(x.ref.value) for x in d.dependencies))
        for d in bom.dependencies
        if d.ref.value
    }
    vex = []
    for vulnerability in bom.vulnerabilities:
        analysis = vulnerability.analysis
        source = vulnerability.source.name if vulnerability.source is not None else ""
        vex.append(
            VexStatement(
                vulnerability=str(vulnerability.id or ""),
                refs=tuple(str(t.ref) for t in vulnerability.affects if t.ref),
                state=_enum(analysis.state) if analysis is not None else "",
                justification=_enum(analysis.justification) if analysis is not None else "",
                responses=tuple(sorted(_enum(r) for r in analysis.responses))
                if analysis is not None
                else (),
                detail=" ".join(str(analysis.detail or "").split()) if analysis is not None else "",
                source=str(source or ""),
            )
        )
    return Sbom(
        format=fmt,
        name=str(top.name or "") if top is not None else name,
        version=str(top.version or "") if top is not None else "",
        components=tuple(components),
        dependencies=dependencies,
        vex=tuple(vex),
    )


def _spdx2_json(document: dict[str, Any], name: str) -> Sbom:
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

    try:
        parsed = JsonLikeDictParser().parse(document)  # type: ignore[no-untyped-call]
    except SPDXParsingError as error:
        messages = "; ".join(error.get_messages()[:3])[:300]  # type: ignore[no-untyped-call]
        raise SbomError(f"{name or 'SBOM'}: not a valid SPDX document ({messages})") from None
    except Exception as error:  # noqa: BLE001 (the library raises what its code meets)
        raise SbomError(
            f"{name or 'SBOM'}: not a readable SPDX document ({_short(error)})"
        ) from None
    return _from_spdx2(parsed, name)


def _spdx2_tagvalue(text: str, name: str) -> Sbom:
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.tagvalue.parser import Parser

    try:
        # write_tables=False: ply would otherwise write its parse tables next to the library.
        parser = Parser(write_tables=False, debug=False, errorlog=_Silent())  # type: ignore[no-untyped-call]
        parsed = parser.parse(text)  # type: ignore[no-untyped-call]
    except SPDXParsingError as error:
        messages = "; ".join(error.get_messages()[:3])[:300]  # type: ignore[no-untyped-call]
        raise SbomError(f"{name or 'SBOM'}: not a valid SPDX document ({messages})") from None
    except Exception as error:  # noqa: BLE001 (the library raises what its code meets)
        raise SbomError(
            f"{name or 'SBOM'}: not a readable SPDX document ({_short(error)})"
        ) from None
    return _from_spdx2(parsed, name)


class _Silent:
    """ply's error log, kept quiet (a pure engine prints nothing)."""

    def warning(self, *args: Any, **kwargs: Any) -> None:
        return None

    def error(self, *args: Any, **kwargs: Any) -> None:
        return None

    def debug(self, *args: Any, **kwargs: Any) -> None:
        return None


def _from_spdx2(document: Any, name: str) -> Sbom:
    components = []
    for package in document.packages[:MAX_COMPONENTS]:
        purl = cpe = ""
        for reference in package.external_references:
            kind = str(reference.reference_type or "")
            if kind == "purl" and not purl:
                purl = str(reference.locator)
            elif kind in ("cpe23Type", "cpe22Type") and not cpe:
                cpe = str(reference.locator)
        supplier = getattr(package.supplier, "name", "") or ""
        components.append(
            Component(
                ref=str(package.spdx_id),
                name=str(package.name or ""),
                version=str(package.version or ""),
                supplier=str(supplier),
                purl=purl,
                cpe=cpe,
                kind=_enum(package.primary_package_purpose).lower().replace("_", "-"),
            )
        )
    dependencies: dict[str, list[str]] = {}
    for relation in document.relationships:
        kind = _enum(getattr(relation.relationship_type, "name", relation.relationship_type))
        source, target = str(relation.spdx_element_id), str(relation.related_spdx_element_id)
        if kind in ("DEPENDS_ON", "CONTAINS", "STATIC_LINK", "DYNAMIC_LINK"):
            dependencies.setdefault(source, []).append(target)
        elif kind in ("DEPENDENCY_OF", "CONTAINED_BY"):
            dependencies.setdefault(target, []).append(source)
    info = document.creation_info
    return Sbom(
        format=f"{info.spdx_version}",
        name=str(info.name or name),
        components=tuple(components),
        dependencies={k: tuple(sorted(set(v))) for k, v in dependencies.items()},
    )


def _spdx3_json(document: dict[str, Any], name: str) -> Sbom:
    """SPDX 3.0 JSON-LD: its ``software_Package`` elements and ``dependsOn``/``contains``
    relationships (the rest of the graph is not needed for matching)."""
    graph = document.get("@graph")
    if not isinstance(graph, list):
        raise SbomError(f"{name or 'SBOM'}: @graph is not a list")
    actors: dict[str, str] = {}
    for element in graph:
        if isinstance(element, dict) and str(element.get("type", "")) in (
            "Organization",
            "Person",
            "Agent",
        ):
            actors[str(element.get("spdxId", ""))] = _str(element.get("name"))
    components: list[Component] = []
    dependencies: dict[str, list[str]] = {}
    for element in graph:
        if not isinstance(element, dict):
            continue
        kind = str(element.get("type", ""))
        if kind == "software_Package":
            purl = _str(element.get("software_packageUrl"))
            cpe = ""
            for identifier in _list(element.get("externalIdentifier")):
                if not isinstance(identifier, dict):
                    continue
                id_kind = str(identifier.get("externalIdentifierType", ""))
                if id_kind == _SPDX3_PURL and not purl:
                    purl = _str(identifier.get("identifier"))
                elif id_kind in ("cpe23", "cpe22") and not cpe:
                    cpe = _str(identifier.get("identifier"))
            components.append(
                Component(
                    ref=_str(element.get("spdxId")) or f"package-{len(components) + 1}",
                    name=_str(element.get("name")),
                    version=_str(element.get("software_packageVersion")),
                    supplier=actors.get(_str(element.get("suppliedBy")), ""),
                    purl=purl,
                    cpe=cpe,
                    kind=_str(element.get("software_primaryPurpose")),
                )
            )
            if len(components) > MAX_COMPONENTS:
                raise SbomError(f"{name or 'SBOM'}: more than {MAX_COMPONENTS} components")
        elif kind in ("Relationship", "LifecycleScopedRelationship"):
            relation = str(element.get("relationshipType", ""))
            if relation in ("dependsOn", "contains", "hasStaticLink", "hasDynamicLink"):
                source = _str(element.get("from"))
                dependencies.setdefault(source, []).extend(
                    _str(t) for t in _list(element.get("to")) if _str(t)
                )
    return Sbom(
        format="SPDX-3.0",
        name=name,
        components=tuple(components),
        dependencies={k: tuple(sorted(set(v))) for k, v in dependencies.items()},
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- matching -------------------------------------------------------------------------------


def component_items(device: str, sbom: Sbom) -> list[InventoryItem]:
    """The components as inventory items ``<device>#<ref>`` (CPE, purl, supplier and name)."""
    items = []
    for component in sbom.components:
        if not (component.cpe or component.purl or component.supplier):
            continue
        items.append(
            InventoryItem(
                id=f"{device}#{component.ref}",
                manufacturer=component.supplier,
                model=component.name if component.supplier else "",
                version=component.version,
                cpe=component.cpe,
                purl=component.purl,
            )
        )
    return items


_COMPONENT = gettext_noop("component %(component)s (%(ref)s): %(why)s")


def _rewritten(verdict: Verdict, explanation: Text | str, **changes: str) -> Verdict:
    """The verdict with another explanation (its English ``why`` follows)."""
    return replace(verdict, explanation=explanation, **changes)


def _ref_fragment(ref: str) -> str:
    # A BOM-Link (urn:cdx:serial/version#bom-ref) names a component of another BOM by its ref.
    return ref.split("#", 1)[1] if ref.startswith("urn:cdx:") and "#" in ref else ref


def match_sbom(
    device: str,
    sbom: Sbom,
    advisories: Iterable[Advisory] = (),
    cves: Iterable[CveRecord] = (),
    aliases: Mapping[str, str] | None = None,
    vex: Sequence[VexStatement] = (),
) -> list[Verdict]:
    """Verdicts for a device from its SBOM's components; the SBOM's own VEX statements (and any
    given apart, e.g. a separate VEX document) override the status of those they name."""
    by_ref = {c.ref: c for c in sbom.components}
    by_purl = {purl_key(c.purl): c for c in sbom.components if purl_key(c.purl)}
    statements = [*sbom.vex, *vex]
    verdicts: list[tuple[Verdict, str]] = []
    for verdict in match(component_items(device, sbom), advisories, cves, aliases):
        ref = verdict.device.split("#", 1)[1]
        component = by_ref[ref]
        verdicts.append(
            (
                _rewritten(
                    verdict,
                    text(
                        _COMPONENT,
                        component=component.label,
                        ref=component.purl or component.cpe or ref,
                        why=verdict.explanation,
                    ),
                    device=device,
                    product_id=verdict.product_id or ref,
                ),
                ref,
            )
        )
    return _apply_vex(device, sbom, verdicts, statements, by_ref, by_purl)


def _statement_components(
    statement: VexStatement, by_ref: Mapping[str, Component], by_purl: Mapping[str, Component]
) -> list[Component] | None:
    """The components a statement names (None: the whole product / every component)."""
    if not statement.refs:
        return None
    found = []
    for ref in statement.refs:
        fragment = _ref_fragment(ref)
        component = by_ref.get(fragment) or by_purl.get(purl_key(fragment))
        if component is not None:
            found.append(component)
    return found


def _apply_vex(
    device: str,
    sbom: Sbom,
    verdicts: list[tuple[Verdict, str]],
    statements: Sequence[VexStatement],
    by_ref: Mapping[str, Component],
    by_purl: Mapping[str, Component],
) -> list[Verdict]:
    top = sbom.components[0] if sbom.components else None
    out = [verdict for verdict, _ in verdicts]
    owners = [ref for _, ref in verdicts]
    for statement in statements:
        cve = statement.vulnerability.upper() if _CVE.match(statement.vulnerability) else ""
        named = _statement_components(statement, by_ref, by_purl)
        if named is not None and not named:
            continue  # about components of another product
        refs = {c.ref for c in named} if named is not None else None
        applied = False
        for index, verdict in enumerate(out):
            if verdict.cve.upper() != (cve or statement.vulnerability.upper()):
                continue
            if refs is not None and owners[index] not in refs:
                continue
            applied = True
            out[index] = _rewritten(
                verdict,
                clauses(
                    verdict.explanation,
                    text(gettext_noop("overridden by %(vex)s"), vex=statement.explanation()),
                ),
                status=statement.status,
            )
        if applied:
            continue
        for component in named if named is not None else ([top] if top is not None else []):
            owners.append(component.ref)
            out.append(
                explained(
                    text(
                        _COMPONENT,
                        component=component.label,
                        ref=component.purl or component.cpe or component.ref,
                        why=text(
                            gettext_noop("%(vex)s for %(vulnerability)s"),
                            vex=statement.explanation(),
                            vulnerability=statement.vulnerability,
                        ),
                    ),
                    device=device,
                    advisory=statement.source or "VEX",
                    cve=cve,
                    product_id=component.ref,
                    status=statement.status,
                    source="sbom",
                )
            )
    return out


def dumps_components(sbom: Sbom) -> str:
    """The components as JSON (for storage alongside the device)."""
    return json.dumps(
        [
            {
                "ref": c.ref,
                "name": c.name,
                "version": c.version,
                "supplier": c.supplier,
                "group": c.group,
                "purl": c.purl,
                "cpe": c.cpe,
                "type": c.kind,
            }
            for c in sbom.components
        ],
        ensure_ascii=False,
    )
