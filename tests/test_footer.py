"""The app's footer (tui/widgets/footer.py) shows what Textual's own Footer shows, while it updates its key widgets
in place as the focus moves between widgets with other keys."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from tui.widgets.footer import AppFooter

PAGES = Binding.Group("Pages")


class Grid(Widget, can_focus=True):
    BINDINGS = [
        Binding("left_square_bracket", "page(-1)", "Prev page", key_display="[", group=PAGES),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]", group=PAGES),
        Binding("enter", "open", "Open digit"),
        Binding("f", "filter", "Mismatches only"),
    ]


class Steps(Widget, can_focus=True):
    BINDINGS = [
        Binding("left", "step(-1)", "Previous digit", key_display="←"),
        Binding("right", "step(1)", "Next digit", key_display="→"),
        Binding("w", "worst", "Worst first"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "worst" else True  # shown, disabled


class Plain(Widget, can_focus=True):
    BINDINGS = [Binding("x", "export", "Export CSV", tooltip="writes a file")]


class FooterApp(App):
    BINDINGS = [Binding("question_mark", "help", "Help", key_display="?")]

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield Grid(id="grid")
        yield Steps(id="steps")
        yield Plain(id="plain")
        yield self.footer


def shown(footer: Footer) -> list[tuple]:
    """The footer's widgets as they look: kind, key, label, state, classes, tooltip, nested for a group."""

    def one(widget: Widget) -> tuple:
        classes = tuple(sorted(widget.classes))
        if isinstance(widget, FooterKey):
            tip = str(widget.tooltip) if widget.tooltip is not None else None
            return ("key", widget.key, widget.key_display, widget.description, widget.action, classes, tip)
        if isinstance(widget, KeyGroup):
            return ("group", classes, tuple(one(child) for child in widget.children))
        assert isinstance(widget, FooterLabel)
        return ("label", str(widget.content), classes)

    return [one(widget) for widget in footer.children]


async def footers_after(focus_order: list[str], compact: bool) -> tuple[list, list]:
    """What AppFooter and Textual's Footer show after the focus went through ``focus_order`` (each step settled)."""
    result = []
    for footer in (AppFooter(compact=compact), Footer(compact=compact)):
        app = FooterApp(footer)
        async with app.run_test(size=(120, 10)) as pilot:
            for widget_id in focus_order:
                app.query_one(f"#{widget_id}").focus()
                await pilot.pause()
                await pilot.pause()
            await pilot.pause(0.1)
            result.append(shown(footer))
    return result[0], result[1]


async def test_the_footer_shows_what_textuals_shows_as_the_focus_moves() -> None:
    for order in (["grid"], ["grid", "steps"], ["steps", "grid", "plain", "grid", "steps", "plain"]):
        for compact in (True, False):
            ours, textuals = await footers_after(order, compact)
            assert ours == textuals, (order, compact)


async def test_keys_of_the_same_kind_are_updated_in_place_not_mounted_anew() -> None:
    footer = AppFooter(compact=True)
    app = FooterApp(footer)
    async with app.run_test(size=(120, 10)) as pilot:
        app.query_one("#grid").focus()
        await pilot.pause(0.1)
        before = {id(key) for key in footer.query(FooterKey) if not key.has_class("-grouped")}
        app.query_one("#steps").focus()  # the group goes, plain keys stay keys
        await pilot.pause(0.1)
        after = {id(key) for key in footer.query(FooterKey)}
        assert before <= after
        assert [key.key for key in footer.query(FooterKey)] == ["left", "right", "w", "question_mark", "ctrl+p"]
