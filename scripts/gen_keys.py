"""Rewrite docs/keys.md and the README's « Touches » section from the app's bindings.

Run after adding or changing a key: `.venv/bin/python scripts/gen_keys.py`. The tests in
tests/tui/test_app_shell.py fail while either file differs from the bindings.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ins_tui.tui.keys import keys_markdown, with_readme_keys  # noqa: E402

(ROOT / "docs" / "keys.md").write_text(keys_markdown() + "\n", encoding="utf-8")
readme = ROOT / "README.md"
readme.write_text(with_readme_keys(readme.read_text(encoding="utf-8")), encoding="utf-8")
print("docs/keys.md et README.md (Touches) régénérés.")
