# source: https://github.com/pytorch/pytorch/blob/main/torch/nn/modules/rnn.py
# torch.nn.LSTM docstring example: two layers, with an initial (h0, c0)
# compare: output, hn, cn
import torch
import torch.nn as nn

rnn = nn.LSTM(10, 20, 2)
input = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
c0 = torch.randn(2, 3, 20)
output, (hn, cn) = rnn(input, (h0, c0))
