"""Production mode: no introspection, no GraphiQL, unexpected errors masked."""

from __future__ import annotations

import dataclasses

import httpx

from server.app import create_app


async def test_production_hides_introspection_and_graphiql(settings, owner_url, demo_users):
    app = create_app(dataclasses.replace(settings, production=True), owner_url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://prod") as client:
            response = await client.post(
                "/graphql", json={"query": "{ __schema { types { name } } }"}
            )
            assert response.status_code == 400
            assert "introspection" in response.text.lower()
            page = await client.get("/graphql", headers={"accept": "text/html"})
            assert "graphiql" not in page.text.lower()
            # Ordinary queries still work.
            ok = await client.post("/graphql", json={"query": "{ roles { role } }"})
            assert ok.status_code == 200 and len(ok.json()["data"]["roles"]) == 14
    finally:
        await app.state.engine.dispose()


async def test_development_serves_graphiql(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
