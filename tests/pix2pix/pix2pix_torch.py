"""The authors' pix2pix UnetGenerator in plain PyTorch, for the converter
tests and the serve test.

Written here from the structure of the authors' ``models/networks.py``
(``UnetGenerator``, ``UnetSkipConnectionBlock``): the same module nesting and
order, hence the same state-dict keys (``model.model.0.weight``,
``model.model.1.model.3.model.1.weight``, ...), and in-place LeakyReLU as
theirs. ``torch_unet`` gives one with random weights and random running
statistics; ``run_torch`` runs it in eval mode or in the authors' default
test mode.
"""

import numpy as np
import torch
from torch import nn


def norm_layer(kind, channels):
    if kind == "batch":
        return nn.BatchNorm2d(channels)  # affine, running statistics, eps 1e-5, momentum 0.1
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)


class SkipBlock(nn.Module):
    """One level of the U-Net: down, the inner block, up; [x, up] unless outermost."""

    def __init__(self, outer, inner, in_ch=None, sub=None, outermost=False, innermost=False, norm="batch",
                 dropout=False):
        super().__init__()
        self.outermost = outermost
        bias = norm == "instance"
        down = nn.Conv2d(in_ch or outer, inner, 4, stride=2, padding=1, bias=bias)
        if outermost:
            layers = [down, sub, nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, stride=2, padding=1),
                      nn.Tanh()]
        elif innermost:
            layers = [nn.LeakyReLU(0.2, True), down, nn.ReLU(True),
                      nn.ConvTranspose2d(inner, outer, 4, stride=2, padding=1, bias=bias), norm_layer(norm, outer)]
        else:
            layers = [nn.LeakyReLU(0.2, True), down, norm_layer(norm, inner), sub, nn.ReLU(True),
                      nn.ConvTranspose2d(inner * 2, outer, 4, stride=2, padding=1, bias=bias), norm_layer(norm, outer)]
            if dropout:
                layers.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UNet(nn.Module):
    def __init__(self, in_ch=3, out_ch=3, num_downs=6, ngf=8, norm="batch", dropout=True):
        super().__init__()
        block = SkipBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
        for _ in range(num_downs - 5):
            block = SkipBlock(ngf * 8, ngf * 8, sub=block, norm=norm, dropout=dropout)
        block = SkipBlock(ngf * 4, ngf * 8, sub=block, norm=norm)
        block = SkipBlock(ngf * 2, ngf * 4, sub=block, norm=norm)
        block = SkipBlock(ngf, ngf * 2, sub=block, norm=norm)
        self.model = SkipBlock(out_ch, ngf, in_ch=in_ch, sub=block, outermost=True, norm=norm)

    def forward(self, x):
        return self.model(x)


def torch_unet(norm, num_downs, seed=0, dropout=True):
    torch.manual_seed(seed)
    net = UNet(num_downs=num_downs, norm=norm, dropout=dropout)
    with torch.no_grad():  # non-trivial weights, biases and running statistics everywhere
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    return net


def run_torch(net, x_nhwc, train=False):
    """Eval mode, or the authors' default test mode: train() (batch
    statistics; dropout layers kept off), one image at a time. On a copy:
    train() updates the running statistics."""
    import copy

    net = copy.deepcopy(net)
    out = []
    with torch.no_grad():
        for i in range(len(x_nhwc)):
            net.train(train)
            for m in net.modules():
                if isinstance(m, nn.Dropout):
                    m.eval()
            out.append(net(torch.from_numpy(x_nhwc[i : i + 1]).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy())
    return np.concatenate(out)
