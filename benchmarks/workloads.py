"""The course's standard workloads (../shared/WORKLOADS.md), each for dlcourse and for PyTorch CPU.

Each `wN_*` function builds its model and data, then returns a zero-argument callable that runs the
timed part (graph building, backward, optimizer steps — everything a learner waits for).
"""

from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------------------------------- data
def _digits_train():
    from dlcourse.data import digits, train_test_split

    images, labels = digits()
    X = images.reshape(len(images), -1).astype(np.float32)  # (1797, 64)
    X_train, _, y_train, _ = train_test_split(X, labels, test_size=360, seed=0)
    return X_train, y_train  # 1437 training images


def _xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return X, y


def _sines(n=32, length=51, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float32) * 0.2
    phase = rng.uniform(0, 2 * np.pi, (n, 1)).astype(np.float32)
    freq = rng.uniform(0.5, 1.5, (n, 1)).astype(np.float32)
    return np.sin(freq * t + phase)[..., None].astype(np.float32)  # (n, length, 1)


def _batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


# ---------------------------------------------------------------------------------------- dlcourse
def w1_xor_dlcourse():
    import dlcourse as dl
    from dlcourse import nn, optim

    X, y = _xor()
    X, y = dl.tensor(X), dl.tensor(y)
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Linear(4, 1, seed=1), nn.Sigmoid())
    opt = optim.SGD(model.parameters(), lr=0.5)

    def run():
        for _ in range(2000):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def _dlcourse_epochs(model, opt, loader, epochs):
    """The timed part of W2/W3: `epochs` passes of mini-batch cross-entropy training."""
    from dlcourse import nn

    loss_fn = nn.CrossEntropyLoss()

    def run():
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
        return loss.item()

    return run


def w2_mlp_digits_dlcourse():
    from dlcourse import nn, optim
    from dlcourse.data import DataLoader

    X, y = _digits_train()
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    return _dlcourse_epochs(model, opt, DataLoader(X, y, batch_size=32, shuffle=True, seed=0), epochs=10)


def _cnn_dlcourse(nn):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64, 10),
    )


def w3_cnn_digits_dlcourse():
    from dlcourse import nn, optim
    from dlcourse.data import DataLoader

    X, y = _digits_train()
    X = X.reshape(-1, 1, 8, 8)  # (N, C, H, W)
    model = _cnn_dlcourse(nn)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    return _dlcourse_epochs(model, opt, DataLoader(X, y, batch_size=64, shuffle=True, seed=0), epochs=5)


def w4_lstm_sine_dlcourse():
    import dlcourse as dl
    from dlcourse import nn, optim

    seqs = _sines()
    x, target = dl.tensor(seqs[:, :-1]), dl.tensor(seqs[:, 1:])  # (32, 50, 1) each
    lstm, head = nn.LSTM(1, 32, batch_first=True), nn.Linear(32, 1)
    opt = optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-2)

    def run():
        for _ in range(200):
            opt.zero_grad()
            out, _ = lstm(x)  # (32, 50, 32)
            loss = ((head(out) - target) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def _landscape_data(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n).astype(np.float32)
    y = (1.5 * x - 0.5 + rng.normal(0, 0.3, n)).astype(np.float32)
    w = np.linspace(-3, 3, 201, dtype=np.float32)
    b = np.linspace(-3, 3, 201, dtype=np.float32)
    return x, y, w, b


def w5_landscape_dlcourse():
    from dlcourse.kernels.landscape import linear_mse_grid

    x, y, w, b = _landscape_data()

    def run():
        for _ in range(20):
            grid = linear_mse_grid(w, b, x, y)
        return float(grid.min())

    return run


def w6_scalar_moons_dlcourse():
    from dlcourse.data import moons
    from dlcourse.scalar_nn import MLP

    X, y = moons(100, noise=0.1, seed=0)
    return _scalar_moons_run(MLP(2, [16, 16, 1], seed=0), X, y * 2.0 - 1.0)


def _scalar_moons_run(model, X, y):
    """Karpathy's micrograd demo loop: hinge loss + L2, 10 full-batch SGD steps."""
    rows = [[float(a), float(b)] for a, b in X]
    params = model.parameters()

    def run():
        for step in range(10):
            scores = [model(row) for row in rows]
            losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
            loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
            for p in params:
                p.grad = 0.0
            loss.backward()
            lr = 1.0 - 0.9 * step / 100
            for p in params:
                p.data -= lr * p.grad
        return loss.data

    return run


# ---------------------------------------------------------------------------------------- PyTorch
def w1_xor_torch():
    import torch

    torch.manual_seed(0)
    X, y = (torch.tensor(a) for a in _xor())
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.5)

    def run():
        for _ in range(2000):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def _torch_epochs(model, opt, X, y, batch_size, epochs):
    import torch

    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.tensor(X), torch.tensor(y)
    rng = np.random.default_rng(0)

    def run():
        for _ in range(epochs):
            for idx in _batches(len(X), batch_size, rng):
                idx = torch.from_numpy(idx)
                opt.zero_grad()
                loss = loss_fn(model(X[idx]), y[idx])
                loss.backward()
                opt.step()
        return loss.item()

    return run


def w2_mlp_digits_torch():
    import torch

    torch.manual_seed(0)
    X, y = _digits_train()
    nn = torch.nn
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    return _torch_epochs(model, torch.optim.Adam(model.parameters(), lr=1e-3), X, y, 32, 10)


def w3_cnn_digits_torch():
    import torch

    torch.manual_seed(0)
    X, y = _digits_train()
    model = _cnn_dlcourse(torch.nn)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    return _torch_epochs(model, opt, X.reshape(-1, 1, 8, 8), y, 64, 5)


def w4_lstm_sine_torch():
    import torch

    torch.manual_seed(0)
    seqs = torch.tensor(_sines())
    x, target = seqs[:, :-1], seqs[:, 1:]
    lstm, head = torch.nn.LSTM(1, 32, batch_first=True), torch.nn.Linear(32, 1)
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-2)

    def run():
        for _ in range(200):
            opt.zero_grad()
            out, _ = lstm(x)
            loss = ((head(out) - target) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def w5_landscape_torch():
    import torch

    x, y, w, b = (torch.tensor(a) for a in _landscape_data())

    def run():
        for _ in range(20):
            # the naive way: a (201, 201, 1000) tensor of predictions
            pred = w[:, None, None] * x[None, None, :] + b[None, :, None]
            grid = ((pred - y) ** 2).mean(dim=-1)
        return float(grid.min())

    return run


def w6_scalar_moons_micrograd():
    from micrograd.nn import MLP  # micrograd 0.1.0, the reference scalar engine

    from dlcourse.data import moons

    X, y = moons(100, noise=0.1, seed=0)
    import random

    random.seed(0)
    return _scalar_moons_run(MLP(2, [16, 16, 1]), X, y * 2.0 - 1.0)


WORKLOADS = {
    "W1 xor": (w1_xor_dlcourse, w1_xor_torch),
    "W2 mlp_digits": (w2_mlp_digits_dlcourse, w2_mlp_digits_torch),
    "W3 cnn_digits": (w3_cnn_digits_dlcourse, w3_cnn_digits_torch),
    "W4 lstm_sine": (w4_lstm_sine_dlcourse, w4_lstm_sine_torch),
    "W5 landscape": (w5_landscape_dlcourse, w5_landscape_torch),
    "W6 scalar_moons": (w6_scalar_moons_dlcourse, w6_scalar_moons_micrograd),
}
