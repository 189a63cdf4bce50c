"""The backprop graph explorer, driven headless: layout, the replayed backward pass, and stepping."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.scalar import Value
from dlcourse.viz.graph import MAX_NODES, GraphExplorer, backward_trace, graph_layout


def neuron():
    """o = tanh(x1·w1 + x2·w2 + b), with every input labelled: 10 nodes."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def reused():
    """L = (a·b + a)·4: `a` reaches L along two paths, so its gradient is a sum."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return (a * b + a) * 4.0


def fresh_backward_grads(build):
    """The gradients Value.backward() computes, node by node in topological order."""
    root = build()
    root.backward()
    return np.array([node.grad for node in root.topological_order()])


def box_fill(app, i):
    return app.node_texts[i].get_bbox_patch().get_facecolor()


@pytest.mark.parametrize("build", [neuron, reused, lambda: Value(3.0) * Value(3.0) + 1.0])
def test_every_edge_points_from_an_earlier_column_to_a_later_one(build):
    layout = graph_layout(build())
    x = layout.positions[:, 0]
    assert all(x[child] < x[parent] for child, parent, _ in layout.edges)
    assert x[-1] == x.max()  # the output is in the last column
    # no two boxes on the same spot
    assert len({tuple(p) for p in layout.positions}) == len(layout.nodes)


@pytest.mark.parametrize("build", [neuron, reused])
def test_the_replayed_backward_pass_ends_with_the_grads_of_value_backward(build):
    trace = backward_trace(graph_layout(build()))
    np.testing.assert_allclose(trace.grads[-1], fresh_backward_grads(build))
    assert trace.final[-1].all() and trace.reached[-1].all()
    assert trace.reached[0].sum() == 1  # before the first step only the output has a gradient (1)


def test_a_value_used_twice_collects_both_contributions():
    layout = graph_layout(reused())
    trace = backward_trace(layout)
    a = next(i for i, node in enumerate(layout.nodes) if node.label == "a")
    assert trace.grads[-1, a] == pytest.approx(4.0 * (-3.0 + 1.0))  # dL/da = 4·(b + 1) = -8
    # after the '+' node has pushed its share, a has a partial gradient that is not final yet
    partial = [k for k in range(len(trace.grads)) if trace.reached[k, a] and not trace.final[k, a]]
    assert partial and trace.grads[partial[0], a] == pytest.approx(4.0)


def test_the_explorer_leaves_the_values_untouched():
    root = neuron()
    GraphExplorer(root).controls["step"].value = 5
    assert all(node.grad == 0.0 for node in root.topological_order())


def test_stepping_moves_the_highlight_and_fills_in_gradients():
    app = GraphExplorer(neuron())
    n_steps = len(app.trace.order)
    assert app.controls["step"].max == n_steps == 5  # one step per operation node
    assert app.current is None and len(app.highlight.get_segments()) == 0
    assert all(t.get_text().endswith("grad ?") for t in app.node_texts[:-1])
    assert app.node_texts[-1].get_text().endswith("grad 1")
    for step in range(1, n_steps + 1):
        app.controls["next"].click()
        assert app.step == step
        current = app.current
        assert current == app.trace.order[step - 1]
        n_children = len(app.graph.nodes[current].children)
        assert len(app.highlight.get_segments()) == n_children
        assert tuple(box_fill(app, current)) != tuple(box_fill(app, app.trace.order[step - 2])) or step == 1
        assert app.graph.nodes[current].op in app.node_texts[current].get_text()
    expected = fresh_backward_grads(neuron)
    shown = [float(t.get_text().rsplit("grad ", 1)[1]) for t in app.node_texts]
    np.testing.assert_allclose(shown, expected, rtol=1e-3, atol=1e-4)  # shown with 4 significant digits
    assert "done" in app.message_text and not app.errors


def test_back_and_reset_undo_steps():
    app = GraphExplorer(reused())
    app.controls["step"].value = app.controls["step"].max
    before = [t.get_text() for t in app.node_texts]
    app.controls["back"].click()
    assert app.step == app.controls["step"].max - 1
    assert [t.get_text() for t in app.node_texts] != before
    app.controls["reset"].click()
    assert app.step == 0 and "forward pass done" in app.message_text
    app.controls["back"].click()  # already at the start: stays there, no error
    assert app.step == 0 and not app.errors


def test_the_message_spells_out_the_chain_rule_at_the_current_node():
    app = GraphExplorer(reused())
    app.controls["step"].value = 1  # the output node: L = e · 4
    assert "grad 1" in app.message_text and "+= 4 × 1" in app.message_text


def test_local_derivatives_can_be_hidden():
    app = GraphExplorer(neuron())
    assert all(t.get_visible() for t in app.edge_texts)
    app.controls["show_local"].value = False
    assert not any(t.get_visible() for t in app.edge_texts)


def test_a_lone_number_has_nothing_to_step_through():
    app = GraphExplorer(Value(3.0, label="x"))
    assert app.controls["step"].disabled and app.trace.order == []
    assert "nothing to backpropagate" in app.message_text and not app.errors


def test_too_large_graphs_and_wrong_inputs_are_refused_clearly():
    total = Value(0.0)
    for i in range(MAX_NODES):
        total = total + Value(float(i))
    with pytest.raises(ValueError, match="too many to draw"):
        GraphExplorer(total)
    with pytest.raises(TypeError, match="needs a dlcourse.scalar.Value"):
        graph_layout(3.0)


def test_blitted_frames_paste_unchanged_boxes_and_look_exactly_as_drawn():
    """Live frames paste the picture of a box whose look returns instead of drawing its text again."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    app = GraphExplorer(neuron())
    app.redraw = app.redraw_frame = lambda: None  # frames are painted below, as the live canvas does
    for artist in app._animated:
        artist.set_animated(True)
    app.figure.canvas.mpl_connect("draw_event", app._on_full_draw)
    FigureCanvasAgg.draw(app.figure.canvas)
    texts_drawn = []
    draw_artist = app.figure.draw_artist
    app.figure.draw_artist = lambda a: (texts_drawn.append(a) if a in app.node_texts else None, draw_artist(a))[1]
    last, seen = app.controls["step"].max, set()
    for k in [*range(last + 1), *range(last, -1, -1), 3, 1]:
        app.controls["step"].value = k
        texts_drawn.clear()
        assert app._paint_frame()
        painted = np.asarray(app.figure.canvas.buffer_rgba()).copy()
        if k in seen:  # a step shown before: its boxes are pasted, not drawn
            assert texts_drawn == []
        seen.add(k)
        kept, app._windows, app._boxes = (app._windows, app._boxes), {}, {}
        app._paint_frame()  # every box drawn
        np.testing.assert_array_equal(painted, np.asarray(app.figure.canvas.buffer_rgba()))
        app._windows, app._boxes = kept
