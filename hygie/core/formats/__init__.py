"""One date, time and number format per language (FORMAT_MODULE_PATH; decision 0025).

Every page, PDF and export shows a date as ``6 déc. 2026`` / ``6 Dec. 2026`` and a time as
``14:05`` (24-hour), whatever format name a template asks for (DATE_FORMAT or
SHORT_DATE_FORMAT, DATETIME_FORMAT or SHORT_DATETIME_FORMAT); decimals take a comma in French.
Input formats are Django's (date inputs send ISO 8601, hygie.core.widgets).
"""
