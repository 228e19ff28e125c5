"""Every variable the settings read is documented in the README's configuration table, and
every command the deployment files run is in its CLI table."""

from __future__ import annotations

import re

from infra_support import COMMANDS, ROOT, settings_variables


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Operations")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = settings_variables() - documented
    assert not missing, f"README.md's configuration table lacks {sorted(missing)}"


def test_every_deployed_command_is_in_the_readme_cli_table() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = {m.split(" ")[0] for m in re.findall(r"^\| `([^`]+)` \|", readme, re.MULTILINE)}
    for command in [*COMMANDS.values(), ["heartbeat"]]:
        assert command[0] in rows, f"README.md's CLI table lacks {command[0]}"
