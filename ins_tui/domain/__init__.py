"""Pure identity-vigilance rules: no I/O, no Textual, no third-party I/O library."""
