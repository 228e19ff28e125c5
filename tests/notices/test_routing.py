"""The routing table (who is told what) against the code and the guidance."""

from __future__ import annotations

import re
from pathlib import Path

from server.incidents.models import UpdateKind
from server.notices import routing
from server.notices.routing import ROUTES
from server.projects import lifecycle
from server.reminders import scans
from server.rules import RULE_IDS

ROOT = Path(__file__).resolve().parents[2]


def _emitted_topics() -> set[str]:
    """Every topic the code emits: literal ones, and the two families built from names."""
    found = set()
    for path in (ROOT / "server").rglob("*.py"):
        found.update(re.findall(r'topic="([a-z_]+\.[a-z_]+)"', path.read_text()))
    found.update(f"project.{name}" for name in lifecycle.TRANSITIONS)
    found.update(f"incident.{kind.value}" for kind in UpdateKind)
    found.update(scans.TOPICS)
    return found - {"notice.email", "notice.webhook"}


def test_every_emitted_topic_has_a_route():
    missing = sorted(_emitted_topics() - set(ROUTES))
    assert not missing, f"events nobody routes: {missing}"


def test_every_route_is_for_a_topic_the_code_emits():
    assert not sorted(set(ROUTES) - _emitted_topics())


def test_routes_cite_rules_and_have_both_languages():
    for route in ROUTES.values():
        cited = {r.strip() for r in route.rules.split(",")}
        assert cited <= RULE_IDS, (route.topic, cited - RULE_IDS)
        assert route.zh and route.en and route.zh != route.en


def test_the_guidance_routes_of_issue_6():
    """The routes the issue names, checked one by one."""

    def who(topic: str) -> set[str]:
        return {a.describe() for a in ROUTES[topic].audiences}

    assert "the approving body" in " ".join(who("assessment.submitted"))  # reviewers
    assert who("assessment.reviewed") == {"undertakers"}
    assert {"HQ safety committee office", "HQ business department"} <= who(
        "project.sensitive_field"
    )
    assert who("project.filing_submitted") == {"HQ business department"}
    assert who("incident.reported") == {
        "the branch academy's branch supervisor",
        "HQ safety committee office",
    }
    assert who("incident.major") == {"HQ hq coordination group"}
    for topic in ("hazard.assigned", "hazard.supervised"):
        assert who(topic) == {"hazard owner", "the unit's coordination leader"}
    assert who("hazard.handling_recommended") == {"HQ business department"}


def test_readme_shows_the_routing_table():
    assert routing.render_markdown() in (ROOT / "README.md").read_text(), (
        "README routing table is stale: paste `python -m server.cli notices routes`"
    )


def test_coded_values_read_as_words_in_each_language():
    from server.notices.messages import render

    params = {"incident": "泄漏", "unit": "物理所", "unit_en": "IPH", "severity": "major"}
    assert "等级：重大" in render("incident.major", params, "zh").body
    assert "Severity: major" in render("incident.major", params, "en").body
    rated = render("evaluation.warning", {"unit": "物理所", "year": 2025, "level": "red"}, "zh")
    assert rated.title == "警示通报：物理所 2025 年度评估为红色"
