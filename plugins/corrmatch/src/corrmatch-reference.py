"""Reference for the CorrMatch plugin's test: one training step's loss and gradients in PyTorch.

Written from the authors' official code (corrmatch.py's step, model/semseg/deeplabv3plus.py's Corr
module, util/thresh_helper.py's ThreshController) in its own NCHW layout, on the test's student (a
3x3 conv + ReLU encoder and a 1x1 classifier) with the correlation module on its features. The one
adaptation is the plugin's: the module reads the decoder features average-pooled to the correlation
grid instead of the backbone's stride-8 features. Random draws (feature perturbation, dropout masks,
sampled rows) come in the input, so the computation is deterministic.

stdin: JSON (tensors as {shape, data}, NHWC and tf conv layouts); stdout: JSON with each term, the
total, the updated threshold, the propagation counts and the gradients in tf layouts.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

torch.set_grad_enabled(True)


def tensor(o):
    return torch.tensor(o["data"], dtype=torch.float32).reshape(o["shape"])


def nchw(o):
    return tensor(o).permute(0, 3, 1, 2).contiguous()


def conv_weight(o):
    # tf [k, k, in, out] -> torch [out, in, k, k]
    return tensor(o).permute(3, 2, 0, 1).contiguous().requires_grad_(True)


def vector(o):
    return tensor(o).requires_grad_(True)


inp = json.load(sys.stdin)
C = inp["numClasses"]
pool = inp["pool"]
thresh_global = torch.tensor(inp["threshold"], dtype=torch.float32)
momentum = inp["momentum"]
wts = inp["weights"]

s = inp["student"]
student = {
    "encoder.weight": conv_weight(s["encoder.weight"]), "encoder.bias": vector(s["encoder.bias"]),
    "classifier.weight": conv_weight(s["classifier.weight"]), "classifier.bias": vector(s["classifier.bias"]),
}
h = inp["head"]
head = {
    "proj.0.weight": conv_weight(h["proj.0.weight"]), "proj.0.bias": vector(h["proj.0.bias"]),
    "proj.1.weight": vector(h["proj.1.weight"]), "proj.1.bias": vector(h["proj.1.bias"]),
    "conv1.weight": conv_weight(h["conv1.weight"]), "conv1.bias": vector(h["conv1.bias"]),
    "conv2.weight": conv_weight(h["conv2.weight"]), "conv2.bias": vector(h["conv2.bias"]),
}


def model(x, keep=None):
    """The student: features, clean output and, given channel-dropout multipliers, the perturbed one."""
    feats = F.relu(F.conv2d(x, student["encoder.weight"], student["encoder.bias"], padding=1))
    classify = lambda f: F.conv2d(f, student["classifier.weight"], student["classifier.bias"])
    out = classify(feats)
    out_fp = classify(feats * keep[:, :, None, None]) if keep is not None else None
    return feats, out, out_fp


def proj(feats, dropout):
    """proj: Conv2d(3x3, bias) - BatchNorm2d (batch statistics) - ReLU - Dropout2d (given multipliers)."""
    x = F.avg_pool2d(feats, pool, pool)
    x = F.conv2d(x, head["proj.0.weight"], head["proj.0.bias"], padding=1)
    x = F.batch_norm(x, None, None, head["proj.1.weight"], head["proj.1.bias"], training=True, eps=1e-5)
    return F.relu(x) * dropout[:, :, None, None]


def corr_module(feature, out):
    """Corr.forward: correlation map and the prediction propagated through it (at the feature size)."""
    n, _, h_in, w_in = feature.shape
    out = F.interpolate(out.detach(), (h_in, w_in), mode="bilinear", align_corners=True)
    f1 = F.conv2d(feature, head["conv1.weight"], head["conv1.bias"]).reshape(n, C, h_in * w_in)
    f2 = F.conv2d(feature, head["conv2.weight"], head["conv2.bias"]).reshape(n, C, h_in * w_in)
    out_temp = out.reshape(n, C, h_in * w_in)
    corr_map = torch.matmul(f1.transpose(1, 2), f2) / torch.sqrt(torch.tensor(f1.shape[1]).float())
    corr_map = F.softmax(corr_map, dim=-1)
    corr_out = torch.matmul(out_temp, corr_map).reshape(n, C, h_in, w_in)
    return corr_map, corr_out


def normalize_corr_map(corr_map, h_in, w_in, h_out, w_out):
    n, m, hw = corr_map.shape
    corr_map = corr_map.reshape(n * m, 1, h_in, w_in)
    corr_map = F.interpolate(corr_map, (h_out, w_out), mode="bilinear", align_corners=True)
    corr_map = corr_map.reshape(n * m, h_out * w_out)
    range_ = torch.max(corr_map, dim=1, keepdim=True)[0] - torch.min(corr_map, dim=1, keepdim=True)[0]
    temp_map = ((-torch.min(corr_map, dim=1, keepdim=True)[0]) + corr_map) / range_
    return (temp_map > 0.5).reshape(n, m, h_out, w_out)


def forward_corr(img, keep, dropout, rows=None):
    """DeepLabV3Plus.forward with use_corr (and need_fp when keep is given)."""
    hh, ww = img.shape[-2:]
    feats, out, out_fp = model(img, keep)
    feature = proj(feats, dropout)
    corr_map, corr_out = corr_module(feature, out)
    res = {"out": out, "out_fp": out_fp,
           "corr_out": F.interpolate(corr_out, size=(hh, ww), mode="bilinear", align_corners=True)}
    if rows is not None:
        h_in, w_in = feature.shape[-2:]
        sampled = corr_map.detach()[:, torch.tensor(rows, dtype=torch.long), :]
        res["corr_map"] = normalize_corr_map(sampled, h_in, w_in, hh, ww)
    return res


def thresh_update(thresh, pred, ignore_mask):
    """ThreshController.new_global_mask_pooling and thresh_update (one process)."""
    mask_pred = torch.argmax(pred, dim=1)
    pred_conf = pred.softmax(dim=1).max(dim=1)[0]
    unique_cls = torch.unique(mask_pred)
    cls_num = len(unique_cls)
    new_global = 0.0
    for cls in unique_cls:
        cls_map = (mask_pred == cls) * (ignore_mask != 255)
        if cls_map.sum() == 0:
            cls_num -= 1
            continue
        new_global += pred_conf[cls_map].max()
    if cls_num == 0:
        return thresh
    return momentum * thresh + (1 - momentum) * (new_global / cls_num)


img_x, mask_x = nchw(inp["labelled"]["images"]), tensor(inp["labelled"]["masks"]).long()
img_u_w, img_u_s1 = nchw(inp["weak"]), nchw(inp["strong"])
cutmix_box1 = tensor(inp["box"]).long()
ignore_mask = torch.where(tensor(inp["ignore"]) == 1, 255, 0).long()
keep = tensor(inp["perturbation"])
drop_x, drop_w, drop_s = (tensor(d) for d in inp["dropout"])
rows = inp["rows"]

# The mix partner of each image is the next one of the batch (the plugin's CutMix pairing).
partner = lambda x: torch.roll(x, -1, 0)
with torch.no_grad():
    pred_u_w_mix = partner(model(img_u_w)[1])
    conf_u_w_mix = pred_u_w_mix.softmax(dim=1).max(dim=1)[0]
    mask_u_w_mix = pred_u_w_mix.argmax(dim=1)
    ignore_mask_mix = partner(ignore_mask)
    box4 = cutmix_box1.unsqueeze(1).expand(img_u_s1.shape) == 1
    img_u_s1 = img_u_s1.clone()
    img_u_s1[box4] = partner(img_u_s1)[box4]

res_x = forward_corr(img_x, None, drop_x)
pred_x, pred_x_corr = res_x["out"], res_x["corr_out"]
res_w = forward_corr(img_u_w, keep, drop_w, rows)
pred_u_w_fp, pred_u_w_corr, pred_u_w_corr_map = res_w["out_fp"], res_w["corr_out"], res_w["corr_map"]
res_s = forward_corr(img_u_s1, None, drop_s)
pred_u_s1, pred_u_s1_corr = res_s["out"], res_s["corr_out"]

with torch.no_grad():
    pred_u_w = model(img_u_w)[1]  # the teacher: the student without gradient
conf_u_w = pred_u_w.softmax(dim=1).max(dim=1)[0]
mask_u_w = pred_u_w.argmax(dim=1)

mask_u_w_cutmixed1, conf_u_w_cutmixed1, ignore_mask_cutmixed1 = mask_u_w.clone(), conf_u_w.clone(), ignore_mask.clone()
corr_map_u_w_cutmixed1 = pred_u_w_corr_map.clone()
b_sample, c_sample = corr_map_u_w_cutmixed1.shape[:2]
cutmix_box1_map = cutmix_box1 == 1
mask_u_w_cutmixed1[cutmix_box1_map] = mask_u_w_mix[cutmix_box1_map]
conf_u_w_cutmixed1[cutmix_box1_map] = conf_u_w_mix[cutmix_box1_map]
ignore_mask_cutmixed1[cutmix_box1_map] = ignore_mask_mix[cutmix_box1_map]
cutmix_box1_sample = cutmix_box1_map.unsqueeze(1)
ignore_mask_cutmixed1_sample = (ignore_mask_cutmixed1 != 255).unsqueeze(1)
corr_map_u_w_cutmixed1 = (corr_map_u_w_cutmixed1 * ~cutmix_box1_sample * ignore_mask_cutmixed1_sample).bool()

thresh_global = thresh_update(thresh_global, pred_u_w, ignore_mask_cutmixed1)

conf_fliter_u_w = (conf_u_w_cutmixed1 >= thresh_global) & (ignore_mask_cutmixed1 != 255)
conf_fliter_u_w_without_cutmix = conf_fliter_u_w.clone()
segments = (corr_map_u_w_cutmixed1 * conf_fliter_u_w_without_cutmix.unsqueeze(1)).bool()

applied = 0
for img_idx in range(b_sample):
    for segment_idx in range(c_sample):
        segment = segments[img_idx, segment_idx]
        segment_ori = corr_map_u_w_cutmixed1[img_idx, segment_idx]
        high_conf_ratio = torch.sum(segment) / torch.sum(segment_ori)
        if torch.sum(segment) == 0 or high_conf_ratio < thresh_global:
            continue
        unique_cls, count = torch.unique(mask_u_w_cutmixed1[img_idx][segment == 1], return_counts=True)
        if torch.max(count) / torch.sum(count) > thresh_global:
            top_class = unique_cls[torch.argmax(count)]
            mask_u_w_cutmixed1[img_idx][segment_ori == 1] = top_class
            conf_fliter_u_w_without_cutmix[img_idx] = conf_fliter_u_w_without_cutmix[img_idx] | segment_ori
            applied += 1
conf_fliter_u_w_without_cutmix = conf_fliter_u_w_without_cutmix | conf_fliter_u_w

criterion_l = torch.nn.CrossEntropyLoss(ignore_index=255)
criterion_u = torch.nn.CrossEntropyLoss(reduction="none")
criterion_kl = torch.nn.KLDivLoss(reduction="none")

loss_x = criterion_l(pred_x, mask_x)
loss_x_corr = criterion_l(pred_x_corr, mask_x)

valid_mixed = torch.sum(ignore_mask_cutmixed1 != 255).item()
valid_weak = torch.sum(ignore_mask != 255).item()
loss_u_s1 = torch.sum(criterion_u(pred_u_s1, mask_u_w_cutmixed1) * conf_fliter_u_w_without_cutmix) / valid_mixed
loss_u_corr_s1 = torch.sum(criterion_u(pred_u_s1_corr, mask_u_w_cutmixed1) * conf_fliter_u_w_without_cutmix) / valid_mixed
weak_kept = (conf_u_w >= thresh_global) & (ignore_mask != 255)
loss_u_corr_w = torch.sum(criterion_u(pred_u_w_corr, mask_u_w) * weak_kept) / valid_weak
loss_u_corr = 0.5 * (loss_u_corr_s1 + loss_u_corr_w)

loss_u_kl = criterion_kl(F.log_softmax(pred_u_s1, dim=1), F.softmax(pred_u_w.detach(), dim=1))
loss_u_kl = torch.sum(torch.sum(loss_u_kl, dim=1) * conf_fliter_u_w) / valid_mixed

loss_u_w_fp = torch.sum(criterion_u(pred_u_w_fp, mask_u_w) * weak_kept) / valid_weak

loss = (wts["sup"] * loss_x + wts["supCorr"] * loss_x_corr + wts["strong"] * loss_u_s1 + wts["kl"] * loss_u_kl
        + wts["fp"] * loss_u_w_fp + wts["corr"] * loss_u_corr) / 2.0

params = {**student, **{f"correlation/{k}": v for k, v in head.items()}}
grads = torch.autograd.grad(loss, list(params.values()))


def tf_layout(g):
    return g.permute(2, 3, 1, 0) if g.dim() == 4 else g


json.dump({
    "terms": {"sup": loss_x.item(), "supCorr": loss_x_corr.item(), "strong": loss_u_s1.item(), "kl": loss_u_kl.item(),
              "fp": loss_u_w_fp.item(), "strongCorr": loss_u_corr_s1.item(), "weakCorr": loss_u_corr_w.item()},
    "total": loss.item(),
    "threshold": float(thresh_global),
    "regionsApplied": applied,
    "regions": b_sample * c_sample,
    "propagated": int((conf_fliter_u_w_without_cutmix & ~conf_fliter_u_w).sum()),
    "grads": {name: tf_layout(g).reshape(-1).tolist() for name, g in zip(params, grads)},
}, sys.stdout)
