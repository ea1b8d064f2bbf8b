"""The `ins-tui` subcommands, one module each, registered by `ins_tui.cli`.

They exist for support staff and scripts: each runs the same layer code the desk uses
(never a copy of a rule), prints French, and maps outcomes to documented exit codes.
"""
