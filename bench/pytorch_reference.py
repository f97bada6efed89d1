#!/usr/bin/env python3
"""PyTorch reference for ssseg's W1, W2, W3, W5 and peak (defined in BENCHMARKS.md), CPU, 2 threads.

A yardstick for the tfjs numbers in BENCHMARKS.md, never a dependency of the project.
Prints one JSON object: median ms per training step of each workload.

    /usr/bin/python3 bench/pytorch_reference.py [--steps 5] [--warmup 2] [--threads 2] [--only w1|w2|w3|w5|peak]

W1: B=8, 64x64x3; conv3x3 16 s1, conv3x3 32 s2, conv3x3 64 s2 (+ReLU), 1x1 conv to 11 classes,
    bilinear upsample to 64x64, softmax cross entropy, Adam.
W2: one UniMatch step of DeepLabV3+ ResNet-18 (UniMatch layout: deep stem, plain 3x3 atrous ASPP
    6/12/18, output stride 16), 2 labelled + 2 unlabelled 128x128 images, 21 classes, SGD, the
    pseudo-label threshold at 0; then the same step plus a naive IPixMatch term (affinity, KL,
    every pixel kept) on both strong views at the decoder's stride-4 resolution, built the
    [M, M] way (M = 32 * 32 = 1024 per image).
W3: the IPixMatch term alone: affinity KL forward + backward (gradient of the student logits) for
    B=8 images of M=4096 pixels (64x64), 21 classes, the naive [M, M] way one image at a time
    (the whole batch at once would hold ~4 GiB of [B, M, M] intermediates).
W5: the step the IPixMatch experiment pays for: one UniMatch step of a U-Net 16/3 (BN, full-size
    logits) on 8 labelled + 8 unlabelled 64x64 images, 11 classes (mnist-seg's shapes), SGD,
    without and with the IPixMatch term at stride 2 (logits resized to 32x32, M = 1024).
peak: the machine's measured peak, one forward 3x3 convolution (256 -> 256 channels, 32x32, batch 8,
    stride 1, zero padding 1), reported with its FLOPs (2 * B * H * W * Cin * Cout * 9) and GFLOP/s.
Every workload also reports the process's peak RSS so far (MiB), so run one workload per process
(--only) to compare memory.

Debian's python3-torch links the reference (netlib) BLAS, ~15x slower on matmul; for a fair
reference run it with OpenBLAS, without installing it system-wide:
    apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb /tmp/openblas
    LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
      /usr/bin/python3 bench/pytorch_reference.py
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------
# W1

class W1Net(nn.Module):
    def __init__(self, classes=11):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, 1, 1)
        self.c2 = nn.Conv2d(16, 32, 3, 2, 1)
        self.c3 = nn.Conv2d(32, 64, 3, 2, 1)
        self.head = nn.Conv2d(64, classes, 1)

    def forward(self, x):
        h = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        return F.interpolate(self.head(h), size=x.shape[2:], mode='bilinear', align_corners=False)


def w1_step_fn():
    torch.manual_seed(1)
    net = W1Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x = torch.rand(8, 3, 64, 64)
    y = torch.randint(0, 11, (8, 64, 64))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


# ---------------------------------------------------------------------------------------------
# W2: DeepLabV3+ ResNet-18 in UniMatch's layout

def conv_bn_relu(cin, cout, k=3, stride=1, dilation=1):
    pad = dilation * (k // 2)
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1, dilation=1, prev_dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, prev_dilation, dilation=prev_dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.down is None else self.down(x)))


class ResNet18Deep(nn.Module):
    """Deep stem (3 -> 64 -> 64 -> 128), layer4 dilated (output stride 16)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn_relu(3, 64, stride=2), conv_bn_relu(64, 64), conv_bn_relu(64, 128), nn.MaxPool2d(3, 2, 1))
        self.layer1 = nn.Sequential(BasicBlock(128, 64), BasicBlock(64, 64))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 1, 2, 1), BasicBlock(512, 512, 1, 2, 2))

    def forward(self, x):
        c1 = self.layer1(self.stem(x))
        return c1, self.layer4(self.layer3(self.layer2(c1)))


class ASPP(nn.Module):
    def __init__(self, cin, cout=256, rates=(6, 12, 18)):
        super().__init__()
        self.b0 = conv_bn_relu(cin, cout, 1)
        self.b = nn.ModuleList([conv_bn_relu(cin, cout, 3, dilation=r) for r in rates])
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True))
        self.project = nn.Sequential(conv_bn_relu(cout * 5, cout, 1), nn.Dropout2d(0.5))

    def forward(self, x):
        h, w = x.shape[2:]
        pooled = F.interpolate(self.pool(x), size=(h, w), mode='bilinear', align_corners=True)
        return self.project(torch.cat([self.b0(x)] + [b(x) for b in self.b] + [pooled], 1))


