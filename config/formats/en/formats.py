"""Dates no reader can misread (issue 14): the month in words ("December 5, 2026"), or the
ISO 8601 numeric form ("2026-12-05"), never "12/05/2026", which a Canadian reader may take for
May 12 (Django's English default is m/d/Y). Django's English formats otherwise."""
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
