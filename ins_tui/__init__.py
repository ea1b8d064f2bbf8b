"""ins-tui: the front desk of a French medical practice, in a terminal.

Importing the package root stays cheap: sub-packages load their heavy
dependencies (textual, zeep, lxml, smartcard) only where they are used.
"""

__version__ = "0.1.0"
