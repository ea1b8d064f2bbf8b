import sys

from ins_tui.cli import main

sys.exit(main())
