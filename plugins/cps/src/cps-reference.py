"""Independent PyTorch reference of CPS's loss, as the authors' official training script computes it.

Reads JSON on stdin: two tiny networks' weights (3x3 conv + ReLU, 1x1 classifier; NHWC / HWIO
layouts as ssseg stores them), a labelled batch, an unlabelled batch with its CutMix boxes and
padding mask, `cutmix` and `cpsWeight`. Prints JSON: the loss terms, the total and the gradient
of the total with respect to every weight of both networks (HWIO, flattened).

`cutmix: false` follows its Pascal VOC CPS experiment (the CPS term over the labelled and unlabelled
predictions concatenated); `cutmix: true` its CPS+CutMix experiment (the teachers
predict the two unmixed batches, their logits are mixed with the mask, argmax; the students
predict the mixed images). Here the second batch of the CutMix pair is each image's partner, the
next image of the batch, and unlabelled padding gets the ignore index 255.
"""
import json
import sys

import torch
import torch.nn.functional as F

IGNORE = 255


def tensor(entry):
    return torch.tensor(entry["data"], dtype=torch.float64).reshape(entry["shape"])


def network(weights):
    params = {name: tensor(w).requires_grad_(True) for name, w in weights.items()}

    def forward(x_nchw):
        conv = lambda x, w, b: F.conv2d(x, w.permute(3, 2, 0, 1), b, padding=w.shape[0] // 2)
        features = F.relu(conv(x_nchw, params["encoder.weight"], params["encoder.bias"]))
        return conv(features, params["classifier.weight"], params["classifier.bias"])

    return forward, params


def main():
    job = json.load(sys.stdin)
    nchw = lambda entry: tensor(entry).permute(0, 3, 1, 2)
    imgs = nchw(job["labelled"])
    gts = tensor(job["masks"]).long()
    unsup = nchw(job["weak"])
    box = tensor(job["box"])[:, None]  # N, 1, H, W
    padding = tensor(job["ignore"])
    (f1, p1), (f2, p2) = network(job["networks"][0]), network(job["networks"][1])
    criterion = torch.nn.CrossEntropyLoss(reduction="mean", ignore_index=IGNORE)

    if job["cutmix"]:
        partner = lambda x: torch.roll(x, shifts=-1, dims=0)
        unsup_0, unsup_1 = unsup, partner(unsup)
        mixed = unsup_0 * (1 - box) + unsup_1 * box
        with torch.no_grad():
            t1 = f1(unsup_0) * (1 - box) + f1(unsup_1) * box
            t2 = f2(unsup_0) * (1 - box) + f2(unsup_1) * box
        mixed_padding = padding * (1 - box[:, 0]) + partner(padding) * box[:, 0]
        ps_1, ps_2 = t1.argmax(1), t2.argmax(1)
        ps_1[mixed_padding > 0.5] = IGNORE
        ps_2[mixed_padding > 0.5] = IGNORE
        cps = criterion(f1(mixed), ps_2) + criterion(f2(mixed), ps_1)
        pred_sup_l, pred_sup_r = f1(imgs), f2(imgs)
    else:
        pred_sup_l, pred_unsup_l = f1(imgs), f1(unsup)
        pred_sup_r, pred_unsup_r = f2(imgs), f2(unsup)
        pred_l = torch.cat([pred_sup_l, pred_unsup_l], dim=0)
        pred_r = torch.cat([pred_sup_r, pred_unsup_r], dim=0)
        max_l, max_r = pred_l.argmax(1).detach(), pred_r.argmax(1).detach()
        unlabelled_padding = torch.cat([torch.zeros_like(gts, dtype=torch.float64), padding]) > 0.5
        max_l[unlabelled_padding] = IGNORE
        max_r[unlabelled_padding] = IGNORE
        cps = criterion(pred_l, max_r) + criterion(pred_r, max_l)

    loss_sup = criterion(pred_sup_l, gts)
    loss_sup_r = criterion(pred_sup_r, gts)
    loss = loss_sup + loss_sup_r + cps * job["cpsWeight"]
    loss.backward()
    grads = [{name: p.grad.reshape(-1).tolist() for name, p in params.items()} for params in (p1, p2)]
    json.dump({"sup": loss_sup.item(), "supSecond": loss_sup_r.item(), "cps": cps.item(), "total": loss.item(), "grads": grads}, sys.stdout)


main()
