"""The app's themes and the rule that picks one for the terminal at hand.

Every colour in `app.tcss` is a theme variable, so swapping the theme is the only
thing needed on a Linux console (16 colours, bright shades shown as normal ones):
the `ins-tui-16` theme uses the terminal's own palette and never relies on a
bright/normal contrast to carry meaning.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.theme import Theme

DARK = "ins-tui-dark"
LIGHT = "ins-tui-light"
SIXTEEN = "ins-tui-16"

THEMES: tuple[Theme, ...] = (
    Theme(
        name=DARK,
        primary="#3b82c4",
        secondary="#5aa9a3",
        accent="#e0a526",
        warning="#e0a526",
        error="#e05252",
        success="#4fae5b",
        foreground="#e6e6e6",
        background="#1b1d21",
        surface="#24272d",
        panel="#2e323a",
        dark=True,
        variables={"footer-key-foreground": "#e0a526"},
    ),
    Theme(
        name=LIGHT,
        primary="#1f5fa0",
        secondary="#2f7d77",
        accent="#9a6400",
        warning="#9a6400",
        error="#b3261e",
        success="#2e7d32",
        foreground="#1b1d21",
        background="#f7f7f5",
        surface="#ececea",
        panel="#dedfdb",
        dark=False,
    ),
    Theme(
        name=SIXTEEN,
        ansi=True,
        primary="ansi_blue",
        secondary="ansi_cyan",
        accent="ansi_yellow",
        warning="ansi_yellow",
        error="ansi_red",
        success="ansi_green",
        foreground="ansi_default",
        background="ansi_default",
        surface="ansi_default",
        panel="ansi_default",
        boost="ansi_default",
        dark=True,
        variables={
            "ansi-background": "ansi_black",
            "ansi-foreground": "ansi_white",
            "border-blurred": "ansi_white",
            "block-cursor-foreground": "ansi_black",
            "block-cursor-background": "ansi_white",
            "block-cursor-blurred-foreground": "ansi_black",
            "block-cursor-blurred-background": "ansi_white",
            "input-cursor-background": "ansi_white",
            "input-cursor-foreground": "ansi_black",
            "input-selection-background": "ansi_blue",
            "footer-key-foreground": "ansi_yellow",
            "footer-background": "ansi_default",
            "footer-foreground": "ansi_default",
            "scrollbar": "ansi_white",
            "scrollbar-background": "ansi_black",
            "scrollbar-hover": "ansi_white",
            "scrollbar-active": "ansi_white",
        },
    ),
)

THEME_NAMES = tuple(theme.name for theme in THEMES)


def pick_theme(configured: str, environ: Mapping[str, str]) -> str:
    """`auto` means 16 colours on the Linux console (or a 16-colour request), dark elsewhere.

    The console's framebuffer cannot show truecolour and turns bright shades into normal
    ones, so an RGB theme there would lose contrast; elsewhere the RGB theme is safer to
    read. An unknown configured name falls back to `auto` rather than refusing to start.
    """
    if configured in THEME_NAMES:
        return configured
    term = environ.get("TERM", "")
    colour_system = environ.get("TEXTUAL_COLOR_SYSTEM", "")
    if term == "linux" or term.startswith("vt") or colour_system == "standard":
        return SIXTEEN
    return DARK
