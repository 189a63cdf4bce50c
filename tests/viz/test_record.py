"""Recording an app as an animation: frames from its own controls, WebP/GIF files, errors that surface."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

from dlcourse.viz.app import App
from dlcourse.viz.record import chain, grab, play, record, still, sweep
from dlcourse.viz.style import new_figure


class Bar(App):
    """One bar whose height is a slider; a Play control linked to a step slider; height 9 raises."""

    def __init__(self):
        super().__init__(title="a bar")
        self.figure, ax = new_figure(figsize=(3.0, 2.0))
        (self.bar,) = ax.bar([0], [1.0])
        ax.set_ylim(0, 10)
        self.add_control("height", widgets.FloatSlider(value=1.0, min=0, max=10), on_change=self.update)
        self.add_player("play", self.add_control("step", widgets.IntSlider(value=0, min=0, max=6), self.update))

    def update(self, change=None):
        height = self.controls["height"].value + self.controls["step"].value
        if height == 9:
            raise ValueError("height 9 is not allowed in this test")
        self.bar.set_height(height)
        self.redraw()


def frames_of(path):
    image = Image.open(path)
    frames = []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append((np.asarray(image.convert("RGB")).copy(), image.info.get("duration")))
    return frames


def test_grab_draws_the_figure_at_the_asked_width():
    app = Bar()
    picture = grab(app.figure, width=300)
    assert picture.size == (300, 200)  # figsize 3 × 2 inches at 100 dpi
    assert picture.mode == "RGB"
    pixels = np.asarray(picture)
    assert pixels.min() < 100 and pixels.max() > 200  # a drawn bar on a white background, not a blank frame


def test_grab_is_the_picture_savefig_makes_and_leaves_the_figure_as_it_was():
    import io

    app = Bar()
    app.figure.set_layout_engine("constrained")  # the course style's layout: savefig lays out in a pass of its own
    app.figure.axes[0].set_title("a title to lay out")
    dpi, picture = app.figure.dpi, np.asarray(grab(app.figure, width=300))  # one draw on the Agg canvas
    buffer = io.BytesIO()
    app.figure.savefig(buffer, format="png", dpi=100, facecolor=app.figure.get_facecolor())
    assert np.array_equal(picture, np.asarray(Image.open(buffer).convert("RGB")))
    assert app.figure.dpi == dpi and grab(app.figure).size == (3 * dpi, 2 * dpi)


def test_record_webp_has_one_frame_per_change_plus_the_start(tmp_path):
    app = Bar()
    made = record(app, sweep(app, "height", [2.0, 4.0, 6.0]), tmp_path / "bar.webp", fps=10, width=240, hold=0.5)
    assert made.path.exists() and made.bytes == made.path.stat().st_size > 0
    assert made.frames == 4 and made.size == (240, 160)
    frames = frames_of(made.path)
    assert len(frames) == 4
    # every frame differs (the bar grows), and the last is held for 0.5 s more than the 100 ms of the others
    assert all(not np.array_equal(a[0], b[0]) for a, b in zip(frames, frames[1:]))
    assert [duration for _, duration in frames] == [100, 100, 100, 600]
    assert made.seconds == pytest.approx(0.9)


def test_frames_show_what_the_controls_set(tmp_path):
    app = Bar()
    made = record(app, sweep(app, "height", [8.0]), tmp_path / "bar.webp", width=240)  # lossless by default
    first, last = (pixels for pixels, _ in frames_of(made.path))
    dark = lambda pixels: np.count_nonzero(pixels.sum(axis=2) < 500)  # noqa: E731 - the bar's pixels
    assert dark(last) > 4 * dark(first)  # height 1 → 8


def test_identical_frames_are_merged_into_a_longer_one(tmp_path):
    app = Bar()
    driver = chain(still(3), sweep(app, "height", [5.0]))
    made = record(app, driver, tmp_path / "bar.webp", fps=10, width=240, hold=0)
    assert made.frames == 2
    assert [duration for _, duration in frames_of(made.path)] == [400, 100]


def test_play_presses_the_player_from_start_to_the_last_value(tmp_path):
    app = Bar()
    seen = []
    for _ in play(app, "play", step=4):
        seen.append(app.controls["step"].value)  # the Play control is linked to the slider
    assert seen == [0, 4, 6]  # always ends on the last frame


def test_gif_works_too_with_one_palette(tmp_path):
    app = Bar()
    made = record(app, sweep(app, "height", [3.0, 5.0]), tmp_path / "bar.gif", width=240)
    image = Image.open(made.path)
    assert image.format == "GIF" and image.n_frames == 3


def test_an_error_inside_the_app_fails_the_recording(tmp_path):
    app = Bar()
    with pytest.raises(RuntimeError, match="height 9 is not allowed"):
        record(app, sweep(app, "height", [2.0, 9.0]), tmp_path / "bar.webp")
    assert not (tmp_path / "bar.webp").exists()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda app, path: record(app, still(), path.with_suffix(".mp4")), r"must end in \.webp or \.gif"),
        (lambda app, path: record(app, still(), path, fps=0), "fps must be positive"),
        (lambda app, path: record(App(), still(), path), "App has no figure"),
        (lambda app, path: record(app, still(20), path, max_frames=10), "more than 10 frames"),
        (lambda app, path: list(sweep(app, "hieght", [1.0])), "Bar has no control 'hieght'; it has height, step, play"),
    ],
)
def test_bad_requests_say_what_is_wrong(tmp_path, call, message):
    with pytest.raises((ValueError, KeyError), match=message):
        call(Bar(), tmp_path / "bar.webp")
