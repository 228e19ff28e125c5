"""Row-level security: the database itself keeps tenants apart, whatever the code forgets."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from server.db.engine import ALL_TENANTS, scope
from server.db.models import Base
from server.tenancy.models import OrgUnit, User

# `logins` maps a global sign-in name to its tenant; the app role cannot read it at all.
GLOBAL_DIRECTORIES = {"logins"}
TENANT_TABLES = [
    t.name
    for t in Base.metadata.sorted_tables
    if "tenant_id" in t.c and t.name not in GLOBAL_DIRECTORIES
]


async def _units(session) -> dict[str, object]:
    await scope(session, ALL_TENANTS)
    rows = await session.execute(select(OrgUnit.code, OrgUnit.id))
    return dict(rows.all())


async def test_unfiltered_query_as_app_role_returns_only_visible_rows(sessions):
    """A query with no tenant filter, run as the application role, sees only its tenants."""
    async with sessions() as session:
        units = await _units(session)
        await session.rollback()
        await scope(session, [units["IPH"]])
        tenants = set(
            (await session.execute(text("SELECT DISTINCT tenant_id FROM users"))).scalars()
        )
        assert tenants == {units["IPH"]}
        # No tenant set at all: nothing.
        await session.rollback()
        assert (await session.execute(select(User))).first() is None
        # The setting is transaction-local: after commit the next transaction starts empty.
        await scope(session, ALL_TENANTS)
        assert (await session.execute(select(User))).first() is not None
        await session.commit()
        assert (await session.execute(select(User))).first() is None
        await session.rollback()


async def test_app_role_cannot_write_into_an_invisible_tenant(sessions):
    async with sessions() as session:
        units = await _units(session)
        await session.rollback()
        await scope(session, [units["IPH"]])
        try:
            await session.execute(
                text(
                    "INSERT INTO departments (tenant_id, id, name, kind) "
                    "VALUES (:t, gen_random_uuid(), 'smuggled', 'research')"
                ),
                {"t": units["IOC"]},
            )
            raise AssertionError("insert into another tenant was accepted")
        except Exception as exc:
            assert "row-level security" in str(exc)
        await session.rollback()


async def test_institute_sees_only_its_own_institute_among_org_units(sessions):
    async with sessions() as session:
        units = await _units(session)
        await session.rollback()
        await scope(session, [units["IPH"]])
        codes = set((await session.execute(select(OrgUnit.code))).scalars())
        assert codes == {"HQ", "BJ", "SH", "IPH"}
        await session.rollback()


async def test_every_tenant_table_has_forced_rls_and_tenant_leading_keys(owner_engine):
    """Ready for Citus: tenant_id leads every key; RLS is enabled and FORCED everywhere."""
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:names)"
            ),
            {"names": TENANT_TABLES},
        )
        flags = {r.relname: (r.relrowsecurity, r.relforcerowsecurity) for r in rows}
        assert flags == {t: (True, True) for t in TENANT_TABLES}

        def keys(sync_conn):
            insp = inspect(sync_conn)
            out = {}
            for table in TENANT_TABLES:
                pk = insp.get_pk_constraint(table)["constrained_columns"]
                uniques = [u["column_names"] for u in insp.get_unique_constraints(table)]
                fks = [
                    (f["constrained_columns"], f["referred_table"], f["referred_columns"])
                    for f in insp.get_foreign_keys(table)
                ]
                out[table] = (pk, uniques, fks)
            return out

        for table, (pk, uniques, fks) in (await conn.run_sync(keys)).items():
            assert pk[0] == "tenant_id", table
            for cols in uniques:
                assert cols[0] == "tenant_id", (table, cols)
            for cols, referred, referred_cols in fks:
                if referred in TENANT_TABLES:
                    assert "tenant_id" in cols and "tenant_id" in referred_cols, (table, cols)


async def test_app_role_has_no_bypass_and_owns_nothing(owner_engine, settings):
    async with owner_engine.connect() as conn:
        role = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": settings.app_db_role},
            )
        ).one()
        assert (role.rolsuper, role.rolbypassrls) == (False, False)
        owned = await conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"),
            {"r": settings.app_db_role},
        )
        assert owned == 0


async def test_app_role_cannot_read_the_login_directory(sessions):
    """Sign-in names are only reachable through auth_find_login(), one exact name at a time."""
    async with sessions() as session:
        try:
            await session.execute(text("SELECT * FROM logins"))
            raise AssertionError("the app role listed every sign-in name")
        except Exception as exc:
            assert "permission denied" in str(exc)
        await session.rollback()
        found = (
            await session.execute(text("SELECT * FROM auth_find_login('iph.researcher')"))
        ).all()
        assert len(found) == 1
        await session.rollback()
