"""The Textual app: header naming the data, one tab per step of the study, footer with the keys."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from engine.data import Dataset, DataSpec, load_dataset
from engine.errors import ExplorerError
from engine.follow import RunsListed, RunWatcher
from engine.store import Run, RunStore
from tui.app_screen import AppScreen
from tui.context import TabContext
from tui.deferred import DeferredTab
from tui.help import HelpScreen, declared_here
from tui.messages import DataReady, DatasetLoaded, RunUpdates
from tui.tab_base import TabBase
from tui.tabs import TABS
from tui.widgets.app_tabs import AppTabs
from tui.widgets.footer import AppFooter

MIN_WIDTH, MIN_HEIGHT = 80, 24
FOLLOW_GROUP = "follow"  # the app's one store follower: it runs as long as the app
SETTLE_S = 1.0  # after the data loaded, start-up is over: what exists then lives as long as the app
# once settled: allocations between young collections (Python's default: 700), young collections between middle
# ones (default 10) and middle ones between full ones (default 10; 30 x 3 keeps the full ones as rare as 10 x 10)
GC_THRESHOLDS = (20_000, 3, 30)


class MnistExplorerApp(App[int]):
    """mnist-explorer. ``data`` says what to load; ``store_path`` which run store to follow."""

    TITLE = "mnist-explorer"
    AUTO_FOCUS = "TabPane *"  # keys go to the shown tab's first focusable widget, not to the tab bar
    CSS_PATH = [
        Path(__file__).with_name("app.tcss"),
        *(path for tab in TABS for path in tab.css_paths),
        *sorted(Path(__file__).parent.glob("widgets/*.tcss")),
    ]
    BINDINGS = [
        Binding("q", "quit", "Quit", show=False, id="quit"),  # in ? help; the footer's 80 columns go to the tab's keys
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        *(
            Binding(f"f{i}", f"show_tab('{tab.id}')", tab.title, show=False, id=f"tab-{tab.id}")
            for i, tab in enumerate(TABS, start=1)
        ),
    ]

    dataset: reactive[Dataset | None] = reactive(None)
    data_error: reactive[str | None] = reactive(None)  # why the data could not be loaded, if it could not
    runs: reactive[list[Run]] = reactive(list, always_update=True)

    def __init__(
        self, data: DataSpec | None = None, store_path: Path | str | None = None, poll_interval: float = 0.25
    ) -> None:
        super().__init__()
        self.data_spec = data or DataSpec()
        self.store_path = store_path
        self.poll_interval = poll_interval
        self.store: RunStore | None = None
        self._watcher: RunWatcher | None = None
        self._gc_threshold: tuple[int, int, int] | None = None  # the collector's thresholds before _settle_gc
        self.context = TabContext(self.data_spec, None, self._poke_watcher)

    def get_default_screen(self) -> Screen:
        return AppScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        with AppTabs(id="tabs"):
            for index, tab in enumerate(TABS):
                with TabPane(tab.title, id=tab.id):
                    yield tab.widget_class(self.context) if index == 0 else DeferredTab(tab, self.context)
        yield Static(id="too-small")
        yield AppFooter(compact=True)  # the shown tab's keys and ? fit in 80 columns

    def on_mount(self) -> None:
        self.sub_title = f"loading {self.data_spec.spec}…"
        self._check_size()
        try:
            self.store = self.context.store = RunStore(self.store_path)
        except ExplorerError as exc:
            self.notify(str(exc), title="Run store unavailable", severity="error", timeout=15)
        self._load_data()
        if self.store is not None:
            self._watcher = RunWatcher(self.store)
            self._follow_store()

    def on_unmount(self) -> None:
        gc.unfreeze()  # what start-up froze is ordinary garbage again once the app is gone (tests run many apps)
        if self._gc_threshold is not None:
            gc.set_threshold(*self._gc_threshold)

    # -- data --------------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def _load_data(self) -> None:
        self.post_message(DatasetLoaded(load_dataset(self.data_spec)))

    @on(DatasetLoaded)
    def _dataset_loaded(self, message: DatasetLoaded) -> None:
        dataset = message.dataset
        self.sub_title = f"{dataset.source} · train {len(dataset.y_train):,} · test {len(dataset.y_test):,}"
        self.dataset = self.context.dataset = dataset
        self._tell_tabs(DataReady)
        self.set_timer(SETTLE_S, self._settle_gc)

    def _settle_gc(self) -> None:
        """The garbage collector tuned for a running app: the start-up objects (widgets, styles, caches; ~220,000)
        leave its full scans, which otherwise stalled the UI thread ~190 ms every second or so while a key repeats
        on a large screen; and young collections come every 20,000 allocations instead of 700: a frame at 200x60
        allocates thousands of objects (strips, segments) that live until the next, which at 700 were scanned ~10
        times a key and promoted into the full scans (Threshold tab, 60,000 steps: UI CPU a key 42.7 -> 34.6 ms,
        no full collection in 40 keys instead of 8; benchmarks/bench_threshold.py). A middle collection comes after 3
        young ones instead of 10: it scans what survived them (frames' strips, kept in caches), and after 10 it was one
        66 ms stall of a key at 200x60 with two jobs running, after 3 at most 20 ms (Threshold tab, 120 keys)."""
        gc.freeze()
        if self._gc_threshold is None:
            self._gc_threshold = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        text = str(error) if isinstance(error, ExplorerError) else f"{type(error).__name__}: {error}"
        if event.worker.group == "data":
            self.sub_title = f"no data: {self.data_spec.spec}"
            self.data_error = self.context.data_error = text
            self.notify(text, title="Cannot load data", severity="error", timeout=30)
            self._tell_tabs(DataReady)
        else:
            self.notify(text, title="Something failed", severity="error", timeout=10)

    # -- runs --------------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group=FOLLOW_GROUP, exit_on_error=False)
    def _follow_store(self) -> None:
        """The app's one follower of the store: the watcher's updates, posted as messages."""
        assert self._watcher is not None
        worker = get_current_worker()
        for batch in self._watcher.updates(self.poll_interval, stop=lambda: worker.is_cancelled):
            self.post_message(RunUpdates(tuple(batch)))

    @on(RunUpdates)
    def _run_updates(self, message: RunUpdates) -> None:
        listed = [u for u in message.updates if isinstance(u, RunsListed)]
        if listed:
            self.context.runs = listed[-1].runs
            self.runs = list(listed[-1].runs)
        for tab in self._tabs():
            tab.post_message(RunUpdates(message.updates))

    def _tell_tabs(self, message_class: type[DataReady]) -> None:
        for tab in self._tabs():
            tab.post_message(message_class())

    def _tabs(self) -> list[Widget]:
        """The tabs mounted so far (a deferred one gets what it needs from the context when it mounts)."""
        return [child for pane in self.query(TabPane) for child in pane.children if isinstance(child, TabBase)]

    def _poke_watcher(self) -> None:
        """Look at the store at the next poll (this process wrote to it; SQLite's data version shows only others')."""
        if self._watcher is not None:
            self._watcher.poke()

    # -- layout and keys ---------------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size)  # self.size may still hold the old size here

    def _check_size(self, size: Size | None = None) -> None:
        width, height = size or self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.screen.set_class(small, "-too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"Terminal too small: {width}×{height}.\nmnist-explorer needs at least {MIN_WIDTH}×{MIN_HEIGHT}."
            )

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self.focus_pane, event.pane)

    def focus_pane(self, pane: TabPane) -> None:
        """Keys go to the tab shown: unless the tab focused one of its widgets itself, focus its first focusable."""
        if self.query_one(TabbedContent).active != pane.id:
            return  # another tab was shown meanwhile
        if self.focused is not None and pane in self.focused.ancestors:
            return
        focusable = [widget for widget in pane.query("*") if widget.focusable]
        if focusable:
            self.set_focus(focusable[0])

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id

    def action_help(self) -> None:
        """The keys of the shown tab (and its focused widget) first, then the app's; Textual's own are left out."""
        rows = []
        for _key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not declared_here(active.node, binding):
                continue
            where = "everywhere" if active.node is self or active.node is self.screen else _owner_name(active.node)
            rows.append((self.get_key_display(binding), binding.description, where))
        rows.sort(key=lambda row: row[2] == "everywhere")  # stable: each group keeps the bindings' order
        self.push_screen(HelpScreen(rows))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) offers every tab and every described key of the current screen by name."""
        yield from super().get_system_commands(screen)
        for tab in TABS:
            yield SystemCommand(f"Tab: {tab.title}", f"show the {tab.title} tab", partial(self.action_show_tab, tab.id))
        keys: dict[tuple[DOMNode, str, str], list[str]] = {}
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if binding.description and node is not self and node is not screen:
                keys.setdefault((node, binding.action, binding.description), []).append(self.get_key_display(binding))
        for (node, action, description), displays in keys.items():
            yield SystemCommand(
                f"{_owner_name(node)}: {description}",
                "key " + " or ".join(displays),
                partial(self.run_action, action, node),
            )


def _owner_name(node: DOMNode) -> str:
    """The title of the tab holding ``node`` (or its class name outside any tab)."""
    tab_classes = {tab.target.partition(":")[2]: tab.title for tab in TABS}
    for ancestor in node.ancestors_with_self:
        if type(ancestor).__name__ in tab_classes:
            return tab_classes[type(ancestor).__name__]
    return type(node).__name__.removesuffix("Tab")
