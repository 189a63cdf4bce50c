"""Containers: `Sequential` (layers applied one after the other) and `ModuleList` (a list of modules)."""

from __future__ import annotations

from collections import OrderedDict

from dlcourse.nn.module import Module


class Sequential(Module):
    """y = layer_n(… layer_2(layer_1(x))): the modules are named "0", "1", … (or by an OrderedDict's keys).

    Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)) has parameters "0.weight", "0.bias",
    "2.weight", "2.bias" — the same names as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _check_module(module, name))
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), _check_module(module, index))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def append(self, module: Module) -> Sequential:
        """Add a module at the end (named by its position); returns self."""
        self.add_module(str(len(self)), _check_module(module, len(self)))
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(modules[index]))
        try:
            return modules[index][1]
        except IndexError:
            raise IndexError(f"Sequential index {index} is out of range for {len(self)} modules") from None


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end (named by its position); returns self."""
        self.add_module(str(len(self)), _check_module(module, len(self)))
        return self

    def extend(self, modules) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(f"ModuleList index {index} is out of range for {len(self)} modules") from None

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward(): loop over it in your own module's forward")


def _check_module(module, position) -> Module:
    """A clear error when something that is not a layer (e.g. the class instead of an instance) is passed."""
    if not isinstance(module, Module):
        hint = (
            " (did you forget the parentheses, e.g. nn.ReLU() instead of nn.ReLU?)" if isinstance(module, type) else ""
        )
        raise TypeError(f"expected a Module at position {position}, got {module!r}{hint}")
    return module
