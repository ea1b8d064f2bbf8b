"""`ins-tui … --json | head -1`: a reader that goes away ends the command quietly.

Three ways of closing, through the installed console script: the pipe already closed when
the command writes (the error is certain: exit 141), a reader that takes one line and
closes, and the shell pipeline itself. None may leave a traceback on stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ins_tui.cli import EXIT_BROKEN_PIPE
from ins_tui.store import Store

INS_TUI = Path(sys.executable).with_name("ins-tui")
TRAITS = ["traits", "check", "--birth-name", "DUPONT", "--first-names", "JEAN PAUL",
          "--sex", "M", "--birth-date", "01/02/1980", "--json"]


@pytest.fixture
def commands(tmp_path: Path) -> dict[str, list[str]]:
    db = tmp_path / "cabinet.sqlite"
    Store.open(db).close()
    return {"db-check": [str(INS_TUI), "db", "check", "--db", str(db), "--json"],
            "traits-check": [str(INS_TUI), *TRAITS]}


def _quiet(stderr: str) -> None:
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


@pytest.mark.parametrize("name", ["db-check", "traits-check"])
def test_pipe_closed_before_the_output(commands: dict[str, list[str]], name: str) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        done = subprocess.run(commands[name], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    finally:
        os.close(write_end)
    _quiet(done.stderr)
    assert done.returncode == EXIT_BROKEN_PIPE


@pytest.mark.parametrize("name", ["db-check", "traits-check"])
def test_reader_takes_one_line_and_closes(commands: dict[str, list[str]], name: str) -> None:
    proc = subprocess.Popen(commands[name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == "{\n"
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.wait(timeout=60)
    _quiet(stderr)
    # The whole output may have fitted in the pipe before the close: 0 then, else 141.
    assert proc.returncode in (0, EXIT_BROKEN_PIPE)


def test_shell_pipeline_into_head(commands: dict[str, list[str]]) -> None:
    line = " ".join(f"'{part}'" for part in commands["db-check"]) + " | head -1"
    done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=60)
    assert done.stdout == "{\n"
    _quiet(done.stderr)
