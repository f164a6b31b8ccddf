"""Dates no reader can misread (issue 14): the month in words ("5 décembre 2026"), or the
ISO 8601 numeric form Quebec's standard uses ("2026-12-05"), never "05/12/2026", which an
English reader takes for May 12. Django's French formats otherwise (FORMAT_MODULE_PATH)."""
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
