"""Writes a randomly initialised PyTorch network's weights in one file format, and what the network
computes on a seeded input, for the weight-import tests. Nothing is downloaded.

usage: /usr/bin/python3 write-torch-weights.py JOBS.json
JOBS.json: a list of {"arch": ARCH, "kind": KIND, "out": FILE, "size": INPUT_SIZE} (one process for all:
importing torch is most of the time)

ARCH: resnet18 | resnet34 | resnet50 | resnet101 | mobilenet_v2 | deep-resnet18 | deep-resnet50
      (deep-*: UniMatch's deep-stem layout) | unimatch-deeplab (UniMatch's DeepLabV3+ on a
      deep-stem ResNet-50 at output stride 16, small decoder: ASPP 16, low level 8, decoder 16, 3 classes)
      | shapes:FILE.json (random tensors with the names and shapes in FILE, no network)
KIND: state-dict | legacy (the format before PyTorch 1.6) | checkpoint (under 'model', names prefixed 'module.', with optimizer state and an epoch)
      | safetensors (written byte by byte: header length, JSON header, little-endian data)
      | onnx (torch.onnx.export defaults: batch norm folded) | onnx-bn (batch norm kept)
      | evil (a state dict whose pickle also calls os.system to create OUT.ran)
Writes OUT and OUT.json: {"input": [N,C,H,W] data, "outputs": {"low"|"high"|"logits": {"shape", "data"}}}.
"""
import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision



def deep_stem_resnet(depth):
    net = getattr(torchvision.models, f"resnet{depth}")(replace_stride_with_dilation=[False, False, depth >= 50])
    block = type(net.layer1[0])
    net.conv1 = nn.Sequential(
        nn.Conv2d(3, 64, 3, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
        nn.Conv2d(64, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
        nn.Conv2d(64, 128, 3, 1, 1, bias=False))
    net.bn1 = nn.BatchNorm2d(128)
    # rebuild layer1 for the stem's 128 channels, undilated (_make_layer reads the dilation layer4 left)
    net.inplanes, dilation, net.dilation = 128, net.dilation, 1
    net.layer1 = net._make_layer(block, 64, len(net.layer1))
    net.inplanes, net.dilation = 2048 if depth >= 50 else 512, dilation
    return net


def conv_bn_relu(cin, cout, k, dilation=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=dilation * (k // 2), dilation=dilation, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True))


class ASPPPooling(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True))

    def forward(self, x):
        return F.interpolate(self.gap(x), x.shape[-2:], mode="bilinear", align_corners=True)


class ASPP(nn.Module):
    def __init__(self, cin, cout, rates):
        super().__init__()
        self.b0 = conv_bn_relu(cin, cout, 1)
        self.b1, self.b2, self.b3 = (conv_bn_relu(cin, cout, 3, r) for r in rates)
        self.b4 = ASPPPooling(cin, cout)
        self.project = conv_bn_relu(5 * cout, cout, 1)

    def forward(self, x):
        return self.project(torch.cat([self.b0(x), self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1))


class UniMatchDeepLabV3Plus(nn.Module):
    """UniMatch's model/semseg/deeplabv3plus.py layout, with the decoder's widths as parameters."""

    def __init__(self, aspp=16, low=8, decoder=16, classes=3):
        super().__init__()
        self.backbone = deep_stem_resnet(50)
        self.head = ASPP(2048, aspp, (6, 12, 18))
        self.reduce = conv_bn_relu(256, low, 1)
        self.fuse = nn.Sequential(*conv_bn_relu(aspp + low, decoder, 3), *conv_bn_relu(decoder, decoder, 3))
        self.classifier = nn.Conv2d(decoder, classes, 1, bias=True)

    def forward(self, x):
        b = self.backbone
        c1 = b.layer1(b.maxpool(b.relu(b.bn1(b.conv1(x)))))
        c4 = b.layer4(b.layer3(b.layer2(c1)))
        c4 = F.interpolate(self.head(c4), c1.shape[-2:], mode="bilinear", align_corners=True)
        return (self.classifier(self.fuse(torch.cat([self.reduce(c1), c4], 1))),)


class Features(nn.Module):
    """A backbone returning (low, high): ResNet layer1 and layer4, MobileNetV2 features 3 and 17."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        n = self.net
        if hasattr(n, "features"):
            low = n.features[:4](x)
            return low, n.features[4:18](low)
        low = n.layer1(n.maxpool(n.relu(n.bn1(n.conv1(x)))))
        return low, n.layer4(n.layer3(n.layer2(low)))


def write(arch, kind, out, size):
    torch.manual_seed(7)
    if arch.startswith("shapes:"):
        shapes = json.load(open(arch[len("shapes:"):]))
        state = {name: torch.rand(shape) + 0.5 if name.endswith("running_var") else torch.randn(shape) for name, shape in shapes.items()}
        net = None
    else:
        if arch == "unimatch-deeplab":
            net = UniMatchDeepLabV3Plus()
        elif arch.startswith("deep-resnet"):
            net = deep_stem_resnet(int(arch[len("deep-resnet"):]))
        else:
            net = getattr(torchvision.models, arch)()
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.3, 0.3)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.3, 0.3)
        net.eval()
        state = net.state_dict()

    if kind == "state-dict":
        torch.save(state, out)
    elif kind == "legacy":
        torch.save(state, out, _use_new_zipfile_serialization=False)
    elif kind == "checkpoint":
        optimizer = torch.optim.SGD([t for t in state.values() if t.is_floating_point()], lr=0.01, momentum=0.9)
        torch.save({"model": {f"module.{k}": v for k, v in state.items()}, "optimizer": optimizer.state_dict(), "epoch": 3, "previous_best": 71.5}, out)
    elif kind == "safetensors":
        codes = {torch.float32: "F32", torch.int64: "I64"}
        header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
        for name, t in state.items():
            data = t.contiguous().numpy().tobytes()
            header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
            blobs.append(data)
            offset += len(data)
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(out, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    elif kind == "evil":
        class Evil:
            def __reduce__(self):
                import os
                return (os.system, (f"touch '{out}.ran'",))
        torch.save({"conv1.weight": state["conv1.weight"], "x": Evil()}, out)
    elif kind in ("onnx", "onnx-bn"):
        extra = {} if kind == "onnx" else {"training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False}
        torch.onnx.export(net, torch.randn(1, 3, size, size), out, opset_version=13, **extra)
    else:
        sys.exit(f"unknown kind {kind}")

    if net is not None:
        x = torch.randn(1, 3, size, size)
        model = net if arch == "unimatch-deeplab" else Features(net)
        with torch.no_grad():
            outputs = model(x)
        names = ["logits"] if arch == "unimatch-deeplab" else ["low", "high"]
        result = {"input": x.flatten().tolist(), "outputs": {n: {"shape": list(o.shape), "data": o.flatten().tolist()} for n, o in zip(names, outputs)}}
        json.dump(result, open(out + ".json", "w"))


for job in json.load(open(sys.argv[1])):
    write(job["arch"], job["kind"], job["out"], int(job["size"]))
