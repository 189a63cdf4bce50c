"""Show the code: the dlcourse program, and the same in PyTorch, that replay a playground run.

    print(dlcourse_code(run))     # runs on its own and ends with the app's train and test loss
    print(torch_code(run))        # the same data, initial weights, batches and updates, in PyTorch

Both programs draw the initial weights and the order of the batches from NumPy's generator with the
run's seed, exactly as the app did, so the dlcourse program reproduces the app's losses bit for bit
and the PyTorch one up to float rounding. A run whose learning rate or penalty changed while it
trained is replayed as a schedule of segments.
"""

from __future__ import annotations

from dlcourse.data.playground import FEATURES
from dlcourse.viz.playground_model import ACTIVATIONS, PlaygroundRun


def _features_function(features) -> str:
    labels = ", ".join(FEATURES[f][0] for f in features)
    columns = ", ".join(FEATURES[f][1] for f in features)
    return (
        f"def features(X):  # what the network sees: {labels}\n"
        f"    X = X.astype(np.float64)\n"
        f"    return np.stack([{columns}], axis=1).astype(np.float32)  # (n, {len(features)})\n"
    )


def _layers(run: PlaygroundRun, prefix: str) -> str:
    sizes = run.sizes
    activation = ACTIVATIONS[run.config.activation]
    parts = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        parts.append(f"{prefix}Linear({fan_in}, {fan_out})")
        if i < len(sizes) - 2:
            parts.append(f"{prefix}{activation}()")
    return "model = nn.Sequential(\n" + "".join(f"    {p},\n" for p in parts) + ")\n"


def _penalty(kind: str, rate: str) -> str:
    """The penalty as code: rate · Σ|w| (L1) or rate · Σw² (L2) over the weight matrices."""
    term = "w.abs().sum()" if kind == "l1" else "(w**2).sum()"
    return f"{rate} * sum({term} for w in weights)"


def _indented(lines, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in lines)


def _training_loop(run: PlaygroundRun, to_tensor: str) -> str:
    """The SGD loop, as one run or as a schedule of (steps, lr, regularization, rate) segments."""
    c = run.config
    schedule = [segment for segment in run.schedule if segment[0] > 0] or [run.schedule[-1]]
    one_step = [
        "position = step % steps_per_epoch",
        "if position == 0:  # a new epoch: reshuffle the training points",
        "    order = rng.permutation(len(F_train))",
        "batch = order[position * batch_size : (position + 1) * batch_size]",
        "optimizer.zero_grad()",
        f"loss = loss_fn(model({to_tensor}(F_train[batch])), {to_tensor}(y_train[batch]))",
    ]
    update = ["loss.backward()", "optimizer.step()"]
    header = f"batch_size, steps_per_epoch = {c.batch_size}, {run.steps_per_epoch}\n"
    if len(schedule) == 1:
        steps, lr, kind, rate = schedule[0]
        penalty = [f"loss = loss + {_penalty(kind, repr(rate))}  # {kind.upper()} penalty"] if rate else []
        return (
            f"optimizer = optim.SGD(model.parameters(), lr={lr!r})\n"
            + header
            + f"for step in range({steps}):  # {steps / run.steps_per_epoch:g} epochs\n"
            + _indented(one_step + penalty + update, 4)
        )
    rows = "".join(f"    ({steps}, {lr!r}, {kind!r}, {rate!r}),\n" for steps, lr, kind, rate in schedule)
    penalty = [
        'if regularization == "l1" and rate:',
        f"    loss = loss + {_penalty('l1', 'rate')}",
        'elif regularization == "l2" and rate:',
        f"    loss = loss + {_penalty('l2', 'rate')}",
    ]
    return (
        "# the app's run in segments: the learning rate or the penalty changed while it trained\n"
        "schedule = [  # (SGD steps, learning rate, regularization, rate)\n" + rows + "]\n"
        f"optimizer = optim.SGD(model.parameters(), lr={schedule[0][1]!r})\n" + header + "step = 0\n"
        "for steps, lr, regularization, rate in schedule:\n"
        "    for group in optimizer.param_groups:\n"
        '        group["lr"] = lr\n'
        "    for _ in range(steps):\n" + _indented(one_step + penalty + update + ["step += 1"], 8)
    )


