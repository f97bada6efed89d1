"""Writes a torchvision ResNet as ONNX, the way importBackboneFromOnnx expects it, for tests.

usage: /usr/bin/python3 export-torchvision-resnet.py DEPTH OUT.onnx SIZE

Random weights with non-trivial batch-norm statistics (seeded). The graph returns the layer1 and
layer4 feature maps ('low', 'high'). Batch norm is kept as its own node (TrainingMode.PRESERVE, no
constant folding) so the initializers keep torchvision's state_dict names.
"""
import sys

import torch
import torchvision

depth, out, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
torch.manual_seed(depth)
net = getattr(torchvision.models, f"resnet{depth}")()
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.3, 0.3)
net.eval()


def features(x):
    x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    low = net.layer1(x)
    return low, net.layer4(net.layer3(net.layer2(low)))


net.forward = features
torch.onnx.export(
    net,
    torch.randn(1, 3, size, size),
    out,
    input_names=["image"],
    output_names=["low", "high"],
    opset_version=13,
    training=torch.onnx.TrainingMode.PRESERVE,
    do_constant_folding=False,
)
