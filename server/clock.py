"""Calendar days: deadlines, permit validity and due dates are dated in the academy's time zone."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo


@cache
def zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("TIMEZONE", "Asia/Shanghai"))


def today(now: datetime | None = None) -> date:
    """The calendar day in the academy's zone, now or at the aware instant `now`."""
    return (now or datetime.now(zone())).astimezone(zone()).date()
