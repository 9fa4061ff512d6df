"""Dutch date formats on top of Django's own (which it still falls back to). Dutch writes month
abbreviations in lower case ("28 mrt 2025", "di 24 nov"), so these use ``b`` where English has
``M``. Templates name them, e.g. ``|date:"SHORT_DATE_FORMAT"``; every name here is also in
config/formats/en/formats.py (a name a language lacks would be read as a format string)."""

SHORT_DATE_FORMAT = "j b Y"  # 28 mrt 2025
SHORT_DATETIME_FORMAT = "j b Y H:i"  # 28 mrt 2025 14:30
SECONDS_DATETIME_FORMAT = "j b Y H:i:s"  # 28 mrt 2025 14:30:05, where seconds matter
WEEKDAY_DATE_FORMAT = "D j b"  # di 24 nov
WEEKDAY_DATETIME_FORMAT = "D j b H:i"  # di 24 nov 14:30
MONTH_DAY_FORMAT = "j b"  # 24 nov
YEAR_MONTH_FORMAT = "b Y"  # dec 2025, on chart axes
