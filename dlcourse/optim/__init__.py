"""Optimizers (PyTorch's update rules, exactly) and learning-rate schedules.

    opt = dl.optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad(); loss.backward(); opt.step()

Each optimizer keeps what it remembers per parameter in `opt.state[param]` (readable, e.g. for plots).
"""

from dlcourse.optim import lr_scheduler
from dlcourse.optim.adagrad import Adagrad
from dlcourse.optim.adam import Adam, AdamW
from dlcourse.optim.optimizer import Optimizer
from dlcourse.optim.rmsprop import RMSprop
from dlcourse.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
