"""`dlcourse.utils`: PyTorch's `torch.utils` counterparts (so far `dlcourse.utils.data`)."""

from dlcourse.utils import data

__all__ = ["data"]
