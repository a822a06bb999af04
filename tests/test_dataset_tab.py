"""The Dataset tab, driven with the keys a user presses; snapshots of it on the seeded MNIST sample."""

from __future__ import annotations

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from engine.data import DataSpec, load_dataset
from tests.conftest import FASHION_DIR, needs_fashion
from tui.app import MnistExplorerApp
from tui.help import HelpScreen
from tui.tabs.dataset import DatasetTab
from tui.widgets.digit_detail import DigitDetail
from tui.widgets.digit_grid import DigitGridView


async def show_dataset_tab(pilot: Pilot) -> None:
    """Show the Dataset tab (the app opens on the Study tab) and wait until it is mounted."""
    pilot.app.action_show_tab("dataset")
    while not pilot.app.query(DatasetTab):
        await pilot.pause(0.02)


async def data_loaded(pilot: Pilot) -> None:
    """Show the Dataset tab, wait until the app's data is loaded and the grid shows it."""
    await show_dataset_tab(pilot)
    while pilot.app.dataset is None:
        await pilot.pause(0.02)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    # The grid is laid out after the data arrives; its Moved message then brings the status line its page count.
    # Under load that can take more than one pause (CI once saw "page 1/1,438", the count of a 1×1 grid).
    app = pilot.app
    for _ in range(250):
        g = app.query_one(DigitGridView)
        if g.size.area and (not g.count or f"page {g.page + 1:,}/{g.pages:,} " in status(app)):
            return
        await pilot.pause(0.02)


