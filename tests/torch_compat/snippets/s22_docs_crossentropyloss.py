# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/loss.py
# torch.nn.CrossEntropyLoss docstring example with class indices (torch.empty(...).random_(5))
# compare: output, input.grad, target
import torch
import torch.nn as nn

# Example of target with class indices
loss = nn.CrossEntropyLoss()
input = torch.randn(3, 5, requires_grad=True)
target = torch.empty(3, dtype=torch.long).random_(5)
output = loss(input, target)
output.backward()
