#!/usr/bin/python3
"""A plain PyTorch training script of the benchmark's reference CNN, as a cross-check of the
peer (torch_reference.py): it shares no code with it, so a timing artefact of the peer would
show as a disagreement between the two.

  Conv2d(1,8,5) ReLU MaxPool2 Conv2d(8,16,5) ReLU MaxPool2 Linear(256,128) ReLU Linear(128,10)
  Adam lr 1e-3 (eps 1e-7, as Convscope), batch 64, shuffled each epoch, denormals flushed.

One untimed warm-up epoch, then --repeats timed epochs; prints each epoch's seconds and the
median.

  /usr/bin/python3 bench/torch_plain.py data/mnist --threads 2
"""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 5)
        self.conv2 = torch.nn.Conv2d(8, 16, 5)
        self.fc1 = torch.nn.Linear(256, 128)
        self.fc2 = torch.nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def mnist(folder, name, offset):
    """The bytes of an MNIST file after its `offset`-byte header, raw or gzipped."""
    path = os.path.join(folder, name)
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if opener is open else path + ".gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="folder with the MNIST training files")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    flushed = torch.set_flush_denormal(True)
    torch.manual_seed(0)

    images = mnist(args.folder, "train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)
    labels = mnist(args.folder, "train-labels-idx1-ubyte", 8)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    times = []
    for epoch in range(1 + args.repeats):
        start = time.perf_counter()
        perm = torch.randperm(len(y))
        for i in range(0, len(y), 64):
            batch = perm[i:i + 64]
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        print(f"epoch {epoch} ({'warm-up' if epoch == 0 else 'timed'}): {seconds:.2f} s")
        if epoch:
            times.append(seconds)
    print(f"torch {torch.__version__}, {args.threads} threads, flush denormal {flushed}: "
          f"median {statistics.median(times):.2f} s over {args.repeats} timed epochs")


if __name__ == "__main__":
    main()
