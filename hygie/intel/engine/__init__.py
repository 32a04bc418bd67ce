"""Pure intel engine: indicators, free text/CSV, STIX 2.1, MISP, conversion and IOC matching.

No Django and no I/O: every function takes text, bytes or dicts and returns values.
"""
