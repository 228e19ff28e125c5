"""Notice texts in the reader's language: Chinese by default, English for users who chose it.

Titles come from the routing table; the body lists the details the event carries, with the
guidance's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.notices.routing import ROUTES

LOCALES = ("zh", "en")

# Detail lines, in the order shown: param → (Chinese label, English label).
DETAILS: dict[str, tuple[str, str]] = {
    "unit": ("单位", "Unit"),
    "project": ("项目", "Project"),
    "hazard": ("风险隐患", "Hazard"),
    "incident": ("事件事故", "Incident"),
    "severity": ("等级", "Severity"),
    "measure": ("防范措施", "Measure"),
    "deadline": ("整改期限", "Deadline"),
    "days": ("逾期天数", "Days overdue"),
    "due": ("应检查日期", "Due"),
    "valid_until": ("许可有效期至", "Permit valid until"),
    "decision": ("结论", "Decision"),
    "state": ("状态", "State"),
    "reason": ("原因", "Reason"),
    "subject": ("对象", "Subject"),
    "year": ("年度", "Year"),
    "level": ("等级", "Level"),
}


# Coded values shown in words (R-EVAL's colours, review and handling decisions).
WORDS: dict[str, tuple[str, str]] = {
    "blue": ("蓝色", "blue"),
    "yellow": ("黄色", "yellow"),
    "orange": ("橙色", "orange"),
    "red": ("红色", "red"),
    "pass": ("通过", "passed"),
    "return": ("退回修改", "returned for changes"),
    "fail": ("不通过", "failed"),
    "general": ("一般", "general"),
    "major": ("重大", "major"),
    "especially_major": ("特别重大", "especially major"),
    "recorded": ("已备案", "recorded"),
    "argumentation_required": ("需论证和审批", "argumentation and approval required"),
    "suspend_project": ("暂停项目", "suspend the project"),
    "ban": ("限制申报新项目", "stop new projects"),
    "no_action": ("不予处理", "no action"),
    "approve": ("同意发布", "approved for release"),
    "approve_with_changes": ("修改后发布", "release after changes"),
    "not_for_release": ("不予发布", "not for release"),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def render(topic: str, params: dict[str, Any], locale: str) -> Text:
    english = locale == "en"
    route = ROUTES.get(topic)
    template = (route.en if english else route.zh) if route else topic
    values = _Blank(
        {k: WORDS[v][1 if english else 0] if isinstance(v, str) and v in WORDS else v
         for k, v in params.items()}
    )  # fmt: skip
    if english and "unit_en" in params:
        values["unit"] = params["unit_en"]
    title = template.format_map(values)
    lines = []
    for key, (zh, en) in DETAILS.items():
        value = values.get(key)
        if value not in (None, ""):
            lines.append(f"{en if english else zh}: {value}" if english else f"{zh}：{value}")
    return Text(title=title, body="\n".join(lines))
