"""Liveness of the processes without HTTP: `worker` and `scheduler` beat into HEARTBEAT_FILE and
`server.cli heartbeat` (the probe infra/compose.yaml and infra/k8s run) answers from its age."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import Processes, wait_for

from server.cli import main


def probe(processes: Processes, beat: Path, max_age: str) -> Result:
    """The probe command as the orchestrator runs it, in this process (it only reads a file)."""
    runner = CliRunner()
    return runner.invoke(
        main, ["heartbeat", "--max-age", max_age], env=processes.env(HEARTBEAT_FILE=str(beat))
    )


async def test_the_probe_passes_while_each_process_beats_and_fails_once_it_stops(
    processes: Processes, redis_url: str, namespace: str, tmp_path: Path
) -> None:
    for role, extra in (
        ("scheduler", {"SCHEDULER_INTERVAL_SECONDS": "0.5"}),
        ("worker", {"REDIS_URL": redis_url, "REDIS_NAMESPACE": namespace}),
    ):
        beat = tmp_path / f"{role}.beat"
        before = probe(processes, beat, "60")
        assert before.exit_code == 1 and "no beat yet" in before.output

        proc = processes.start(role, HEARTBEAT_FILE=str(beat), **extra)

        async def beating(beat: Path = beat) -> bool:
            return await asyncio.to_thread(beat.exists)

        await wait_for(beating, seconds=60, what=f"the {role}'s first heartbeat")
        alive = probe(processes, beat, "30")
        assert alive.exit_code == 0, alive.output
        assert alive.output.startswith("alive: last beat")

        # A stopped (wedged) process beats no more: the probe fails once the limit passes.
        proc.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(2.5)
            dead = probe(processes, beat, "2")
            assert dead.exit_code == 1
            assert "last beat" in dead.output and "limit 2 s" in dead.output
        finally:
            proc.send_signal(signal.SIGCONT)


def test_the_probe_needs_the_heartbeat_file_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["heartbeat"],
        env={"HEARTBEAT_FILE": None, "DATA_DIR": str(tmp_path), "SECRET_KEY": "probe-test"},
    )
    assert result.exit_code == 2 and "Set HEARTBEAT_FILE" in result.output
