"""U2PL's two losses in PyTorch, as the official code computes them, for u2pl.test.ts.

Reads JSON on stdin (arrays flat, NHWC as ssseg holds them, shapes beside), writes JSON on stdout:
the reliable-pixel cross-entropy (compute_unsupervised_loss) and the memory-bank contrastive loss
(compute_contra_memobank_loss) with their gradients, and the memory banks after the step. The
contrastive loss follows the official function with the two corrections docs/methods/u2pl.md
describes: a pixel is a negative candidate by the high-entropy (or labelled) mask alone, not
also by being labelled with the class, and anchors and prototypes are taken of the valid class
itself. The sampling indices come from the input, so both sides draw the same.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def tensor(entry, dtype=torch.float32):
    return torch.tensor(entry["data"], dtype=dtype).reshape(entry["shape"])


def nchw(x):
    return x.permute(0, 3, 1, 2).contiguous()


def one_hot(labels, num_classes):
    """[N, h, w] labels with 255 ignored -> [N, C, h, w] one-hot, all zero where ignored."""
    safe = labels.clone()
    safe[labels == 255] = 0
    out = F.one_hot(safe, num_classes).float() * (labels != 255).float().unsqueeze(-1)
    return out.permute(0, 3, 1, 2)


def head_forward(x, params):
    """The representation head: two (3x3 conv, BN in training mode, ReLU) blocks and a 1x1 conv; no dropout."""
    for block in ("0", "1"):
        x = F.conv2d(x, params[f"{block}.0.weight"], params[f"{block}.0.bias"], padding=1)
        x = F.batch_norm(x, None, None, params[f"{block}.1.weight"], params[f"{block}.1.bias"], training=True, eps=1e-5)
        x = F.relu(x)
    return F.conv2d(x, params["2.weight"], params["2.bias"])


def unsupervised_loss(predict, target, percent, pred_teacher):
    batch_size, _, h, w = predict.shape
    with torch.no_grad():
        prob = torch.softmax(pred_teacher, dim=1)
        entropy = -torch.sum(prob * torch.log(prob + 1e-10), dim=1)
        thresh = np.percentile(entropy[target != 255].numpy().flatten(), percent)
        drop = entropy.ge(thresh).bool() * (target != 255).bool()
        target = target.clone()
        target[drop] = 255
        weight = batch_size * h * w / torch.sum(target != 255)
    return weight * F.cross_entropy(predict, target, ignore_index=255)


def enqueue(queue, keys, size):
    queue = torch.cat((queue, keys), dim=0)
    return queue[-size:] if queue.shape[0] >= size else queue


def contrastive_loss(rep, label_l, label_u, prob_l, prob_u, low_mask, high_mask, cfg, banks, sizes, rep_teacher, draws):
    num_feat = rep.shape[1]
    num_classes = prob_l.shape[1]
    low_valid = torch.cat((label_l, label_u), dim=0) * low_mask
    rep = rep.permute(0, 2, 3, 1)
    rep_teacher = rep_teacher.permute(0, 2, 3, 1)
    order_l = torch.sort(prob_l, 1, True)[1].permute(0, 2, 3, 1)
    order_u = torch.sort(prob_u, 1, True)[1].permute(0, 2, 3, 1)
    prob = torch.cat((prob_l, prob_u), dim=0)
    anchors, prototypes, valid_classes = [], [], []
    for i in range(num_classes):
        low_seg = low_valid[:, i].bool()
        anchor_mask = (prob[:, i] > cfg["positiveThreshold"]) * low_seg
        negative_candidates = (prob[:, i] < cfg["negativeThreshold"]) * high_mask[:, 0].bool()
        anchors.append(rep[anchor_mask])
        prototypes.append(torch.mean(rep_teacher[low_seg].detach(), dim=0, keepdim=True))
        class_u = torch.sum(order_u[:, :, :, cfg["lowRank"]:cfg["highRank"]].eq(i), dim=3).bool()
        class_l = torch.sum(order_l[:, :, :, : cfg["lowRank"]].eq(i), dim=3).bool()
        class_mask = torch.cat((class_l * (label_l[:, i] == 0), class_u), dim=0)
        banks[i] = enqueue(banks[i], rep_teacher[negative_candidates * class_mask].detach(), sizes[i])
        if low_seg.sum() > 0:
            valid_classes.append(i)
    drawn = []
    if len(valid_classes) <= 1:
        return 0 * rep.sum(), drawn
    loss = 0 * rep.sum()
    q, k = cfg["numQueries"], cfg["numNegatives"]
    for c in valid_classes:
        if len(anchors[c]) == 0 or banks[c].shape[0] == 0:
            continue
        drawn.append(c)
        draw = draws[str(c)]
        anchor = anchors[c][torch.tensor(draw["anchors"], dtype=torch.long)]
        negative = banks[c][torch.tensor(draw["negatives"], dtype=torch.long)].reshape(q, k, num_feat)
        positive = prototypes[c].unsqueeze(0).repeat(q, 1, 1)
        logits = torch.cosine_similarity(anchor.unsqueeze(1), torch.cat((positive, negative), dim=1), dim=2)
        loss = loss + F.cross_entropy(logits / cfg["temperature"], torch.zeros(q, dtype=torch.long))
    return loss / len(valid_classes), drawn


def flat(t):
    return t.detach().reshape(-1).tolist()


def main():
    x = json.load(sys.stdin)
    cfg = x["settings"]
    num_classes = cfg["numClasses"]

    # reliable-pixel cross-entropy on the strong view
    student_logits = nchw(tensor(x["studentLogits"])).requires_grad_(True)
    teacher_u = nchw(tensor(x["unlabelledTeacherLogits"]))
    valid = tensor(x["unlabelledValid"]) > 0
    prob_u = torch.softmax(teacher_u, dim=1)
    pseudo = torch.argmax(prob_u, dim=1)
    target = pseudo.clone()
    target[~valid] = 255
    unsup = unsupervised_loss(student_logits, target, cfg["dropPercent"], teacher_u)
    unsup.backward()

    # contrastive loss on the representation head's embeddings
    features = nchw(tensor(x["features"])).requires_grad_(True)
    params = {}
    for name, entry in x["head"].items():
        t = tensor(entry)
        if t.dim() == 4:
            t = t.permute(3, 2, 0, 1).contiguous()  # [k, k, in, out] -> [out, in, k, k]
        params[name] = t.requires_grad_(True)
    rep = head_forward(features, params)
    rep_teacher = nchw(tensor(x["teacherRep"]))
    label_l = tensor(x["labelledMasks"], torch.long)
    prob_l = torch.softmax(nchw(tensor(x["labelledTeacherLogits"])), dim=1)
    with torch.no_grad():
        entropy = -torch.sum(prob_u * torch.log(prob_u + 1e-10), dim=1)
        values = entropy[valid].numpy().flatten()
        low = entropy.le(np.percentile(values, cfg["alpha"])) * valid
        high = entropy.ge(np.percentile(values, 100 - cfg["alpha"])) * valid
        labelled_valid = (label_l != 255).float().unsqueeze(1)
        low_mask = torch.cat((labelled_valid, low.float().unsqueeze(1)))
        high_mask = torch.cat((labelled_valid, high.float().unsqueeze(1)))
    dim = rep.shape[1]
    banks = [torch.tensor(rows, dtype=torch.float32).reshape(-1, dim) for rows in x["banks"]]
    contra, drawn = contrastive_loss(
        rep, one_hot(label_l, num_classes), one_hot(pseudo, num_classes), prob_l, prob_u, low_mask, high_mask,
        cfg, banks, x["capacities"], rep_teacher, x["draws"],
    )
    contra.backward()

    head_grads = {}
    for name, p in params.items():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        head_grads[name] = flat(g.permute(2, 3, 1, 0) if g.dim() == 4 else g)
    json.dump({
        "unsup": unsup.item(),
        "unsupGrad": flat(student_logits.grad.permute(0, 2, 3, 1)),
        "contra": contra.item(),
        "featuresGrad": flat(features.grad.permute(0, 2, 3, 1)),
        "headGrads": head_grads,
        "banks": [flat(b) for b in banks],
        "drawn": drawn,
    }, sys.stdout)


if __name__ == "__main__":
    main()
