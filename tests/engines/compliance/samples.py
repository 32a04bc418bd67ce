"""A tiny, made-up library (two frameworks, three controls, two mappings) for the engine tests."""

from __future__ import annotations

CONTROLS = """\
format: hygie-controls/1
controls:
  - id: hygie.identity.mfa
    title: {fr: Double facteur, en: Two factors}
    description: {fr: Un second facteur., en: A second factor.}
  - id: hygie.continuity.backup
    title: {fr: Sauvegardes, en: Backups}
    description: {fr: Des sauvegardes., en: Backups exist.}
  - id: hygie.assets.inventory
    title: {fr: Inventaire, en: Inventory}
    description: {fr: Un inventaire., en: An inventory.}
"""

ALPHA = """\
format: hygie-framework/1
framework:
  id: alpha
  urn: urn:hygie:framework:alpha
  name: {fr: Référentiel Alpha, en: Alpha framework}
  version: "1"
  publication_date: "2026-01-15"
  provider: Exemple
  source_url: https://example.org/alpha
  licence_note: Made up for tests.
  locales: [fr, en]
requirements:
  - urn: urn:hygie:req:alpha:1
    ref_id: A-1
    assessable: false
    title: {fr: Chapitre 1, en: Chapter 1}
    verification_status: verified
  - urn: urn:hygie:req:alpha:1.1
    ref_id: A-1.1
    parent: urn:hygie:req:alpha:1
    assessable: true
    title: {fr: Authentification forte, en: Strong authentication}
    description: {fr: Les administrateurs utilisent deux facteurs., en: Admins use two factors.}
    verification_status: verified
    attributes: {implementation: required, sizes: [small, large]}
  - urn: urn:hygie:req:alpha:1.2
    ref_id: A-1.2
    parent: urn:hygie:req:alpha:1
    assessable: true
    title: {fr: Sauvegardes, en: Backups}
    verification_status: unverified
"""

BETA = """\
format: hygie-framework/1
framework:
  id: beta
  urn: urn:hygie:framework:beta
  name: {fr: Référentiel Bêta, en: Beta framework}
  version: "2"
  provider: Exemple
  locales: [fr, en]
requirements:
  - urn: urn:hygie:req:beta:x
    ref_id: B-X
    assessable: true
    title: {fr: Accès, en: Access}
    verification_status: verified
"""

ALPHA_TO_CONTROLS = """\
format: hygie-mapping/1
mapping:
  id: alpha-to-controls
  source: alpha
  target: controls
entries:
  - source: urn:hygie:req:alpha:1.1
    target: hygie.identity.mfa
    relation: equal
  - source: urn:hygie:req:alpha:1.2
    target: hygie.continuity.backup
    relation: subset
"""

ALPHA_TO_BETA = """\
format: hygie-mapping/1
mapping:
  id: alpha-to-beta
  source: alpha
  target: beta
entries:
  - source: urn:hygie:req:alpha:1.1
    target: urn:hygie:req:beta:x
    relation: subset
    rationale: {fr: Bêta couvre plus large., en: Beta is broader.}
"""


def library_files(**changes: str | None) -> dict[str, str]:
    """The sample library as ``{relative path: text}``; a keyword (``alpha=...``) replaces one
    file's text, or removes it when None."""
    files = {
        "controls.yaml": CONTROLS,
        "frameworks/alpha.yaml": ALPHA,
        "frameworks/beta.yaml": BETA,
        "mappings/alpha-to-controls.yaml": ALPHA_TO_CONTROLS,
        "mappings/alpha-to-beta.yaml": ALPHA_TO_BETA,
    }
    names = {
        "controls": "controls.yaml",
        "alpha": "frameworks/alpha.yaml",
        "beta": "frameworks/beta.yaml",
        "alpha_to_controls": "mappings/alpha-to-controls.yaml",
        "alpha_to_beta": "mappings/alpha-to-beta.yaml",
    }
    for key, text in changes.items():
        if text is None:
            files.pop(names[key])
        else:
            files[names[key]] = text
    return files


# A made-up framework in CISO Assistant's published library format (not one of their libraries).
CISO_LIBRARY = """\
urn: urn:example:risk:library:tiny-clinic
locale: en
ref_id: TINY-CLINIC
name: Tiny clinic security baseline
description: A made-up baseline for tests.
copyright: Made up for Hygie's tests
version: 3
publication_date: 2026-02-01
provider: Example provider
packager: example
translations:
  fr:
    name: Socle de sécurité de la petite clinique
    description: Un socle inventé pour les tests.
objects:
  framework:
    urn: urn:example:risk:framework:tiny-clinic
    ref_id: TINY-CLINIC
    name: Tiny clinic security baseline
    description: Three chapters, made up.
    translations:
      fr:
        name: Socle de sécurité de la petite clinique
        description: Trois chapitres, inventés.
    requirement_nodes:
      - urn: urn:example:risk:req_node:tiny-clinic:gov
        assessable: false
        depth: 1
        ref_id: GOV
        name: Governance
        translations:
          fr: {name: Gouvernance}
      - urn: urn:example:risk:req_node:tiny-clinic:gov.1
        assessable: true
        depth: 2
        parent_urn: urn:example:risk:req_node:tiny-clinic:gov
        ref_id: GOV.1
        name: Security officer named
        description: Someone is in charge of security.
        annotation: Ask for the appointment letter.
        implementation_groups: [small, large]
        translations:
          fr:
            name: Responsable sécurité désigné
            description: Quelqu'un est chargé de la sécurité.
      - urn: urn:example:risk:req_node:tiny-clinic:gov.2
        assessable: true
        depth: 2
        ref_id: GOV 2
        description: A node without a name nor a parent_urn, under GOV by its depth.
        translations:
          fr: {description: Un nœud sans nom ni parent_urn, sous GOV par sa profondeur.}
      - urn: urn:example:risk:req_node:tiny-clinic:ops
        assessable: false
        depth: 1
        name: Operations
        translations:
          fr: {name: Exploitation}
      - urn: urn:example:risk:req_node:tiny-clinic:ops:node1
        assessable: true
        depth: 2
        parent_urn: urn:example:risk:req_node:tiny-clinic:ops
        ref_id: 1.10
        name: Backups tested
        translations:
          de: {name: Sicherungen getestet}
          fr: {name: Sauvegardes testées}
"""
