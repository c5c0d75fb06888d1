#!/usr/bin/python3
"""PyTorch peer for `convscope-cli bench`: the reference CNN trained for one epoch on MNIST.

Same network, optimizer and batch size as Convscope's reference run:
  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7, batch 64.
The data is read from the raw IDX files and preloaded as float tensors in [0, 1]; only the
training epoch is timed (K networks one after another with --nets K). Prints one JSON line.

Run with Debian's interpreter: /usr/bin/python3 bench/torch_reference.py data/mnist
"""
import argparse
import json
import time

import torch
from torch import nn

from reference import load, reference_net


def train_epoch(net, x, y, batch, generator):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0], generator=generator)
    net.train()
    for first in range(0, x.shape[0], batch):
        idx = order[first:first + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[idx]), y[idx])
        loss.backward()
        opt.step()


@torch.no_grad()
def accuracy(net, x, y):
    net.eval()
    hits = 0
    for first in range(0, x.shape[0], 1000):
        hits += (net(x[first:first + 1000]).argmax(1) == y[first:first + 1000]).sum().item()
    return hits / x.shape[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", help="folder with the four MNIST IDX files")
    ap.add_argument("--data", help="the same folder (as convscope-cli passes it)")
    ap.add_argument("--nets", type=int, default=1, help="train K networks one after another")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit-train", type=int, default=0, help="first N training images only")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.data = args.data or args.data_dir
    if not args.data:
        ap.error("give the MNIST folder (positional or --data)")
    args.threads = args.threads or 2

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = load(args.data, "train")
    if args.limit_train > 0:
        x, y = x[:args.limit_train], y[:args.limit_train]
    vx, vy = load(args.data, "t10k")
    generator = torch.Generator().manual_seed(args.seed)

    seconds, accs = [], []
    for _ in range(args.nets):
        net = reference_net()
        start = time.perf_counter()
        train_epoch(net, x, y, args.batch_size, generator)
        seconds.append(time.perf_counter() - start)
        accs.append(accuracy(net, vx, vy))

    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "threads": args.threads,
        "nets": args.nets, "batch": args.batch_size, "train_count": x.shape[0],
        "epoch_seconds": sum(seconds) / len(seconds), "total_seconds": sum(seconds),
        "val_accuracy": sum(accs) / len(accs)}))


if __name__ == "__main__":
    main()
