#!/usr/bin/env python3
"""PyTorch-on-GPU peer for `convscope-cli bench --backend cuda`: the reference CNN, timed like
Convscope.

Same network, optimizer and batch size as Convscope's reference run:
  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7, batch 64.
All 60,000 MNIST training images (read from the IDX files, raw or gzipped) are resident on the
GPU as float tensors in [0, 1]; training is plain eager PyTorch (no torch.compile, no CUDA
graphs). One untimed warm-up epoch (CUDA, cuDNN and cuBLAS initialization and autotuning), then
R timed epochs (K networks one after another per epoch with --nets K); then one untimed and R
timed evaluations of the whole validation set at once. Prints one JSON line with every timed
epoch and evaluation; PyTorch's own TF32 settings are left at their defaults and reported.

  python3 bench/torch_gpu_reference.py --data data/mnist [--nets K] [--repeats 3]
"""

import torch

from reference import (adam, evaluate, gpu_data, gpu_report, parse_peer_arguments, peer_arguments,
                       reference_net, timed, train_epoch)


def main():
    args = parse_peer_arguments(
        peer_arguments(__doc__.split("\n")[0], "train K networks one after another"))
    flushed, device, x, y, vx, vy = gpu_data(args)
    torch.manual_seed(args.seed)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    nets = [reference_net().to(device) for _ in range(args.nets)]
    opts = [adam(net) for net in nets]

    def epoch():
        for net, opt in zip(nets, opts):
            train_epoch(net, opt, x, y, args.batch_size, generator)

    def evaluation():
        return [evaluate(net, vx, vy, vx.shape[0]) for net in nets]

    warmup_s, epochs, _ = timed(epoch, args.repeats, torch.cuda.synchronize)
    _, evals, results = timed(evaluation, args.repeats, torch.cuda.synchronize)
    print(gpu_report("cuda eager", device, flushed, args, x.shape[0], warmup_s, epochs, evals,
                     sum(r[0] for r in results) / len(results),
                     sum(r[1] for r in results) / len(results)))

if __name__ == "__main__":
    main()
