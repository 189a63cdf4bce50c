"""`dlcourse.nn`: layers, losses and initialisation with PyTorch's names, shapes and defaults.

    from dlcourse import nn
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    loss = nn.MSELoss()(model(x), y)

`nn.functional` (imported as F) holds the same operations as plain functions; `nn.init` the
initialisers. `RNN` and `LSTM` are loaded from `nn/rnn.py` on first use.
"""

from dlcourse.nn import functional, init, utils
from dlcourse.nn.activation import ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from dlcourse.nn.container import ModuleList, Sequential
from dlcourse.nn.conv import Conv2d
from dlcourse.nn.dropout import Dropout
from dlcourse.nn.flatten import Flatten
from dlcourse.nn.linear import Linear
from dlcourse.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from dlcourse.nn.module import Module, Parameter
from dlcourse.nn.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Flatten",
    "GELU",
    "HingeLoss",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LSTM",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "RNN",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]


def __getattr__(name):
    """`nn.RNN` / `nn.LSTM` live in nn/rnn.py, imported on first use (so `dlcourse.nn` works without it)."""
    if name in ("RNN", "LSTM"):
        import importlib

        try:
            rnn = importlib.import_module("dlcourse.nn.rnn")
        except ModuleNotFoundError as error:
            if error.name != "dlcourse.nn.rnn":
                raise  # a real problem inside rnn.py: show it
            raise AttributeError(f"dlcourse.nn.{name} is not available (dlcourse/nn/rnn.py is missing)") from None
        return getattr(rnn, name)
    raise AttributeError(f"module 'dlcourse.nn' has no attribute {name!r}")