def visible_text(widget) -> str:
    """What the widget shows on screen, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def status(app: MnistExplorerApp) -> str:
    return str(app.query_one("#dataset-status", Static).render())


def grid(app: MnistExplorerApp) -> DigitGridView:
    return app.query_one(DigitGridView)


def shown_labels(app: MnistExplorerApp) -> list[int]:
    """Labels of the digits on the current page."""
    g = grid(app)
    start = g.page * g.page_size
    return app.dataset.labels(app.query_one(DatasetTab).split)[g.indices[start : start + g.page_size]].tolist()


def digits_app() -> MnistExplorerApp:
    app = MnistExplorerApp(data=DataSpec("digits"))
    app.animation_level = "none"  # pilot.press would otherwise wait for the tab underline to slide
    return app


async def test_user_sees_a_full_page_of_digits_with_a_status_line() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        g = grid(app)
        columns, rows = g.grid_shape
        assert columns * rows >= 10  # 8×8 digits: many fit at 80×24
        assert g.count == len(app.dataset.y_train)
        assert status(app).startswith(f"train · page 1/{g.pages} · {g.count:,} images · filter: all")
        assert app.focused is g


async def test_user_can_page_forward_back_and_to_either_end() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        g = grid(app)
        size = g.page_size
        await pilot.press("right_square_bracket")
        assert (g.page, g.cursor) == (1, size)
        assert f"page 2/{g.pages}" in status(app)
        await pilot.press("pagedown", "pageup")
        assert g.page == 1
        await pilot.press("end")
        assert g.page == g.pages - 1 and g.cursor == g.count - 1
        await pilot.press("home")
        assert (g.page, g.cursor) == (0, 0)
        await pilot.press("left_square_bracket")  # already on the first page: stays
        assert g.cursor == 0


async def test_user_can_show_only_one_label_and_then_all_again() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("7")
        g = grid(app)
        assert g.count == int(np.sum(app.dataset.y_train == 7))
        assert set(shown_labels(app)) == {7}
        assert "filter: 7" in status(app)
        await pilot.press("a")
        assert g.count == len(app.dataset.y_train)
        assert len(set(shown_labels(app))) > 1


async def test_user_can_move_the_cursor_over_the_digits() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        g = grid(app)
        columns, _ = g.grid_shape
        await pilot.press("right", "right", "down")
        assert g.cursor == 2 + columns
        await pilot.press("left", "up")
        assert g.cursor == 1
        assert status(app).endswith(f"#{g.current_index:,}")


async def test_user_can_open_a_digit_large_step_through_and_close_it() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("right", "enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DigitDetail)
        index = int(grid(app).indices[1])
        info = visible_text(detail.query_one("#detail-info", Static))
        label = int(app.dataset.y_train[index])
        assert f"train #{index:,}" in info and f"label {label}" in " ".join(info.split())
        assert "ink ≥128" in info and "bbox" in info
        assert detail.query_one("#detail-image").size.width >= 8 * 2  # an 8×8 digit is drawn enlarged
        await pilot.press("right")
        assert detail.index == int(grid(app).indices[2])
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DigitDetail)
        assert grid(app).cursor == 2  # the grid follows the digit the modal ended on


async def test_user_can_switch_between_train_and_test() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("3", "t")
        g = grid(app)
        assert g.count == int(np.sum(app.dataset.y_test == 3))
        assert status(app).startswith("test · ") and "filter: 3" in status(app)
        await pilot.press("t")
        assert status(app).startswith("train · ")


async def test_user_can_show_and_hide_the_class_balance() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        panel = app.query_one("#dataset-balance", Static)
        assert not panel.display  # narrow terminal: hidden until asked for
        wide_columns = grid(app).grid_shape[0]
        await pilot.press("b")
        await pilot.pause()
        assert panel.display
        text = visible_text(panel)
        counts = app.dataset.class_counts("train")
        assert "train" in text and "test" in text and f"{counts[0]:,}" in text
        assert grid(app).grid_shape[0] < wide_columns  # the grid gives up room for the panel
        await pilot.press("b")
        assert not panel.display


async def test_help_lists_every_dataset_key() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {row[1] for row in app.screen._rows}
        for key in (
            "Next page",
            "Prev page",
            "Open digit",
            "Only label 0",
            "Only label 9",
            "All labels",
            "Train/test",
            "Balance",
            "Next digit",
            "Quit",
            "Help",
        ):
            assert key in described
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_test_split_is_shown_in_a_seeded_shuffled_order_not_by_label() -> None:
    app = MnistExplorerApp(data=DataSpec())  # the embedded sample: its test split's source order is by label
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("t")
        g = grid(app)
        assert len(set(shown_labels(app))) > 3  # not a page of 0s
        assert sorted(g.indices.tolist()) == list(range(len(app.dataset.y_test)))  # every test image, once
        assert np.array_equal(g.indices, np.random.default_rng(DataSpec().seed).permutation(len(g.indices)))
        await pilot.press("5")
        assert g.current_index != int(np.flatnonzero(app.dataset.y_test == 5)[0])  # filter 5 no longer at #500
        assert status(app).endswith(f"#{g.current_index:,}")  # the index in the split, as the CLI prints it


async def test_user_goes_to_an_image_by_index_even_past_a_filter() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        labels = app.dataset.y_train
        target = int(np.flatnonzero(labels != 3)[40])
        await pilot.press("3", "g", *str(target), "enter")
        await pilot.pause()
        assert grid(app).current_index == target and app.query_one(DatasetTab).label_filter is None
        assert status(app).endswith(f"#{target:,}")
        await pilot.press("g", "9", "9", "9", "9", "9", "enter")  # out of range: said, and the prompt stays
        await pilot.pause()
        assert app.screen.query_one("#dataset-goto-input") is not None
        await pilot.press("escape")
        assert grid(app).current_index == target


@pytest.mark.parametrize("tab", ["dataset", "errors", "search"])
async def test_the_footer_fits_80_columns_with_help_in_view(tab: str, tmp_path) -> None:
    app = MnistExplorerApp(data=DataSpec("digits"), store_path=tmp_path / "runs.sqlite")
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        app.action_show_tab(tab)
        await pilot.pause(0.3)
        for _ in range(100):  # the footer is rebuilt as the tab's keys come and go: wait for a settled one
            keys = list(app.query_one(Footer).query(FooterKey))
            if any(k.key == "question_mark" and k.region.width for k in keys):
                break
            await pilot.pause(0.05)
        help_key = next(k for k in keys if k.key == "question_mark")
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert help_key.region.width and help_key.region.right <= palette.region.x


async def test_help_opens_scrollable_with_the_tabs_keys_first_and_no_framework_entries() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert app.focused is body and body.max_scroll_y > 0
        wheres = [row[2] for row in app.screen._rows]
        assert wheres[0] == "Dataset" and wheres == sorted(wheres, key=lambda w: w == "everywhere")
        described = {row[1] for row in app.screen._rows}
        assert not described & {"Focus Next", "Focus Previous", "Copy selected text", "Page Left", "palette"}
        await pilot.press("down")
        assert body.scroll_y == 1
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y


async def test_command_palette_runs_dataset_actions_by_name() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        size = grid(app).page_size
        await pilot.press("ctrl+p")
        await pilot.press(*"next page")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert grid(app).cursor == size


async def test_data_that_cannot_load_is_explained_in_the_tab(tmp_path) -> None:
    app = MnistExplorerApp(data=DataSpec(f"idx:{tmp_path / 'missing'}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await show_dataset_tab(pilot)
        while app.data_error is None:
            await pilot.pause(0.02)
        await pilot.pause()
        assert "missing" in app.data_error
        assert visible_text(grid(app)).strip().startswith("No data:")
        assert status(app) == f"no data: idx:{tmp_path / 'missing'}"


async def test_user_can_quit_with_q() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_too_small_terminal_says_so_instead_of_drawing() -> None:
    app = digits_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await data_loaded(pilot)
        message = app.query_one("#too-small", Static)
        assert message.display and not app.query_one("#tabs").display
        assert "too small" in str(message.render()) and "80×24" in str(message.render())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not message.display and app.query_one("#tabs").display


async def test_the_grid_fits_more_digits_in_a_bigger_terminal() -> None:
    app = digits_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await data_loaded(pilot)
        small = grid(app).page_size
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert grid(app).page_size > 3 * small
        assert f"page 1/{grid(app).pages}" in status(app)


async def test_zoom_switches_between_small_and_large_digits() -> None:
    app = MnistExplorerApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await data_loaded(pilot)
        g = grid(app)
        assert g.side == 14  # 28×28 digits shown at half size by default
        small = g.page_size
        await pilot.press("z")
        assert g.side == 28 and g.page_size < small


@needs_fashion
async def test_fashion_mnist_shows_class_names() -> None:
    app = MnistExplorerApp(data=DataSpec(f"idx:{FASHION_DIR}"))
    async with app.run_test(size=(120, 40)) as pilot:
        await data_loaded(pilot)
        await pilot.press("5")
        assert "filter: Sandal" in status(app)
        assert grid(app).caption(int(grid(app).indices[0])) == "Sandal"


def test_dataset_tab_snapshot_80x24(snap_compare) -> None:
    load_dataset(DataSpec())  # parse the sample before the app starts: the snapshot waits on nothing slow
    assert snap_compare(MnistExplorerApp(), terminal_size=(80, 24), run_before=data_loaded)


def test_dataset_tab_snapshot_120x40_filtered_with_cursor(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await data_loaded(pilot)
        await pilot.press("4", "right", "down")
        await pilot.pause()

    assert snap_compare(MnistExplorerApp(), terminal_size=(120, 40), run_before=run_before)
