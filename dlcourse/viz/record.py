"""Record an app as an animation: drive it through its own controls, grab its figure, write a GIF/WebP.

A recording is made by the app's own code, the way a learner would use it, only faster: a *driver*
changes the app's public controls (a slider's `.value`, the ▶ player stepped one value at a time, a
button's callback) and yields after each change; every yield is one frame, a picture of `app.figure`
drawn by matplotlib's Agg renderer. The frames become an animated WebP or GIF (Pillow, which
matplotlib already needs):

    from dlcourse.viz import landscape_explorer
    from dlcourse.viz.record import play, record

    app = landscape_explorer("bowl", condition=20)
    record(app, play(app, "play", step=2), "landscape.webp", fps=20)   # the ▶ player, every 2nd step

Drivers are plain generators, so anything goes (`sweep` a slider, several controls one after the
other with `chain`, or your own `def drive(app): ...; yield`). Recording works in any backend:
`savefig` draws with Agg even when the figure lives on a live canvas.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMATS = (".webp", ".gif")


@dataclass(frozen=True)
class Recording:
    """What `record` wrote: where, how many distinct frames, their size in pixels and the file's bytes."""

    path: Path
    frames: int
    size: tuple[int, int]
    bytes: int
    seconds: float  # the length of one loop


def grab(figure, width: int | None = None):
    """The figure as an RGB Pillow image, `width` pixels wide (its own size at its dpi when None)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    dpi = figure.dpi if width is None else width / figure.get_figwidth()
    if type(figure.canvas) is FigureCanvasAgg:  # a plain Agg canvas (a script, the book): one draw at `dpi`
        # (savefig would draw twice: a layout pass without rendering, then the picture — a third of the time)
        original = figure.dpi
        try:
            figure.dpi = dpi
            figure.canvas.draw()
            pixels = figure.canvas.buffer_rgba()  # (rows, columns, 4), the canvas's own buffer: copied below
            return Image.frombuffer("RGBA", pixels.shape[1::-1], pixels, "raw", "RGBA", 0, 1).convert("RGB")
        finally:
            figure.dpi = original
    buffer = io.BytesIO()
    # savefig swaps in an Agg canvas for the duration of the call, so this works on a live canvas too, and
    # it draws artists that an app marked as animated (blitting) like every other artist. Raw RGBA
    # skips a PNG encode + decode per frame; Agg truncates the size in pixels to whole numbers.
    figure.savefig(buffer, format="rgba", dpi=dpi, facecolor=figure.get_facecolor())
    pixels = buffer.getvalue()
    expected_rows = figure.get_figheight() * dpi
    for columns in {int(figure.get_figwidth() * dpi), round(figure.get_figwidth() * dpi)}:
        rows, rest = divmod(len(pixels) // 4, columns)
        if rest == 0 and abs(rows - expected_rows) <= 1:
            return Image.frombuffer("RGBA", (columns, rows), pixels, "raw", "RGBA", 0, 1).convert("RGB")
    raise RuntimeError(f"record: cannot tell the size of a {len(pixels)}-byte RGBA frame")  # never seen


def sweep(app, control: str, values: Iterable) -> Iterator[None]:
    """Set `app.controls[control].value` to each of `values` in turn (its callbacks run as in the browser)."""
    widget = _control(app, control)
    for value in values:
        widget.value = value
        yield


def play(app, control: str = "play", step: int | None = None, start: int | None = None) -> Iterator[None]:
    """Press ▶: move a Play (or slider) control from `start` to its max, `step` values at a time.

    Like the player, it starts where the control stands, or from the beginning if that is the end.
    """
    widget = _control(app, control)
    first = start if start is not None else widget.value if widget.value < widget.max else widget.min
    stride = step or getattr(widget, "step", 1) or 1
    values = list(range(first, widget.max + 1, stride))
    if values[-1] != widget.max:
        values.append(widget.max)  # always end on the last frame, as the player does
    return sweep(app, control, values)


def still(frames: int = 1) -> Iterator[None]:
    """`frames` frames of whatever the app shows now (a pause, or the first picture before a driver starts)."""
    for _ in range(frames):
        yield


def chain(*drivers: Iterable) -> Iterator[None]:
    """The drivers one after the other (e.g. play the training, then sweep a slider)."""
    return itertools.chain(*drivers)


def record(app, driver: Iterable, path, fps: float = 12.0, width: int = 720, hold: float = 1.5,
           max_frames: int = 400, lossless: bool = True, quality: int = 85) -> Recording:  # fmt: skip
    """Grab `app.figure` once before `driver` starts and once after each of its steps; write `path`.

    `path` ends in .webp (small, full colour) or .gif (256 colours, plays everywhere). WebP is lossless
    by default (plots are flat colours and thin lines); `lossless=False` with `quality` (0–100) is
    smaller for pictures full of gradients (heatmaps). The last frame is held for `hold` seconds
    before the loop restarts; identical consecutive frames are merged.
    Errors that the app's callbacks swallowed (it shows them in its output area) fail the recording.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"record: the file must end in {' or '.join(FORMATS)}, got {path.name!r}")
    if fps <= 0:
        raise ValueError(f"record: fps must be positive, got {fps}")
    figure = getattr(app, "figure", None)
    if figure is None:
        raise ValueError(f"record: {type(app).__name__} has no figure to record")
    errors_before = len(getattr(app, "errors", []))
    frames = [grab(figure, width)]
    for _ in driver:
        frames.append(grab(figure, width))
        if len(frames) > max_frames:
            raise ValueError(f"record: the driver made more than {max_frames} frames; take bigger steps")
    new_errors = getattr(app, "errors", [])[errors_before:]
    if new_errors:
        raise RuntimeError(f"record: the app reported an error while recording: {new_errors[0]!r}") from new_errors[0]
    images, durations = _merge_repeats(frames, 1000.0 / fps)
    durations[-1] += 1000.0 * hold
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(images, [round(d) for d in durations], path, lossless, quality)
    return Recording(path, len(images), images[0].size, path.stat().st_size, sum(durations) / 1000.0)


def _control(app, name: str):
    controls = getattr(app, "controls", {})
    if name not in controls:
        raise KeyError(f"{type(app).__name__} has no control {name!r}; it has {', '.join(controls) or 'none'}")
    return controls[name]


def _merge_repeats(frames, frame_ms: float):
    """Consecutive identical frames → one frame shown longer (smaller files, same animation)."""
    images, durations, previous = [], [], None
    for image in frames:
        pixels = np.asarray(image)
        if previous is not None and pixels.shape == previous.shape and np.array_equal(pixels, previous):
            durations[-1] += frame_ms
            continue
        images.append(image)
        durations.append(frame_ms)
        previous = pixels
    return images, durations


def _write(images, durations, path: Path, lossless: bool, quality: int) -> None:
    first, rest = images[0], images[1:]
    if path.suffix.lower() == ".gif":
        # one palette for every frame (taken from the first and last pictures), so colours don't flicker
        from PIL import Image

        sample = Image.new("RGB", (first.width, first.height * 2))
        sample.paste(first, (0, 0))
        sample.paste(images[-1], (0, first.height))
        palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False,
                       disposal=1)  # fmt: skip
    else:
        # method 2 of libwebp's 0 (fast) … 6 (small): measured on the course's apps, 4 made files 1–4 % smaller
        # than 2 and took twice as long to encode
        first.save(path, save_all=True, append_images=rest, duration=durations, loop=0, lossless=lossless,
                   quality=quality, method=2)  # fmt: skip
