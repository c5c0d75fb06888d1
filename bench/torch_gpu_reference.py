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
import argparse
import json
import sys

import torch

from reference import adam, evaluate, load, reference_net, spread, timed, train_epoch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", help="folder with the four MNIST IDX files")
    ap.add_argument("--data", help="the same folder (as convscope-cli passes it)")
    ap.add_argument("--nets", type=int, default=1, help="train K networks one after another")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs after the warm-up")
    ap.add_argument("--threads", type=int, default=0, help="ignored (GPU peer)")
    ap.add_argument("--limit-train", type=int, default=0, help="first N training images only")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    folder = args.data or args.data_dir or "data/mnist"
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")

    flushed = torch.set_flush_denormal(True)  # host-side arithmetic only; kept like the CPU peer
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
    nets = [reference_net().to(device) for _ in range(args.nets)]
    opts = [adam(net) for net in nets]

    def epoch():
        for net, opt in zip(nets, opts):
            train_epoch(net, opt, x, y, args.batch_size, generator)

    def evaluation():
        return [evaluate(net, vx, vy, vx.shape[0]) for net in nets]

    warmup_s, epochs, _ = timed(epoch, args.repeats, torch.cuda.synchronize)
    _, evals, results = timed(evaluation, args.repeats, torch.cuda.synchronize)
    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "mode": "cuda eager",
        "device": torch.cuda.get_device_name(device),
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "flush_denormal": flushed, "nets": args.nets, "batch": args.batch_size,
        "train_count": x.shape[0], "repeats": args.repeats, "warmup_seconds": warmup_s,
        **spread("epoch_seconds", epochs), **spread("eval_ms", evals, 1000.0),
        "val_loss": sum(r[0] for r in results) / len(results),
        "val_accuracy": sum(r[1] for r in results) / len(results)}))


if __name__ == "__main__":
    main()
