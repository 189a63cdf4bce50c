"""The network playground, headless (Agg): training, the printed programs, the controls, inspection, export."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from dlcourse import nn
from dlcourse.viz import playground
from dlcourse.viz.network_diagram import connection_widths
from dlcourse.viz.playground_code import dlcourse_code, torch_code
from dlcourse.viz.playground_model import PlaygroundConfig, PlaygroundRun


def run_code(code: str) -> dict:
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<printed code>", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def trained():
    """A run with an L2 penalty, then a new learning rate and an L1 penalty: two segments."""
    run = PlaygroundRun(PlaygroundConfig(dataset="spiral", features=("x1", "x2", "sin_x1"), hidden=(4, 3),
                                         regularization="l2", reg_rate=0.001, batch_size=7, seed=3))  # fmt: skip
    run.train(epochs=12)
    one_segment = (dlcourse_code(run), torch_code(run), run.train_loss, run.test_loss)
    run.set_hyperparameters(lr=0.1, regularization="l1", reg_rate=0.003)
    run.train(steps=37)  # ends inside an epoch
    return run, one_segment


def test_training_lowers_the_loss_and_records_every_epoch():
    run = PlaygroundRun(PlaygroundConfig(dataset="gauss", hidden=(3,)))
    start = run.train_loss
    run.train(epochs=20)
    assert run.train_loss < start / 2 and run.accuracy() > 0.9
    assert run.epochs_recorded == list(range(21)) and len(run.test_losses) == 21
    assert run.steps == 20 * run.steps_per_epoch


def test_the_printed_dlcourse_program_reproduces_the_run_bit_for_bit(trained):
    run, (code, _, train_loss, test_loss) = trained
    one = run_code(code)
    assert one["train_loss"] == train_loss and one["test_loss"] == test_loss
    two = run_code(dlcourse_code(run))  # the schedule: L2 at lr 0.03, then L1 at lr 0.1
    assert "schedule = [" in dlcourse_code(run)
    assert two["train_loss"] == run.train_loss and two["test_loss"] == run.test_loss
    for name, value in run.state_dict().items():
        np.testing.assert_array_equal(two["model"].state_dict()[name], value)


def test_the_printed_pytorch_program_reproduces_the_run(trained):
    pytest.importorskip("torch")
    run, (_, code, train_loss, test_loss) = trained
    one = run_code(code)
    assert one["train_loss"] == pytest.approx(train_loss, rel=1e-4)
    assert one["test_loss"] == pytest.approx(test_loss, rel=1e-4)
    two = run_code(torch_code(run))
    assert two["train_loss"] == pytest.approx(run.train_loss, rel=1e-4)
    assert two["test_loss"] == pytest.approx(run.test_loss, rel=1e-4)


def test_inspected_gradients_are_the_true_gradients():
    """∂(loss + penalty)/∂w as shown on hover, against a central difference in float64."""
    pg = playground("xor", hidden=(3,), regularization="l2", reg_rate=0.01)
    pg.train(epochs=5)
    run = pg.run
    run.model.double()
    F, y = run.F_train.astype(np.float64), run.y_train.astype(np.float64)
    run.F_train, run.y_train = F, y
    run._cache.clear()
    info = pg.inspect(("connection", 0, 2, 1))
    weight = run.linears[0].weight.data

    def total_loss():
        data = run.loss_on(F, y)
        return data + 0.01 * sum(float((layer.weight.data**2).sum()) for layer in run.linears)

    assert info["value"] == weight[2, 1]
    eps = 1e-6
    weight[2, 1] += eps
    up = total_loss()
    weight[2, 1] -= 2 * eps
    down = total_loss()
    assert info["gradient"] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9)


def test_the_app_draws_every_weight_and_every_neuron_and_training_changes_them():
    pg = playground("circle", hidden=(4, 2))
    diagram = pg.view.diagram
    assert diagram.sizes == [2, 4, 2, 1] and len(diagram.owners) == 2 * 4 + 4 * 2 + 2 * 1
    widths = np.array(diagram.lines.get_linewidths()).copy()
    pictures = [p.copy() for p in diagram.pictures]
    output = pg.view.values.copy()
    pg.controls["step"].click()
    pg.train(epochs=30)
    assert pg.epoch == 31
    np.testing.assert_allclose(diagram.lines.get_linewidths(), connection_widths(np.concatenate(
        [w.ravel() for w in pg.weights()])))  # fmt: skip
    assert not np.allclose(widths, diagram.lines.get_linewidths())
    assert all(not np.allclose(a, b) for a, b in zip(pictures[1:], diagram.pictures[1:]))  # every hidden column
    assert not np.allclose(output, pg.view.values)
    assert pg.png()[:4] == b"\x89PNG" and not pg.errors


def test_controls_add_and_remove_layers_and_neurons():
    pg = playground("xor", hidden=(4,))
    pg.controls["add_layer"].click()
    assert pg.run.sizes == [2, 4, 2, 1] and pg.view.diagram.sizes == [2, 4, 2, 1]  # a new column of neurons
    pg.controls["neurons:2"].value = 8
    assert pg.run.sizes == [2, 4, 8, 1]
    for _ in range(6):
        pg.controls["add_layer"].click()
    assert len(pg.run.config.hidden) == 6 and pg.controls["add_layer"].disabled
    for _ in range(7):
        pg.controls["remove_layer"].click()
    assert pg.run.sizes == [2, 1] and pg.controls["remove_layer"].disabled  # logistic regression
    pg.train(epochs=2)
    assert not pg.errors


def test_controls_for_data_features_and_hyperparameters():
    pg = playground("circle", hidden=(3,))
    pg.controls["feature:x1^2"].value = True
    pg.controls["feature:x2^2"].value = True
    assert pg.run.config.features == ("x1", "x2", "x1^2", "x2^2") and pg.run.sizes[0] == 4
    pg.controls["dataset"].value = "surface"
    assert not pg.run.config.classification and isinstance(pg.run.loss_fn, nn.MSELoss)
    pg.controls["noise"].value = 0.25
    pg.controls["train_percent"].value = 20
    assert len(pg.run.X_train) == 40 and pg.run.config.noise == 0.25
    pg.train(epochs=3)
    pg.controls["lr"].value = 0.1  # the run goes on, in a new segment
    assert pg.run.steps == 3 * pg.run.steps_per_epoch and pg.run.schedule[-1][1] == 0.1
    for name in ("x1", "x2", "x1^2", "x2^2"):
        pg.controls[f"feature:{name}"].value = False
    assert "at least" in pg.message_text or "non-empty" in pg.message_text  # explained, nothing broken
    assert pg.run.config.features  # the previous run stays
    pg.controls["feature:sin_x1"].value = True
    assert pg.run.config.features == ("sin_x1",) and pg.message_text == ""
    assert not pg.errors


def test_hovering_a_connection_shows_its_weight_and_gradient():
    pg = playground("xor", hidden=(2,))
    pg.train(epochs=3)
    diagram = pg.view.diagram
    pg.png()  # draw once, so that the axes know their place on the canvas
    index = diagram.owners.index((0, 1, 0))
    (x1, y1), (x2, y2) = diagram.segments[index]
    pixel = diagram.ax.transData.transform((x1 + 0.25 * (x2 - x1), y1 + 0.25 * (y2 - y1)))  # not where lines cross
    MouseEvent("motion_notify_event", pg.figure.canvas, *pixel)._process()
    assert pg.hovered == ("connection", 0, 1, 0)
    expected = pg.inspect(pg.hovered)
    assert f"w = {expected['value']:+.4f}" in pg.info.value and f"{expected['gradient']:+.2e}" in pg.info.value
    x, y = diagram.centers[1][0]
    MouseEvent("button_press_event", pg.figure.canvas, *diagram.ax.transData.transform((x, y)), button=1)._process()
    assert pg.hovered == ("neuron", 1, 0) and "bias b =" in pg.info.value


def test_state_dict_and_export_load_into_a_fresh_network(tmp_path):
    pg = playground("gauss", hidden=(3,), features=("x1", "x2", "x1*x2"))
    pg.train(epochs=4)
    state = pg.state_dict()
    assert {k: v.shape for k, v in state.items()} == {"0.weight": (3, 3), "0.bias": (3,), "2.weight": (1, 3),
                                                      "2.bias": (1,)}  # fmt: skip
    path = pg.export_weights(str(tmp_path / "weights.npz"))
    fresh = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
    fresh.load_state_dict(dict(np.load(path)))
    np.testing.assert_array_equal(fresh(pg.run.F_test).data, pg.model(pg.run.F_test).data)


def test_show_code_prints_both_programs(capsys):
    pg = playground("xor", hidden=(2,))
    pg.show_code()
    out = capsys.readouterr().out
    assert "from dlcourse import nn, optim" in out and "import torch" in out
    with pytest.raises(ValueError, match="'dlcourse' or 'torch'"):
        pg.code("jax")


def test_a_huge_learning_rate_says_diverged_instead_of_failing():
    pg = playground("plane", hidden=(8, 8), activation="relu", lr=10.0)
    with np.errstate(all="ignore"):
        pg.train(epochs=20)
    assert pg.run.diverged_at is not None and "diverged" in pg.message_text and not pg.errors
    pg.controls["reset"].click()
    assert pg.run.diverged_at is None and pg.epoch == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(hidden=(9,)), "each 1 … 8"),
        (dict(hidden=(2,) * 7), "up to 6 layer sizes"),
        (dict(activation="softmax"), "unknown activation"),
        (dict(features=("x3",)), "features must be"),
        (dict(lr=-1.0), "learning rate must be a positive number"),
        (dict(regularization="l3"), "regularization must be"),
        (dict(batch_size=500), "batch_size must be an integer from 1 to the 100 training points"),
    ],
)
def test_bad_configurations_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        playground("xor", **kwargs)


def test_configure_and_training_steps_from_code():
    pg = playground("xor", hidden=(2,))
    pg.configure(hidden=(3, 3), noise=0.1)
    assert pg.run.sizes == [2, 3, 3, 1] and pg.controls["neurons:2"].value == 3 and pg.controls["noise"].value == 0.1
    pg.train(steps=5)
    assert pg.run.steps == 5 and pg.epoch == pytest.approx(0.5)


def test_a_trained_twin_is_what_play_reaches_and_leaves_the_app_untouched():
    pg = playground("xor", hidden=(2,), lr=0.1, seed=4)
    before = [w.copy() for w in pg.weights()]
    twin = pg.trained_twin(epochs=3)
    assert pg.run.steps == 0 and all(np.array_equal(a, b) for a, b in zip(before, pg.weights()))
    assert twin.steps == 3 * twin.steps_per_epoch and twin.config == pg.run.config
    pg.train(epochs=3)  # the app trained from its start: the same weights and losses as the twin
    assert pg.train_loss == twin.train_loss and pg.test_loss == twin.test_loss
    assert all(np.array_equal(a, b) for a, b in zip(pg.weights(), twin.weights()))
    wider = pg.trained_twin(steps=7, hidden=(3,), regularization="l1", reg_rate=0.01)
    assert wider.sizes == [2, 3, 1] and wider.steps == 7 and wider.config.penalty_rate == 0.01
    assert pg.run.sizes == [2, 2, 1]
    with pytest.raises(ValueError, match="hidden must list"):
        pg.trained_twin(epochs=1, hidden=(9,))
