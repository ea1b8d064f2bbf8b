"""Front-desk use cases: the layer the TUI calls, never importing Textual."""
