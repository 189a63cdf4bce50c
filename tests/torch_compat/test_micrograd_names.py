"""micrograd's graph helpers run on `dlcourse.scalar.Value` (issue 15).

`trace` and the structure of `draw_dot` below are from micrograd's trace_graph.ipynb
(https://github.com/karpathy/micrograd, MIT licence), with graphviz replaced by a list of edges so
the test needs no graphviz.
"""

from __future__ import annotations

from dlcourse.scalar import Value


def trace(root):
    # builds a set of all nodes and edges in a graph (micrograd's trace, verbatim)
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root):
    # micrograd's draw_dot, recording what it would draw instead of calling graphviz
    drawn = []
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        drawn.append(("node", uid, "{ data %.4f | grad %.4f }" % (n.data, n.grad)))  # noqa: UP031 - verbatim
        if n._op:
            drawn.append(("op", uid + n._op, n._op))
            drawn.append(("edge", uid + n._op, uid))
    for n1, n2 in edges:
        drawn.append(("edge", str(id(n1)), str(id(n2)) + n2._op))
    return drawn


def test_micrograd_trace_and_draw_dot_work_on_value():
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    nodes, edges = trace(y)
    assert len(nodes) == 6 and len(edges) == 5  # x, 2, x·2, 1, x·2 + 1, relu
    drawn = draw_dot(y)
    ops = sorted(label for kind, _, label in drawn if kind == "op")
    assert ops == ["*", "+", "relu"]
    assert x._prev == set() and y._op == "relu" and y.op == "relu"  # the course's names still work
