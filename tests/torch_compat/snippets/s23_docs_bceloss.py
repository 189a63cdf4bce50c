# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/loss.py
# torch.nn.BCELoss and BCEWithLogitsLoss docstring examples
# compare: output, input.grad, output2, input2.grad
import torch
import torch.nn as nn

m = nn.Sigmoid()
loss = nn.BCELoss()
input = torch.randn(3, requires_grad=True)
target = torch.empty(3).random_(2)
output = loss(m(input), target)
output.backward()

loss2 = nn.BCEWithLogitsLoss()
input2 = torch.randn(3, requires_grad=True)
target2 = torch.empty(3).random_(2)
output2 = loss2(input2, target2)
output2.backward()
