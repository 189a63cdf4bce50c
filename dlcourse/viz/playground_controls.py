"""The playground's controls: ipywidgets for the data, the inputs, the network and the training.

`make_controls(app, config)` registers every control on the app (names below) and returns the rows
of the layout. The app reads the controls back with `config_from_controls` into a PlaygroundConfig.

    data:      dataset, noise, train_percent, batch_size, seed
    inputs:    feature:x1 … feature:sin_x2 (toggle buttons)
    network:   remove_layer, add_layer, neurons:1 … neurons:6, activation
    training:  play, step, reset, lr, regularization, reg_rate
    view:      show_test, discretize, show_code, export
"""

from __future__ import annotations

import ipywidgets as widgets

from dlcourse.data.playground import FEATURES
from dlcourse.viz.playground_model import ACTIVATIONS, MAX_LAYERS, MAX_NEURONS, PlaygroundConfig

DATASET_CHOICES = [("circle", "circle"), ("XOR", "xor"), ("Gaussian", "gauss"), ("spiral", "spiral"),
                   ("plane (regression)", "plane"), ("surface (regression)", "surface")]  # fmt: skip
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
_STYLE = {"description_width": "76px"}


def _nearest(choices, value):
    return min(choices, key=lambda choice: abs(choice - value))


def make_controls(app, c: PlaygroundConfig) -> list[widgets.Widget]:
    """Create and register the controls for config `c`; return the rows of widgets for the layout."""
    add = app.add_control
    slider = dict(continuous_update=False, style=_STYLE, layout=widgets.Layout(width="250px"))
    add("dataset", widgets.Dropdown(options=DATASET_CHOICES, value=c.dataset, description="data",
                                    style=_STYLE, layout=widgets.Layout(width="250px")), app.on_structure)  # fmt: skip
    add("noise", widgets.FloatSlider(value=c.noise, min=0, max=0.5, step=0.05, description="noise", **slider),
        app.on_structure)  # fmt: skip
    add("train_percent", widgets.IntSlider(value=round(100 * c.train_fraction), min=10, max=90, step=10,
                                           description="train %", **slider), app.on_structure)  # fmt: skip
    add("batch_size", widgets.IntSlider(value=c.batch_size, min=1, max=30, description="batch size", **slider),
        app.on_structure)  # fmt: skip
    add("seed", widgets.BoundedIntText(value=c.seed, min=0, max=10**6, description="seed", style=_STYLE,
                                       layout=widgets.Layout(width="160px")), app.on_structure)  # fmt: skip
    toggles = []
    for name, (label, _, _) in FEATURES.items():
        button = widgets.ToggleButton(value=name in c.features, description=label,
                                      layout=widgets.Layout(width="62px"))  # fmt: skip
        toggles.append(add(f"feature:{name}", button, app.on_structure))
    app.add_button("remove_layer", "−", app.remove_layer).layout = widgets.Layout(width="32px")
    app.add_button("add_layer", "+", app.add_layer).layout = widgets.Layout(width="32px")
    app.layer_count = widgets.HTML()
    neuron_boxes = []
    for layer in range(1, MAX_LAYERS + 1):
        size = c.hidden[layer - 1] if layer <= len(c.hidden) else 2
        box = widgets.BoundedIntText(value=size, min=1, max=MAX_NEURONS, layout=widgets.Layout(width="48px"))
        neuron_boxes.append(add(f"neurons:{layer}", box, app.on_structure))
    activation = widgets.Dropdown(options=list(ACTIVATIONS), value=c.activation, description="activation",
                                  style=_STYLE, layout=widgets.Layout(width="200px"))  # fmt: skip
    add("activation", activation, app.on_structure)
    play = widgets.ToggleButton(value=False, description="play", icon="play", layout=widgets.Layout(width="80px"))
    add("play", play, app.on_play)
    app.add_button("step", "step", app.step, icon="step-forward")
    app.add_button("reset", "reset", app.reset, icon="undo")
    add("lr", widgets.SelectionSlider(options=LEARNING_RATES, value=_nearest(LEARNING_RATES, c.lr),
                                      description="learning rate", **slider), app.on_hyperparameters)  # fmt: skip
    # "none", not None: a Dropdown whose value is None shows no selection
    add("regularization", widgets.Dropdown(options=[("none", "none"), ("L1", "l1"), ("L2", "l2")],
                                           value=c.regularization or "none", description="penalty", style=_STYLE,
                                           layout=widgets.Layout(width="170px")), app.on_hyperparameters)  # fmt: skip
    add("reg_rate", widgets.SelectionSlider(options=REG_RATES, value=_nearest(REG_RATES, c.reg_rate),
                                            description="penalty rate", **slider), app.on_hyperparameters)  # fmt: skip
    add("show_test", widgets.Checkbox(value=True, description="show test data", indent=False,
                                      layout=widgets.Layout(width="130px")), app.on_view_options)  # fmt: skip
    add("discretize", widgets.Checkbox(value=False, description="discretize output", indent=False,
                                       layout=widgets.Layout(width="140px")), app.on_view_options)  # fmt: skip
    app.add_button("show_code", "show the code", app.print_code, icon="code")
    app.add_button("export", "export weights", app.export_weights, icon="download")
    k = app.controls
    label = widgets.HTML
    return [
        widgets.HBox([k["dataset"], k["noise"], k["train_percent"], k["seed"]]),
        widgets.HBox([label("<b>inputs</b>&nbsp;"), *toggles]),
        widgets.HBox(
            [
                label("<b>hidden layers</b>&nbsp;"),
                k["remove_layer"],
                k["add_layer"],
                app.layer_count,
                label("&nbsp;neurons:"),
                *neuron_boxes,
                k["activation"],
            ]
        ),  # fmt: skip
        widgets.HBox([k["play"], k["step"], k["reset"], k["lr"], k["batch_size"]]),
        widgets.HBox(
            [k["regularization"], k["reg_rate"], k["show_test"], k["discretize"], k["show_code"], k["export"]]
        ),  # fmt: skip
    ]


def show_layer_count(app, layers: int) -> None:
    """Show as many neuron boxes as there are hidden layers, and the count."""
    app.layer_count.value = f"&nbsp;{layers}&nbsp;"
    for layer in range(1, MAX_LAYERS + 1):
        app.controls[f"neurons:{layer}"].layout.display = "" if layer <= layers else "none"
    app.controls["remove_layer"].disabled = layers == 0
    app.controls["add_layer"].disabled = layers == MAX_LAYERS


def regularization(app):
    """The penalty the dropdown shows: None, "l1" or "l2"."""
    value = app.controls["regularization"].value
    return None if value == "none" else value


def config_from_controls(app, layers: int) -> PlaygroundConfig:
    """The configuration the controls show (raises ValueError with a clear message if it is invalid)."""
    k = app.controls
    features = tuple(name for name in FEATURES if k[f"feature:{name}"].value)
    train_fraction = k["train_percent"].value / 100
    n_train = min(max(1, round(train_fraction * app.n)), app.n - 1)
    return PlaygroundConfig(
        dataset=k["dataset"].value, n=app.n, noise=float(k["noise"].value),
        train_fraction=train_fraction, features=features,
        hidden=tuple(k[f"neurons:{layer}"].value for layer in range(1, layers + 1)),
        activation=k["activation"].value, lr=float(k["lr"].value), regularization=regularization(app),
        reg_rate=float(k["reg_rate"].value), batch_size=min(int(k["batch_size"].value), n_train),
        seed=int(k["seed"].value),
    )  # fmt: skip
