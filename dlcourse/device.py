"""Devices: dlcourse computes on the CPU only, so "cpu" is the one device it accepts."""

from __future__ import annotations


def check_device(device) -> None:
    """Accept None, "cpu" (or a `device("cpu")`); name the reason for anything else, e.g. "cuda"."""
    name = getattr(device, "type", device)
    if name is None:
        return
    if not isinstance(name, str):
        raise TypeError(f"expected a device name such as 'cpu', got {device!r}")
    if name.split(":")[0] != "cpu":
        raise RuntimeError(
            f"device {name!r} is not available: dlcourse runs on the CPU only (NumPy and Numba), so "
            "the only device is 'cpu'; in PyTorch the same code would move the tensor to a GPU"
        )


class device:  # noqa: N801 - PyTorch's name: torch.device("cpu")
    """`dl.device("cpu")`, so `device = torch.device("cuda" if torch.cuda.is_available() else "cpu")` runs."""

    def __init__(self, type: str = "cpu", index=None):  # noqa: A002 - PyTorch's argument name
        # Naming another device is allowed (torch allows it without a GPU too); using it is not.
        name, _, number = str(type).partition(":")
        self.type = name
        self.index = int(number) if number else index

    def __repr__(self):
        return f"device(type={self.type!r})"

    def __eq__(self, other):
        return getattr(other, "type", other) == self.type

    def __hash__(self):
        return hash(self.type)


class cuda:  # noqa: N801 - PyTorch's namespace name: torch.cuda.is_available()
    """`dl.cuda.is_available()` is False: there is no GPU support."""

    @staticmethod
    def is_available() -> bool:
        return False


class accelerator:  # noqa: N801 - PyTorch's namespace name: torch.accelerator.is_available()
    """`dl.accelerator.is_available()` is False: dlcourse computes on the CPU."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def current_accelerator():
        return None


def set_default_device(device) -> None:
    """Accept "cpu" (the only device), as `torch.set_default_device`."""
    check_device(device)


def get_default_device():
    return device("cpu")
