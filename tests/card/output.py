"""Reading the rest of a CLI process's output after `readline()` calls."""

from __future__ import annotations

import subprocess


def rest_of_output(process: subprocess.Popen[str], timeout: float) -> str:
    """Everything the process still prints until it ends, including what an earlier
    `readline()` already pulled into Python's buffer.

    `communicate(timeout=...)` reads the raw pipe and silently drops that buffer: a
    `card watch` that printed « Carte insérée » right after « Lecteurs » (a card still
    seen from the previous test) lost the line, about one run in four. The processes
    read here end by themselves (`--seconds`) and print a few kilobytes at most, so
    waiting before reading cannot fill the pipe.
    """
    process.wait(timeout=timeout)
    assert process.stdout is not None
    return process.stdout.read()
