"""Threat intelligence (issue 14): indicators, STIX 2.1 / MISP exchange, IOC matching.

Only the pure engine (``hygie.intel.engine``) and the engine command (``hygie.intel.cli``) exist
so far; the Django app (module manifest, models, views, API, TAXII) wraps them later.
"""
