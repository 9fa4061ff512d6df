"""English date formats on top of Django's own: the same shapes as config/formats/nl/formats.py,
with the capitalised month abbreviation ``M`` ("28 Mar 2025", "Tue 24 Nov")."""

SHORT_DATE_FORMAT = "j M Y"  # 28 Mar 2025
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 28 Mar 2025 14:30
SECONDS_DATETIME_FORMAT = "j M Y H:i:s"  # 28 Mar 2025 14:30:05, where seconds matter
WEEKDAY_DATE_FORMAT = "D j M"  # Tue 24 Nov
WEEKDAY_DATETIME_FORMAT = "D j M H:i"  # Tue 24 Nov 14:30
MONTH_DAY_FORMAT = "j M"  # 24 Nov
YEAR_MONTH_FORMAT = "M Y"  # Dec 2025, on chart axes
