"""The oversight view carries the ratings table (R-EVAL) and the open early-warning signals,
in GraphQL and in the workbook, for the institutes in view only."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from server import clock
from server.auth.principal import SYSTEM
from server.db.engine import ALL_TENANTS, scope, session_factory
from server.evaluations import service as evaluations
from server.signals.evaluation import evaluate

LAST_YEAR = clock.today().year - 1
QUERY = """query($y: Int) { oversight { institutes { code }
  ratings(year: $y) { level score orgUnit { code } }
  warningSignals(first: 100) { total byLevel { level signals } signals { orgUnit { code } } } } }"""


async def test_R_EVAL_ratings_and_open_signals_show_in_oversight_and_its_workbook(academy):
    async with session_factory(academy.owner)() as session:
        await scope(session, ALL_TENANTS)
        run = await evaluations.run_evaluation(session, SYSTEM, year=LAST_YEAR, rubric_version=None)
        await evaluations.publish(session, SYSTEM, run.id)
        await evaluate(session)
        await session.commit()
    hq = await academy.api("hq.safety-committee-office")
    everything = (await hq(QUERY, {"y": LAST_YEAR}))["oversight"]
    codes = {u["code"] for u in everything["institutes"]}
    assert {r["orgUnit"]["code"] for r in everything["ratings"]} == codes
    scores = [r["score"] for r in everything["ratings"]]
    assert scores == sorted(scores, reverse=True)
    signals = everything["warningSignals"]
    assert signals["total"] == sum(b["signals"] for b in signals["byLevel"]) > 0
    # A branch sees its own institutes' ratings and signals, nothing of the other branch.
    branch = await academy.api("bj.supervisor")
    mine = (await branch(QUERY, {"y": LAST_YEAR}))["oversight"]
    own = {u["code"] for u in mine["institutes"]}
    assert own and own < codes
    assert {r["orgUnit"]["code"] for r in mine["ratings"]} == own
    assert {s["orgUnit"]["code"] for s in mine["warningSignals"]["signals"]} <= own
    # The workbook has both tables.
    response = await academy.client.get(
        "/exports/oversight.xlsx", headers={"authorization": f"Bearer {hq.token}"}
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book["年度评估 Ratings"].max_row == len(codes) + 1
    assert book["预警信号 Warning signals"].max_row == min(signals["total"], 200) + 1
