"""What both PyTorch peers share: the raw IDX reader and the reference network.

  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10)
"""
import os
import struct
import sys

import torch
from torch import nn


def read_idx(path):
    """An IDX file (unsigned-byte payload) as a uint8 tensor with its dimensions."""
    with open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    payload = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return payload.reshape(dims)


def load(folder, prefix, device="cpu"):
    """Images as (N, 1, 28, 28) float32 in [0, 1] and labels as int64, on `device`."""
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"))
    x = images.to(device).to(torch.float32).div_(255.0).unsqueeze(1).contiguous()
    return x, labels.to(device).to(torch.int64)


def reference_net():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
