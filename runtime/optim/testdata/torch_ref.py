# Generates torch_ref.json, the PyTorch oracle for optim's TestMatchesPyTorch.
# Run with Debian's Python and PyTorch (see /work/shared/bench/README.md):
#   /usr/bin/python3 torch_ref.py > torch_ref.json
# Every number is a float32 written as the float64 it equals, so Go reads it back exactly.
import json
import torch

torch.manual_seed(1)
shapes = [[8, 6], [16]]
steps = 10
lrs = [0.1, 0.05, 0.02, 0.01, 0.05, 0.1, 0.002, 0.003, 0.001, 0.02]
init = [torch.randn(s) for s in shapes]
grads = [[torch.randn(s) for s in shapes] for _ in range(steps)]

cases = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_decay": lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=5e-4),
    "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=5e-4),
    "nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.1),
    "adam_l2": lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=1e-2),
}


def flat(ts):
    return [float(x) for t in ts for x in t.flatten()]


def run(make, clip):
    params = [t.clone().requires_grad_() for t in init]
    opt = make(params)
    norms = []
    for k in range(steps):
        for p, g in zip(params, grads[k]):
            p.grad = g.clone()
        if clip:
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, clip)))
        for group in opt.param_groups:
            group["lr"] = lrs[k]
        opt.step()
    return {"final": flat(params), "norms": norms}


out = {
    "shapes": shapes,
    "lrs": lrs,
    "init": flat(init),
    "grads": [flat(g) for g in grads],
    "cases": {name: run(make, 0) for name, make in cases.items()},
}
out["cases"]["momentum_clip"] = run(cases["momentum"], 5.0)
print(json.dumps(out))
