"""Reference for the CorrMatch plugin's test: one training step's loss and gradients in PyTorch.

Computes the step as the authors' official code defines it (its training step, correlation module
and threshold controller), in torch's NCHW layout, for the test's student (a 3x3 conv + ReLU
encoder and a 1x1 classifier) with the correlation module on its features. The one adaptation is
the plugin's: the module reads the student's features averaged over blocks to the correlation grid
(the official reads the backbone's stride-8 features). The random draws (feature perturbation,
dropout multipliers, sampled rows) come in the input, so the computation is deterministic.

stdin: JSON (tensors as {shape, data}, NHWC and tf conv layouts); stdout: JSON with each term, the
total, the updated threshold, the propagation counts and the gradients in tf layouts.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

IGNORED = 255


def tensor(o):
    return torch.tensor(o["data"], dtype=torch.float32).reshape(o["shape"])


def images(o):
    return tensor(o).permute(0, 3, 1, 2).contiguous()


def conv_weight(o):
    # tf [k, k, in, out] -> torch [out, in, k, k]
    return tensor(o).permute(3, 2, 0, 1).contiguous().requires_grad_(True)


def parameter(o):
    return tensor(o).requires_grad_(True)


inp = json.load(sys.stdin)
classes = inp["numClasses"]
block = inp["pool"]
weights = inp["weights"]
momentum = inp["momentum"]

s, h = inp["student"], inp["head"]
student = {
    "encoder.weight": conv_weight(s["encoder.weight"]), "encoder.bias": parameter(s["encoder.bias"]),
    "classifier.weight": conv_weight(s["classifier.weight"]), "classifier.bias": parameter(s["classifier.bias"]),
}
head = {
    "proj.0.weight": conv_weight(h["proj.0.weight"]), "proj.0.bias": parameter(h["proj.0.bias"]),
    "proj.1.weight": parameter(h["proj.1.weight"]), "proj.1.bias": parameter(h["proj.1.bias"]),
    "conv1.weight": conv_weight(h["conv1.weight"]), "conv1.bias": parameter(h["conv1.bias"]),
    "conv2.weight": conv_weight(h["conv2.weight"]), "conv2.bias": parameter(h["conv2.bias"]),
}


def run_student(x, keep=None):
    """Features, logits and, given per-channel multipliers, the logits of the perturbed features."""
    features = F.relu(F.conv2d(x, student["encoder.weight"], student["encoder.bias"], padding=1))

    def classify(f):
        return F.conv2d(f, student["classifier.weight"], student["classifier.bias"])

    perturbed = classify(features * keep[:, :, None, None]) if keep is not None else None
    return features, classify(features), perturbed


def correlation_pass(features, logits, dropout):
    """Projection (conv 3x3, batch-norm on the batch, ReLU, channel dropout), the pixel-pixel
    correlation softmax(f1^T f2 / sqrt(C)) over the second pixel, and the detached prediction
    propagated through it, back at the input size."""
    height, width = logits.shape[-2:]
    grid = F.avg_pool2d(features, block, block)
    x = F.conv2d(grid, head["proj.0.weight"], head["proj.0.bias"], padding=1)
    x = F.batch_norm(x, None, None, head["proj.1.weight"], head["proj.1.bias"], training=True, eps=1e-5)
    x = F.relu(x) * dropout[:, :, None, None]
    n, _, gh, gw = x.shape
    key = F.conv2d(x, head["conv1.weight"], head["conv1.bias"]).flatten(2)  # [n, C, N]
    query = F.conv2d(x, head["conv2.weight"], head["conv2.bias"]).flatten(2)
    correlation = torch.softmax(torch.einsum("nci,ncj->nij", key, query) / math.sqrt(key.shape[1]), dim=-1)
    small = F.interpolate(logits.detach(), (gh, gw), mode="bilinear", align_corners=True).flatten(2)
    propagated = torch.einsum("nci,nij->ncj", small, correlation).reshape(n, classes, gh, gw)
    propagated = F.interpolate(propagated, (height, width), mode="bilinear", align_corners=True)
    return correlation, propagated, (gh, gw)


def regions_of(correlation, grid, rows, size):
    """Each sampled row's map, upsampled (aligned corners), min-max normalised per map, above 0.5."""
    n = correlation.shape[0]
    maps = correlation.detach()[:, torch.tensor(rows), :].reshape(n * len(rows), 1, *grid)
    maps = F.interpolate(maps, size, mode="bilinear", align_corners=True).flatten(1)
    low, high = maps.min(dim=1, keepdim=True)[0], maps.max(dim=1, keepdim=True)[0]
    return ((maps - low) / (high - low) > 0.5).reshape(n, len(rows), *size)


