"""The app's footer: Textual's, with its key widgets updated in place when the keys shown change.

Textual's Footer removes and mounts all its key widgets (styling each anew) whenever the screen's bindings may have
changed: every focus change and every ``refresh_bindings()``. A More tab view switch focuses a widget with other keys,
and that rebuild (35–70 ms of CPU under load at 200×60, after the frame but in the way of the next key) was most of
the key's time (``benchmarks/bench_tabs.py``). This footer shows the same widgets as Textual's ``compose`` (a
``KeyGroup`` and its ``FooterLabel`` per binding group, a ``FooterKey`` per action, the command palette's key docked
right) but keeps those it has: a widget of the kind needed takes the new key, label and state in place; only the
widgets of kinds it lacks are mounted and those left over removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.await_remove import AwaitRemove
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup


@dataclass(frozen=True)
class KeySpec:
    """One ``FooterKey``: what it shows and does; ``classes`` is "", "-grouped" or "-command-palette"."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool
    tooltip: str
    classes: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """A ``KeyGroup`` of a binding group's keys (its ``FooterLabel`` is the next item)."""

    compact: bool
    keys: tuple[KeySpec, ...]


@dataclass(frozen=True)
class LabelSpec:
    text: str


Item = KeySpec | GroupSpec | LabelSpec


def footer_items(footer: Footer, screen: Screen) -> tuple[Item, ...]:
    """The footer's widgets, in order, as Textual 8's ``Footer.compose`` makes them for ``screen``'s bindings."""
    app = footer.app
    active = screen.active_bindings
    by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for _, binding, enabled, tooltip in active.values():
        if binding.show:
            by_action[binding.action].append((binding, enabled, tooltip))
    items: list[Item] = []
    for group, same_group in groupby(by_action.values(), lambda bindings: bindings[0][0].group):
        firsts = [bindings[0] for bindings in same_group]
        if group is not None and len(firsts) > 1:
            keys = tuple(
                KeySpec(b.key, app.get_key_display(b), "", b.action, not on, tip or b.description, "-grouped")
                for b, on, tip in firsts
            )
            items += [GroupSpec(group.compact, keys), LabelSpec(group.description)]
        else:
            items += [
                KeySpec(b.key, app.get_key_display(b), b.description, b.action, not on, tip) for b, on, tip in firsts
            ]
    if footer.show_command_palette and app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _, b, on, _ = active[app.COMMAND_PALETTE_BINDING]
        items.append(
            KeySpec(
                b.key,
                app.get_key_display(b),
                b.description,
                b.action,
                not on,
                b.tooltip or b.description,
                "-command-palette",
            )
        )
    return tuple(items)


def _kind(item: Item) -> tuple:
    """The widget an item needs: a widget of the same kind is reused with only its content changed."""
    if isinstance(item, KeySpec):
        return ("key", item.classes)
    if isinstance(item, GroupSpec):
        return ("group", len(item.keys))
    return ("label",)


class AppFooter(Footer):
    """A Footer whose key widgets are updated in place, not rebuilt, when the keys it shows change."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: list[tuple[Item, Widget]] = []  # the children and what each shows, in order
        self._sync_pending = False

    def compose(self) -> ComposeResult:
        # the widgets come from _sync; a recompose (which removes them) starts it afresh
        self._shown = []
        if self._bindings_ready:
            self._schedule_sync()
        return []

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._schedule_sync()

    def _schedule_sync(self) -> None:
        # after the frame, like Textual's recompose: what moved the focus shows first, and the two or three binding
        # changes of one focus change come to one update
        if not self._sync_pending:
            self._sync_pending = True
            self.call_after_refresh(self._sync)

    async def _sync(self) -> None:
        self._sync_pending = False
        if not self.is_attached or not self.app.app_focus:
            return
        items = footer_items(self, self.screen)
        if items == tuple(item for item, _ in self._shown):
            return
        old, shown, new = self._shown, [], []
        changes: list[AwaitMount | AwaitRemove] = []
        at = 0
        for item in items:
            kind = _kind(item)
            match = next((j for j in range(at, len(old)) if _kind(old[j][0]) == kind), None)
            if match is None:
                new.append(self._make(item))
                shown.append((item, new[-1]))
                continue
            changes += [widget.remove() for _, widget in old[at:match]]
            before, widget = old[match]
            if new:
                changes.append(self.mount_all(new, before=widget))
                new = []
            if item != before:
                _update(widget, before, item)
            shown.append((item, widget))
            at = match + 1
        changes += [widget.remove() for _, widget in old[at:]]
        if new:
            changes.append(self.mount_all(new))
        self._shown = shown  # before waiting: a sync meanwhile starts from here
        # the removals and mounts end in several turns of the event loop, each asking for a layout: held in one batch,
        # they come to one layout and one frame
        with self.app.batch_update():
            for change in changes:
                await change

    def _make(self, item: Item) -> Widget:
        if isinstance(item, LabelSpec):
            return FooterLabel(item.text)
        if isinstance(item, GroupSpec):
            return KeyGroup(*(self._make_key(k) for k in item.keys), classes="-compact" if item.compact else "")
        return self._make_key(item)

    def _make_key(self, spec: KeySpec) -> FooterKey:
        palette = spec.classes == "-command-palette"
        compact = palette or self.compact  # a FooterKey's own default is compact
        # made with the class its compact gives it, so that setting compact when it mounts restyles nothing
        classes = f"{spec.classes} -compact" if compact else spec.classes
        key = FooterKey(spec.key, spec.key_display, spec.description, spec.action, spec.disabled, spec.tooltip, classes)
        # the palette key is not bound to the footer's compact, as in Textual's compose
        return key if palette else key.data_bind(compact=Footer.compact)


def _update(widget: Widget, before: Item, item: Item) -> None:
    """Make ``widget``, which shows ``before``, show ``item`` (of the same kind) as a widget made for it would."""
    if isinstance(item, LabelSpec):
        assert isinstance(widget, FooterLabel)
        widget.update(item.text)
    elif isinstance(item, GroupSpec):
        assert isinstance(widget, KeyGroup) and isinstance(before, GroupSpec)
        widget.set_class(item.compact, "-compact")
        for key, old, new in zip(widget.children, before.keys, item.keys, strict=True):
            if old != new:
                assert isinstance(key, FooterKey)
                _update_key(key, old, new)
    else:
        assert isinstance(widget, FooterKey) and isinstance(before, KeySpec)
        _update_key(widget, before, item)


def _update_key(key: FooterKey, before: KeySpec, spec: KeySpec) -> None:
    """Show ``spec`` in ``key``, which shows ``before``: a layout only if its width may change."""
    key.key, key.key_display, key.description, key.action = spec.key, spec.key_display, spec.description, spec.action
    key._disabled = spec.disabled  # FooterKey keeps it there (its mouse handler rings the bell when set)
    key.set_class(spec.disabled, "-disabled")
    if spec.tooltip != before.tooltip:
        key.tooltip = spec.tooltip or None
    if (spec.key_display, spec.description) != (before.key_display, before.description):
        widths = (cell_len(spec.key_display), cell_len(spec.description))
        key.refresh(layout=widths != (cell_len(before.key_display), cell_len(before.description)))
