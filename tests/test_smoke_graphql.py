"""The app answers as a signed-in demo user."""

from __future__ import annotations


async def test_viewer_as_institute_researcher(as_user):
    data = await as_user("iph.researcher")(
        "{ viewer { user { username } orgUnit { code } roles { role } } }"
    )
    assert data["viewer"]["user"]["username"] == "iph.researcher"
    assert data["viewer"]["orgUnit"]["code"] == "IPH"
    assert [r["role"] for r in data["viewer"]["roles"]] == ["RESEARCHER"]