def updated_threshold(threshold, logits, ignore):
    """Mean over the predicted classes (with a non-ignored pixel) of their top confidence, moved by momentum."""
    confidence, label = logits.softmax(dim=1).max(dim=1)
    tops = [confidence[(label == k) & (ignore != IGNORED)].max() for k in torch.unique(label)
            if ((label == k) & (ignore != IGNORED)).any()]
    if not tops:
        return threshold
    mean = tops[0]
    for top in tops[1:]:
        mean = mean + top
    return momentum * threshold + (1 - momentum) * (mean / len(tops))


def masked_ce(logits, labels, mask, valid_count):
    return (F.cross_entropy(logits, labels, reduction="none") * mask).sum() / valid_count


x_images, x_masks = images(inp["labelled"]["images"]), tensor(inp["labelled"]["masks"]).long()
weak_images, strong_images = images(inp["weak"]), images(inp["strong"])
box = tensor(inp["box"]) == 1
ignore = torch.where(tensor(inp["ignore"]) == 1, IGNORED, 0).long()
keep = tensor(inp["perturbation"])
dropout_x, dropout_w, dropout_s = (tensor(d) for d in inp["dropout"])
rows = inp["rows"]
threshold = torch.tensor(inp["threshold"], dtype=torch.float32)


def partner(t):
    """The CutMix partner of each image: the next one of the batch."""
    return torch.roll(t, -1, 0)


def mixed(t):
    """`t` with the partner's values inside the box."""
    b = box if t.dim() == 3 else box[:, None].expand_as(t)
    return torch.where(b, partner(t), t)


with torch.no_grad():
    teacher = run_student(weak_images)[1]  # the student as its own teacher, no gradient
    strong_images = mixed(strong_images)
confidence, labels = teacher.softmax(dim=1).max(dim=1)
mixed_confidence, mixed_labels, mixed_ignore = mixed(confidence), mixed(labels), mixed(ignore)

features_x, logits_x, _ = run_student(x_images)
_, logits_x_corr, _ = correlation_pass(features_x, logits_x, dropout_x)
features_w, logits_w, logits_fp = run_student(weak_images, keep)
correlation_w, logits_w_corr, grid = correlation_pass(features_w, logits_w, dropout_w)
features_s, logits_s, _ = run_student(strong_images)
_, logits_s_corr, _ = correlation_pass(features_s, logits_s, dropout_s)

threshold = updated_threshold(threshold, teacher, mixed_ignore)

# label propagation on the strong view
regions = regions_of(correlation_w, grid, rows, tuple(labels.shape[-2:]))
regions = regions & ~box[:, None] & (mixed_ignore != IGNORED)[:, None]
confident = (mixed_confidence >= threshold) & (mixed_ignore != IGNORED)
propagated_labels, kept = mixed_labels.clone(), confident.clone()
applied = 0
for i in range(regions.shape[0]):
    for region in regions[i]:
        sure = region & confident[i]
        if sure.sum() == 0 or sure.sum() / region.sum() < threshold:
            continue
        counts = torch.bincount(propagated_labels[i][sure], minlength=classes)
        if counts.max() / counts.sum() > threshold:
            propagated_labels[i][region] = torch.argmax(counts)
            kept[i] |= region
            applied += 1

strong_valid = (mixed_ignore != IGNORED).sum().item()
weak_valid = (ignore != IGNORED).sum().item()
weak_kept = (confidence >= threshold) & (ignore != IGNORED)
kl = F.kl_div(F.log_softmax(logits_s, dim=1), F.softmax(teacher, dim=1), reduction="none").sum(dim=1)
terms = {
    "sup": F.cross_entropy(logits_x, x_masks, ignore_index=IGNORED),
    "supCorr": F.cross_entropy(logits_x_corr, x_masks, ignore_index=IGNORED),
    "strong": masked_ce(logits_s, propagated_labels, kept, strong_valid),
    "kl": (kl * confident).sum() / strong_valid,
    "fp": masked_ce(logits_fp, labels, weak_kept, weak_valid),
    "strongCorr": masked_ce(logits_s_corr, propagated_labels, kept, strong_valid),
    "weakCorr": masked_ce(logits_w_corr, labels, weak_kept, weak_valid),
}
total = (weights["sup"] * terms["sup"] + weights["supCorr"] * terms["supCorr"] + weights["strong"] * terms["strong"]
         + weights["kl"] * terms["kl"] + weights["fp"] * terms["fp"]
         + weights["corr"] * (terms["strongCorr"] + terms["weakCorr"]) / 2) / 2

parameters = {**student, **{f"correlation/{k}": v for k, v in head.items()}}
gradients = torch.autograd.grad(total, list(parameters.values()))


def tf_layout(g):
    return g.permute(2, 3, 1, 0) if g.dim() == 4 else g


json.dump({
    "terms": {name: t.item() for name, t in terms.items()},
    "total": total.item(),
    "threshold": float(threshold),
    "regionsApplied": applied,
    "regions": regions.shape[0] * regions.shape[1],
    "propagated": int((kept & ~confident).sum()),
    "grads": {name: tf_layout(g).reshape(-1).tolist() for name, g in zip(parameters, gradients)},
}, sys.stdout)
