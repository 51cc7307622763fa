"""Calendar arithmetic the rules use (never policy: the months come from parameters)."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """Same day N calendar months later; a day past the month's end becomes its last day."""
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
