"""The neuron and perceptron playgrounds, driven headless: set a control, assert on what is drawn."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data
from dlcourse.perceptron import decision_boundary, neuron, perceptron_predict, perceptron_update, train_perceptron
from dlcourse.viz.neuron import NeuronPlayground, PerceptronPlayground


def line_xy(line):
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def on_line(xs, ys, w, b):
    """The drawn points satisfy w1·x + w2·y + b = 0."""
    return np.allclose(w[0] * xs + w[1] * ys + b, 0.0, atol=1e-9)


# ---------------------------------------------------------------------------------------------- the maths
def test_decision_boundary_is_clipped_to_the_box_and_lies_on_the_line():
    xs, ys = decision_boundary([1.0, 1.0], -1.0, (0, 2, 0, 2))
    assert sorted(zip(xs, ys)) == [(0.0, 1.0), (1.0, 0.0)]
    xs, ys = decision_boundary([0.5, 0.8], -1.0, (0, 2.1, 0, 2.1))
    assert len(xs) == 2 and on_line(xs, ys, [0.5, 0.8], -1.0)
    assert decision_boundary([0.0, 0.0], -1.0, (0, 2, 0, 2))[0].size == 0  # no line at all
    assert decision_boundary([1.0, 1.0], -10.0, (0, 2, 0, 2))[0].size == 0  # misses the box


def test_perceptron_update_moves_only_on_mistakes():
    w, b = np.array([0.5, 0.8]), -1.0
    x = np.array([1.0, 1.0])  # z = 0.3 ≥ 0 → predicted 1
    np.testing.assert_array_equal(perceptron_update(x, 1, w, b, lr=0.1)[0], w)
    w_new, b_new = perceptron_update(x, 0, w, b, lr=0.1)
    np.testing.assert_allclose(w_new, w - 0.1 * x)
    assert b_new == pytest.approx(b - 0.1)


@pytest.mark.parametrize("gate", [data.and_, data.or_])
def test_learning_rule_converges_on_separable_gates(gate):
    X, y = gate()
    run = train_perceptron(X, y, epochs=100)
    assert run.converged and run.final_accuracy == 1.0
    np.testing.assert_array_equal(perceptron_predict(X, run.w, run.b), y)


def test_learning_rule_never_separates_xor():
    X, y = data.xor()
    run = train_perceptron(X, y, epochs=100)
    assert not run.converged and len(run.epoch_accuracy) == 100
    assert max(s.accuracy_after for s in run.steps) < 1.0


def test_neuron_rejects_unknown_activation_and_mismatched_shapes():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        neuron([1.0, 2.0], [1.0, 1.0], 0.0, "softplus")
    with pytest.raises(ValueError, match="features per input"):
        neuron([1.0, 2.0, 3.0], [1.0, 1.0], 0.0, "relu")


# ---------------------------------------------------------------------------------------------- neuron app
def test_neuron_sliders_move_the_boundary_and_change_the_output():
    app = NeuronPlayground()
    xs, ys = line_xy(app.boundary)
    assert on_line(xs, ys, [0.5, 0.8], -1.0)
    before_image = np.array(app.image.get_array())
    app.controls["w1"].value = -1.5
    xs2, ys2 = line_xy(app.boundary)
    assert on_line(xs2, ys2, [-1.5, 0.8], -1.0) and not np.allclose(xs, xs2)
    assert not np.allclose(before_image, app.image.get_array())
    assert app.errors == []


def test_neuron_output_matches_the_formula_for_every_activation():
    app = NeuronPlayground(w1=2.0, w2=-1.0, b=0.5, x1=1.0, x2=3.0)
    z = 2.0 * 1.0 - 1.0 * 3.0 + 0.5
    expected = {"step": 0.0, "sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z), "relu": 0.0, "linear": z}
    for name, value in expected.items():
        app.controls["activation"].value = name
        assert app.z == pytest.approx(z)
        assert app.output_value == pytest.approx(value)
        assert app.z_point.get_ydata()[0] == pytest.approx(value)  # the dot on the activation curve
        assert f"{name}(z) = {value:.3f}" in app.message_text


def test_neuron_zero_weights_show_a_message_not_a_crash():
    app = NeuronPlayground()
    app.controls["w1"].value = 0.0
    app.controls["w2"].value = 0.0
    assert app.errors == []
    assert line_xy(app.boundary)[0].size == 0
    assert "no boundary" in app.message_text
    assert np.ptp(app.image.get_array()) == 0  # the same output everywhere
    app.png()  # still draws


def test_neuron_z_far_outside_the_curve_keeps_the_point_in_view():
    app = NeuronPlayground(w1=3.0, w2=3.0, b=3.0, x1=3.0, x2=3.0, activation="linear")
    assert app.z == pytest.approx(21.0)
    low, high = app.ax_f.get_xlim()
    assert low <= app.z <= high


def test_neuron_input_on_the_edge_is_drawn_whole_and_w_is_black_as_in_the_perceptron_app():
    # chapter 00's exercise puts the input at (1, 3), on the top edge of the plane: not cut in half
    app = NeuronPlayground(x1=1.0, x2=3.0)
    assert app.point.get_ydata()[0] == 3.0 == app.extent[3]
    assert not app.point.get_clip_on()
    # chapters 00 and 01 draw w black and (chapter 01) an update of w in orange
    perceptron = PerceptronPlayground("apples_oranges")
    black = (0.0, 0.0, 0.0, 1.0)
    assert tuple(app.weight_arrow.get_facecolor()[0]) == black == tuple(perceptron.weight_arrow.get_facecolor()[0])
    assert tuple(perceptron.update_arrow.get_facecolor()[0]) != black


# ---------------------------------------------------------------------------------------------- perceptron app
def test_perceptron_sliders_move_the_boundary_at_step_zero():
    app = PerceptronPlayground()
    xs, ys = line_xy(app.boundary)
    assert on_line(xs, ys, [0.5, 0.8], -1.0)
    app.controls["b"].value = -1.5
    xs2, ys2 = line_xy(app.boundary)
    assert on_line(xs2, ys2, [0.5, 0.8], -1.5) and not np.allclose(ys, ys2)
    assert app.controls["step"].value == 0


def test_perceptron_hand_weights_misclassify_a_few_fruit():
    app = PerceptronPlayground()
    X, y = data.apples_oranges(n=40, seed=0)
    n_wrong = int(np.sum(perceptron_predict(X, [0.5, 0.8], -1.0) != y))
    assert len(app.wrong.get_xdata()) == n_wrong > 0
    assert f"{40 - n_wrong}/40 right" in app.message_text


def test_perceptron_step_button_advances_the_rule_and_moves_highlight_and_arrow():
    app = PerceptronPlayground()
    assert len(app.highlight.get_xdata()) == 0 and not app.update_arrow.get_visible()
    app.controls["next"].click()
    assert app.controls["step"].value == 1
    first = app.run.steps[0]
    np.testing.assert_allclose(line_xy(app.highlight), [[app.X[first.index, 0]], [app.X[first.index, 1]]])
    app.controls["next_mistake"].click()
    k = app.controls["step"].value
    step = app.run.steps[k - 1]
    assert step.mistake and k > 1
    np.testing.assert_allclose(line_xy(app.highlight), [[app.X[step.index, 0]], [app.X[step.index, 1]]])
    assert app.update_arrow.get_visible()
    delta = np.array([app.update_arrow.U[0], app.update_arrow.V[0]]) / app.arrow_scale
    np.testing.assert_allclose(delta, step.w_after - step.w_before)
    np.testing.assert_allclose(delta, app.controls["lr"].value * (step.target - step.prediction) * app.X[step.index])
    xs, ys = line_xy(app.boundary)
    assert on_line(xs, ys, step.w_after, step.b_after)
    assert "truly" in app.message_text and app.errors == []


def test_play_widget_drives_the_same_steps():
    app = PerceptronPlayground(dataset="or")
    app.controls["play"].value = 3  # what the browser's play button does, one frame at a time
    assert app.controls["step"].value == 3
    w, b = app.current_weights
    np.testing.assert_allclose(w, app.run.steps[2].w_after)


def test_perceptron_converges_on_apples_and_not_on_xor_in_the_app():
    app = PerceptronPlayground()
    app.controls["step"].value = app.controls["step"].max
    assert app.run.converged and "converged" in app.message_text
    assert len(app.wrong.get_xdata()) == 0
    app.controls["dataset"].value = "xor"
    assert app.controls["step"].value == 0  # a new run starts at its beginning
    app.controls["step"].value = app.controls["step"].max
    assert not app.run.converged and "not converged" in app.message_text
    assert max(app.acc_line.get_ydata()) < 1.0
    assert app.errors == []


def test_perceptron_zero_weights_show_a_message_not_a_crash():
    app = PerceptronPlayground(dataset="and")
    app.controls["w1"].value = 0.0
    app.controls["w2"].value = 0.0
    app.controls["b"].value = 0.0
    assert app.errors == []
    assert line_xy(app.boundary)[0].size == 0
    assert "no boundary" in app.message_text
    assert not app.weight_arrow.get_visible()
    app.controls["next"].click()  # the rule still runs from w = 0
    assert app.errors == [] and app.controls["step"].value == 1
    app.png()


def test_extreme_learning_rate_and_weights_do_not_break_the_app():
    app = PerceptronPlayground(dataset="xor", w1=3.0, w2=-3.0, b=3.0)
    app.controls["lr"].value = 10.0
    app.controls["step"].value = app.controls["step"].max
    assert app.errors == []
    assert np.isfinite(app.current_weights[0]).all()
    app.png()