def _data(run: PlaygroundRun) -> str:
    c = run.config
    return (
        f"X_train, y_train, X_test, y_test = playground_data({c.dataset!r}, n={c.n}, noise={c.noise!r}, "
        f"train_fraction={c.train_fraction!r}, seed={c.seed})\n"
        "F_train, F_test = features(X_train), features(X_test)\n"
    )


def _loss_name(run: PlaygroundRun) -> str:
    return "BCEWithLogitsLoss" if run.config.classification else "MSELoss"


def dlcourse_code(run: PlaygroundRun) -> str:
    """A dlcourse program that rebuilds the run's data and network and trains them as the app did."""
    c = run.config
    return (
        f"# the network playground's run: {c.dataset}, {len(c.features)} features, hidden {list(c.hidden)}, "
        f"{c.activation}, {run.steps} SGD steps\n"
        "import numpy as np\n\n"
        "import dlcourse as dl\n"
        "from dlcourse import nn, optim\n"
        "from dlcourse.data import playground_data\n\n\n"
        + _features_function(c.features)
        + "\n\n"
        + _data(run)
        + _layers(run, "nn.")
        + f"rng = np.random.default_rng({c.seed})  # the initial weights, then the order of the batches\n"
        "weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]\n"
        "for layer in model:\n"
        "    if isinstance(layer, nn.Linear):  # Glorot-uniform weights, zero biases\n"
        "        nn.init.xavier_uniform_(layer.weight, seed=rng)\n"
        "        nn.init.zeros_(layer.bias)\n"
        f"loss_fn = nn.{_loss_name(run)}()\n" + _training_loop(run, "dl.tensor") + "\nwith dl.no_grad():\n"
        "    train_loss = loss_fn(model(dl.tensor(F_train)), dl.tensor(y_train)).item()\n"
        "    test_loss = loss_fn(model(dl.tensor(F_test)), dl.tensor(y_test)).item()\n"
        'print(f"train loss {train_loss:.4f}   test loss {test_loss:.4f}")\n'
    )


def torch_code(run: PlaygroundRun) -> str:
    """The same program in PyTorch: the same data and initial weights (drawn by NumPy), batches and updates."""
    c = run.config
    return (
        f"# the same run in PyTorch: {c.dataset}, {len(c.features)} features, hidden {list(c.hidden)}, "
        f"{c.activation}, {run.steps} SGD steps\n"
        "import math\n\n"
        "import numpy as np\n"
        "import torch\n"
        "from torch import nn, optim\n\n"
        "from dlcourse.data import playground_data  # the app's points, as NumPy arrays\n\n\n"
        + _features_function(c.features)
        + "\n\n"
        + _data(run)
        + _layers(run, "nn.")
        + f"rng = np.random.default_rng({c.seed})  # the initial weights, then the order of the batches\n"
        "weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]\n"
        "with torch.no_grad():\n"
        "    for layer in model:\n"
        "        if isinstance(layer, nn.Linear):  # Glorot-uniform weights drawn by NumPy, zero biases\n"
        "            fan_out, fan_in = layer.weight.shape\n"
        "            bound = math.sqrt(3.0) * math.sqrt(2.0 / (fan_in + fan_out))\n"
        "            layer.weight.copy_(torch.from_numpy(rng.uniform(-bound, bound, size=(fan_out, fan_in))))\n"
        "            layer.bias.zero_()\n"
        f"loss_fn = nn.{_loss_name(run)}()\n" + _training_loop(run, "torch.from_numpy") + "\nwith torch.no_grad():\n"
        "    train_loss = loss_fn(model(torch.from_numpy(F_train)), torch.from_numpy(y_train)).item()\n"
        "    test_loss = loss_fn(model(torch.from_numpy(F_test)), torch.from_numpy(y_test)).item()\n"
        'print(f"train loss {train_loss:.4f}   test loss {test_loss:.4f}")\n'
    )
