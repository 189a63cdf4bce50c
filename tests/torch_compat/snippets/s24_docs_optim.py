# source: https://github.com/pytorch/pytorch/blob/main/docs/source/optim.md
# torch.optim docs: "Taking an optimization step", per-parameter options, and the StepLR schedule example.
# The docs leave `model`, `dataset` and `loss_fn` to the reader: the three lines marked "stand-in" define them.
# compare: model[0].weight, model[2].bias, loss, optimizer.param_groups[0]["lr"], optimizer2.param_groups[1]["lr"]
# rtol: 1e-4
import torch
from torch import nn, optim
from torch.optim.lr_scheduler import StepLR

model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))  # stand-in
dataset = [(torch.randn(16, 4), torch.randn(16, 2)) for _ in range(5)]  # stand-in
loss_fn = nn.MSELoss()  # stand-in

optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
optimizer2 = optim.SGD([
    {'params': model[0].parameters(), 'lr': 1e-2},
    {'params': model[2].parameters()}
], lr=1e-3, momentum=0.9)

for input, target in dataset:
    optimizer.zero_grad()
    output = model(input)
    loss = loss_fn(output, target)
    loss.backward()
    optimizer.step()

scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(100):
    for input, target in dataset:
        optimizer.zero_grad()
        output = model(input)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
    scheduler.step()
