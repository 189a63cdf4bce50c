# source: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# "What is torch.nn really?": refactored with nn.Module, nn.Linear, F.cross_entropy, optim, TensorDataset,
# DataLoader and the fit/get_data helpers. MNIST is replaced by random stand-in data (lines marked "stand-in").
# compare: model.lin.weight, model.lin.bias, loss, val_loss
# rtol: 1e-4
import torch
import torch.nn.functional as F
from torch import nn
from torch import optim
from torch.utils.data import TensorDataset
from torch.utils.data import DataLoader
import numpy as np

x_train, y_train = torch.rand(256, 784), torch.randint(0, 10, (256,))  # stand-in for MNIST
x_valid, y_valid = torch.rand(128, 784), torch.randint(0, 10, (128,))  # stand-in for MNIST
bs = 64
lr = 0.5
epochs = 2
loss_func = F.cross_entropy

class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)

def get_model():
    model = Mnist_Logistic()
    return model, optim.SGD(model.parameters(), lr=lr)

def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)

def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)
    return val_loss

def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=False),
        DataLoader(valid_ds, batch_size=bs * 2),
    )

train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
val_loss = fit(epochs, model, loss_func, opt, train_dl, valid_dl)
loss = loss_func(model(x_valid), y_valid)