class DeepLabV3Plus(nn.Module):
    def __init__(self, classes=21):
        super().__init__()
        self.backbone = ResNet18Deep()
        self.head = ASPP(512)
        self.reduce = conv_bn_relu(64, 48, 1)
        self.fuse = nn.Sequential(conv_bn_relu(256 + 48, 256), conv_bn_relu(256, 256))
        self.classifier = nn.Conv2d(256, classes, 1)

    def decode(self, c1, c4):
        c4 = F.interpolate(self.head(c4), size=c1.shape[2:], mode='bilinear', align_corners=True)
        return self.classifier(self.fuse(torch.cat([self.reduce(c1), c4], 1)))

    def forward(self, x, need_fp=False):
        """Logits at stride 4 (the decoder's resolution); with need_fp also the feature-perturbed ones."""
        c1, c4 = self.backbone(x)
        if need_fp:
            out = self.decode(torch.cat([c1, F.dropout2d(c1, 0.5, True)]), torch.cat([c4, F.dropout2d(c4, 0.5, True)]))
            return out.chunk(2)
        return self.decode(c1, c4)


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout))


class UNet(nn.Module):
    """ssseg's U-Net: levels of baseWidth * 2^i channels, max-pool 2 (ceil), decoder resizes
    (half-pixel bilinear) to the skip's size and concatenates [skip, upsampled]."""

    def __init__(self, classes=11, base=16, depth=3):
        super().__init__()
        width = [base * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([DoubleConv(3 if i == 0 else width[i - 1], width[i]) for i in range(depth)])
        self.bottom = DoubleConv(width[depth - 1], width[depth])
        self.up = nn.ModuleList([DoubleConv(width[i + 1] + width[i], width[i]) for i in range(depth)])
        self.classifier = nn.Conv2d(width[0], classes, 1)

    def decode(self, skips, h):
        for i in reversed(range(len(self.up))):
            h = F.interpolate(h, size=skips[i].shape[2:], mode='bilinear', align_corners=False)
            h = self.up[i](torch.cat([skips[i], h], 1))
        return self.classifier(h)

    def forward(self, x, need_fp=False):
        skips, h = [], x
        for block in self.down:
            h = block(h)
            skips.append(h)
            h = F.max_pool2d(h, 2, 2, ceil_mode=True)
        h = self.bottom(h)
        if need_fp:
            both = lambda t: torch.cat([t, F.dropout2d(t, 0.5, True)])
            return self.decode([both(s) for s in skips], both(h)).chunk(2)
        return self.decode(skips, h)


def up(logits, size):
    return F.interpolate(logits, size=size, mode='bilinear', align_corners=True)


def affinity_kl_naive(teacher_logits, student_logits, eps=1e-8):
    """IPixMatch affinity + KL with every pixel kept, the [M, M] way; mean over images."""
    B, C = teacher_logits.shape[:2]
    pt = teacher_logits.detach().softmax(1).reshape(B, C, -1).transpose(1, 2)  # [B, M, C]
    ps = student_logits.softmax(1).reshape(B, C, -1).transpose(1, 2)
    at, as_ = pt @ pt.transpose(1, 2), ps @ ps.transpose(1, 2)  # [B, M, M]
    rt, rs = at / at.sum(2, keepdim=True), as_ / as_.sum(2, keepdim=True)
    M = rt.shape[1]
    return (rt * ((rt + eps).log() - (rs + eps).log())).sum((1, 2)).div(M).mean()


def w2_step_fn(with_term, classes=21, size=128, batch=2, make_model=DeepLabV3Plus, term_size=None):
    """One UniMatch step; the IPixMatch term relates the logits as the model gives them, or
    resized to term_size (W5's stride 2)."""
    torch.manual_seed(1)
    model = make_model(classes)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    img_x = torch.randn(batch, 3, size, size)
    mask_x = torch.randint(0, classes, (batch, size, size))
    img_w = torch.randn(batch, 3, size, size)
    strong = [torch.randn(batch, 3, size, size) for _ in range(2)]
    boxes = []
    for k in range(2):
        b = torch.zeros(batch, size, size)
        b[:, size // 8 + k * size // 16:size * 5 // 8 + k * size // 16, size * 3 // 16:size * 11 // 16] = 1
        boxes.append(b)
    shrink = (lambda t: F.interpolate(t, size=term_size, mode='bilinear', align_corners=False)) if term_size else (lambda t: t)
    threshold = 0.0

    def step():
        opt.zero_grad()
        sup = F.cross_entropy(up(model(img_x), (size, size)), mask_x)
        with torch.no_grad():
            model.eval()
            weak4 = model(img_w)  # teacher: shared weights, no gradient
            model.train()
        weak = up(weak4, (size, size))
        conf, lab = weak.softmax(1).max(1)
        s_logits4 = model(torch.cat(strong)).chunk(2)
        partner = torch.roll(torch.arange(batch), 1)
        losses = []
        reg = []
        for k in range(2):
            box = boxes[k]
            lab_k = torch.where(box > 0, lab[partner], lab)
            conf_k = torch.where(box > 0, conf[partner], conf)
            ce = F.cross_entropy(up(s_logits4[k], (size, size)), lab_k, reduction='none')
            losses.append((ce * (conf_k >= threshold)).mean())
            if with_term:
                box4 = F.interpolate(box[:, None], size=weak4.shape[2:], mode='nearest')
                teacher4 = torch.where(box4 > 0, weak4[partner], weak4)
                reg.append(affinity_kl_naive(shrink(teacher4), shrink(s_logits4[k])))
        _, fp4 = model(img_w, need_fp=True)
        fp = (F.cross_entropy(up(fp4, (size, size)), lab, reduction='none') * (conf >= threshold)).mean()
        total = (sup + 0.25 * losses[0] + 0.25 * losses[1] + 0.5 * fp) / 2
        if with_term:
            total = total + 0.3 * sum(reg) / len(reg)
        total.backward()
        opt.step()
        return total.item()
    return step


def w3_step_fn(batch=8, classes=21, side=64):
    torch.manual_seed(1)
    teacher = torch.randn(batch, classes, side, side) * 2
    student = (torch.randn(batch, classes, side, side) * 2).requires_grad_()

    def step():
        student.grad = None
        total = 0.0
        for b in range(batch):
            loss = affinity_kl_naive(teacher[b:b + 1], student[b:b + 1]) / batch
            loss.backward()
            total += loss.item()
        return total
    return step


PEAK = {'batch': 8, 'size': 32, 'channels': 256, 'kernel': 3}


def peak_step_fn(batch, size, channels, kernel):
    torch.manual_seed(1)
    x = torch.randn(batch, channels, size, size)
    w = torch.randn(channels, channels, kernel, kernel) * 0.05

    def step():
        with torch.no_grad():
            return F.conv2d(x, w, padding=kernel // 2)
    return step


def time_steps(step, steps, warmup):
    for _ in range(warmup):
        step()
    times, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    # Process CPU time (all threads) rises far less than wall time when the machine is shared.
    time_steps.cpu_ms = statistics.median(cpu)
    return statistics.median(times), times


def peak_rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--only', choices=['w1', 'w2', 'w3', 'w5', 'peak'])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = {'torch': torch.__version__, 'threads': a.threads, 'steps': a.steps}
    if a.only in (None, 'w1'):
        ms, times = time_steps(w1_step_fn(), a.steps * 4, a.warmup * 2)
        out['w1'] = {'msPerStep': round(ms, 2), 'cpuMsPerStep': round(time_steps.cpu_ms, 2), 'timesMs': [round(t, 2) for t in times], 'peakRssMiB': peak_rss_mib()}
    if a.only in (None, 'w3'):
        ms, times = time_steps(w3_step_fn(), a.steps, a.warmup)
        out['w3'] = {'msPerStep': round(ms, 1), 'cpuMsPerStep': round(time_steps.cpu_ms, 1), 'timesMs': [round(t, 1) for t in times], 'M': 4096, 'peakRssMiB': peak_rss_mib()}
    if a.only in (None, 'peak'):
        ms, times = time_steps(peak_step_fn(**PEAK), a.steps, a.warmup)
        flops = 2 * PEAK['batch'] * PEAK['size'] ** 2 * PEAK['channels'] ** 2 * PEAK['kernel'] ** 2
        out['peak'] = {'msPerStep': round(ms, 2), 'cpuMsPerStep': round(time_steps.cpu_ms, 2), 'timesMs': [round(t, 2) for t in times],
                       'flops': flops, 'gflops': round(flops / ms / 1e6, 1), 'peakRssMiB': peak_rss_mib()}
    for name, kwargs in (('w2', {}), ('w5', {'classes': 11, 'size': 64, 'batch': 8, 'make_model': UNet, 'term_size': (32, 32)})):
        if a.only not in (None, name):
            continue
        without, t0 = time_steps(w2_step_fn(False, **kwargs), a.steps, a.warmup)
        cpu_without = time_steps.cpu_ms
        with_term, t1 = time_steps(w2_step_fn(True, **kwargs), a.steps, a.warmup)
        out[name] = {
            'msPerStepWithout': round(without, 1), 'msPerStepWith': round(with_term, 1),
            'cpuMsPerStepWithout': round(cpu_without, 1), 'cpuMsPerStepWith': round(time_steps.cpu_ms, 1),
            'termShare': round((with_term - without) / with_term, 3),
            'timesMsWithout': [round(t, 1) for t in t0], 'timesMsWith': [round(t, 1) for t in t1],
            'peakRssMiB': peak_rss_mib(),
        }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
