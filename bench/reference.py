"""What the PyTorch peers share: their command line, the IDX reader (raw or gzipped), the data on
the device, the reference network, its training epoch and evaluation, and the timing rule (one
warm-up, then R timed runs).

  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def peer_arguments(description, nets_help, default_threads=0):
    """The command line every peer takes: convscope-cli bench passes the same flags to each."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("data_dir", nargs="?", help="folder with the four MNIST IDX files")
    ap.add_argument("--data", help="the same folder (as convscope-cli passes it)")
    ap.add_argument("--nets", type=int, default=1, help=nets_help)
    ap.add_argument("--threads", type=int, default=default_threads,
                    help="CPU threads (ignored by the GPU peers)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs after the warm-up")
    ap.add_argument("--limit-train", type=int, default=0, help="first N training images only")
    ap.add_argument("--seed", type=int, default=1)
    return ap


def parse_peer_arguments(ap):
    """Parses and checks; args.folder is the MNIST folder."""
    args = ap.parse_args()
    args.folder = args.data or args.data_dir
    if not args.folder:
        ap.error("give the MNIST folder (positional or --data)")
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    return args


def gpu_data(args):
    """For the GPU peers: flushes denormals (host-side arithmetic, as the CPU peer does), exits
    with a JSON error when there is no usable GPU, and returns the device and the MNIST tensors on
    it: (flushed, device, x, y, vx, vy)."""
    flushed = torch.set_flush_denormal(True)
    if not torch.cuda.is_available():
        print(json.dumps({"peer": "pytorch", "torch": torch.__version__,
                          "error": "torch.cuda.is_available() is False"}))
        sys.exit(2)
    device = torch.device("cuda")
    x, y = load(args.folder, "train", device)
    vx, vy = load(args.folder, "t10k", device)
    if args.limit_train > 0:
        x, y = x[:args.limit_train], y[:args.limit_train]
    return flushed, device, x, y, vx, vy


def gpu_report(mode, device, flushed, args, train_count, warmup_s, epochs, evals, val_loss,
               val_accuracy):
    """The JSON line a GPU peer prints: what ran (and whether TF32 was allowed) and its times."""
    return json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "mode": mode,
        "device": torch.cuda.get_device_name(device),
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "flush_denormal": flushed, "nets": args.nets, "batch": args.batch_size,
        "train_count": train_count, "repeats": args.repeats, "warmup_seconds": warmup_s,
        **spread("epoch_seconds", epochs), **spread("eval_ms", evals, 1000.0),
        "val_loss": val_loss, "val_accuracy": val_accuracy})


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
