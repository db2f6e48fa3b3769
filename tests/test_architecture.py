"""The layers of the code hold: the import contracts in pyproject.toml
(``[tool.importlinter]``: core's subpackages in order, the GUI above core, core
without Qt, no import circles) are all kept, function-level imports included."""

import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

LINT = ("import sys; from importlinter.cli import lint_imports;"
        "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")


def test_every_import_contract_is_kept(tmp_path):
    # From an empty folder, so the package checked is the one the tests import.
    result = subprocess.run([sys.executable, "-c", LINT, str(PYPROJECT)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
