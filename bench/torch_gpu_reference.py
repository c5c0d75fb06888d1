#!/usr/bin/env python3
"""PyTorch-on-GPU peer for `convscope-cli bench --backend cuda`: the reference CNN, one epoch.

Same network, optimizer and batch size as Convscope's reference run:
  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7, batch 64.
All 60,000 MNIST training images (read from the raw IDX files) are resident on the GPU as float
tensors in [0, 1]; training is plain eager PyTorch (no torch.compile, no CUDA graphs). A short
warm-up on a throwaway network initializes CUDA, cuDNN and cuBLAS before anything is timed.
Timed: one training epoch per network (K networks one after another with --nets K), and the
full validation evaluation (loss, accuracy, top-3, true-label probability; median of 5).
Prints one JSON line; PyTorch's own TF32 settings are left at their defaults and reported.

  python3 bench/torch_gpu_reference.py --data data/mnist [--nets K] [--batch-size 64]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

from reference import load, reference_net


def train_epoch(net, x, y, batch, generator, steps=None):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    order = torch.randperm(x.shape[0], generator=generator, device=x.device)
    net.train()
    for step, first in enumerate(range(0, x.shape[0], batch)):
        if steps is not None and step >= steps:
            break
        idx = order[first:first + batch]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x[idx]), y[idx])
        loss.backward()
        opt.step()


@torch.no_grad()
def evaluate(net, x, y):
    """Everything Convscope's evaluate() produces, over the whole validation set at once."""
    net.eval()
    logits = net(x)
    loss = F.cross_entropy(logits, y)
    probs = logits.softmax(1)
    top_probs, top_labels = probs.topk(3, dim=1)
    true_probs = probs.gather(1, y[:, None])
    accuracy = (top_labels[:, 0] == y).float().mean()
    return loss.item(), accuracy.item(), top_labels, top_probs, true_probs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", help="folder with the four MNIST IDX files")
    ap.add_argument("--data", help="the same folder (as convscope-cli passes it)")
    ap.add_argument("--nets", type=int, default=1, help="train K networks one after another")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0, help="ignored (GPU peer)")
    ap.add_argument("--limit-train", type=int, default=0, help="first N training images only")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    folder = args.data or args.data_dir or "data/mnist"

    if not torch.cuda.is_available():
        print(json.dumps({"peer": "pytorch", "torch": torch.__version__,
                          "error": "torch.cuda.is_available() is False"}))
        sys.exit(2)
    device = torch.device("cuda")
    torch.manual_seed(args.seed)
    x, y = load(folder, "train", device)
    vx, vy = load(folder, "t10k", device)
    if args.limit_train > 0:
        x, y = x[:args.limit_train], y[:args.limit_train]
    generator = torch.Generator(device=device).manual_seed(args.seed)

    train_epoch(reference_net().to(device), x, y, args.batch_size, generator, steps=50)
    evaluate(reference_net().to(device), vx, vy)
    torch.cuda.synchronize()

    seconds, accs, eval_ms = [], [], []
    for _ in range(args.nets):
        net = reference_net().to(device)
        torch.cuda.synchronize()
        start = time.perf_counter()
        train_epoch(net, x, y, args.batch_size, generator)
        torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
        times = []
        for _ in range(5):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            _, acc, *_ = evaluate(net, vx, vy)
            torch.cuda.synchronize()
            times.append(1000 * (time.perf_counter() - t0))
        eval_ms.append(statistics.median(times))
        accs.append(acc)

    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "mode": "cuda eager",
        "device": torch.cuda.get_device_name(device),
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "nets": args.nets, "batch": args.batch_size, "train_count": x.shape[0],
        "epoch_seconds": sum(seconds) / len(seconds), "total_seconds": sum(seconds),
        "samples_per_second": x.shape[0] * len(seconds) / sum(seconds),
        "eval_ms": statistics.median(eval_ms),
        "val_accuracy": sum(accs) / len(accs)}))


if __name__ == "__main__":
    main()
