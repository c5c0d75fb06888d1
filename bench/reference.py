"""What both PyTorch peers share: the IDX reader (raw or gzipped), the reference network, its
training epoch and evaluation, and the timing rule (one warm-up, then R timed runs).

  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7
"""
import gzip
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def read_idx(path):
    """An IDX file (unsigned-byte payload, raw or gzipped) as a uint8 tensor with its dimensions."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    payload = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return payload.reshape(dims)


def idx_path(folder, name):
    """`name` in `folder`, raw or with ".gz" (raw preferred when both exist, as Convscope does)."""
    path = os.path.join(folder, name)
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return path + ".gz"
    return path


def load(folder, prefix, device="cpu"):
    """Images as (N, 1, 28, 28) float32 in [0, 1] and labels as int64, on `device`."""
    images = read_idx(idx_path(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(idx_path(folder, f"{prefix}-labels-idx1-ubyte"))
    x = images.to(device).to(torch.float32).div_(255.0).unsqueeze(1).contiguous()
    return x, labels.to(device).to(torch.int64)


def reference_net():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def adam(net):
    return torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)


def train_epoch(net, opt, x, y, batch, generator):
    """One epoch over (x, y) in the generator's random order; the optimizer state carries over."""
    order = torch.randperm(x.shape[0], generator=generator, device=x.device)
    net.train()
    for first in range(0, x.shape[0], batch):
        idx = order[first:first + batch]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x[idx]), y[idx])
        loss.backward()
        opt.step()


@torch.no_grad()
def evaluate(net, x, y, chunk):
    """Everything Convscope's evaluate() produces (loss, accuracy, top-3, true-label probability)
    over the whole validation set, `chunk` images at a time; returns the mean loss and accuracy."""
    net.eval()
    loss, hits = 0.0, 0
    for first in range(0, x.shape[0], chunk):
        xs, ys = x[first:first + chunk], y[first:first + chunk]
        logits = net(xs)
        loss += F.cross_entropy(logits, ys, reduction="sum").item()
        probs = logits.softmax(1)
        _, top_labels = probs.topk(3, dim=1)
        probs.gather(1, ys[:, None])  # the true-label probability, computed as Convscope does
        hits += (top_labels[:, 0] == ys).sum().item()
    return loss / x.shape[0], hits / x.shape[0]


def timed(work, repeats, sync):
    """Runs work() once untimed (warm-up), then `repeats` times timed; returns the warm-up's
    seconds, the timed seconds and the last result. sync() waits for queued device work."""
    results = []
    seconds = []
    for run in range(1 + repeats):
        sync()
        start = time.perf_counter()
        results.append(work())
        sync()
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1:], results[-1]


def spread(name, values, scale=1.0):
    """JSON fields for a list of timings: the median as `name`, min, max and the whole list."""
    values = [v * scale for v in values]
    return {name: statistics.median(values), name + "_min": min(values),
            name + "_max": max(values), name + "_all": values}
