"""Calendar days: deadlines, permit validity and due dates are dated in the academy's time zone."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo


@cache
def zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("TIMEZONE", "Asia/Shanghai"))


def today() -> date:
    return datetime.now(zone()).date()
