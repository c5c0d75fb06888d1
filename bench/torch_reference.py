#!/usr/bin/python3
"""PyTorch peer for `convscope-cli bench`: the reference CNN on MNIST, timed like Convscope.

Same network, optimizer and batch size as Convscope's reference run:
  Conv2d(1,8,5) ReLU MaxPool2d(2) Conv2d(8,16,5) ReLU MaxPool2d(2) Flatten
  Linear(256,128) ReLU Linear(128,10), Adam lr 1e-3 eps 1e-7, batch 64.
The data is read from the IDX files (raw or gzipped) and preloaded as float tensors in [0, 1].
Denormals are flushed to zero (torch.set_flush_denormal), as Convscope's CPU backend does.
One untimed warm-up epoch, then R timed epochs (K networks one after another per epoch with
--nets K); then one untimed and R timed evaluations of the whole validation set. Prints one
JSON line with every timed epoch and evaluation.

Run with Debian's interpreter: /usr/bin/python3 bench/torch_reference.py data/mnist
"""
import json

import torch

from reference import (adam, evaluate, load, parse_peer_arguments, peer_arguments, reference_net,
                       spread, timed, train_epoch)


def main():
    args = parse_peer_arguments(
        peer_arguments(__doc__.split("\n")[0], "train K networks one after another", 2))
    args.threads = args.threads or 2

    torch.set_num_threads(args.threads)
    flushed = torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    x, y = load(args.folder, "train")
    if args.limit_train > 0:
        x, y = x[:args.limit_train], y[:args.limit_train]
    vx, vy = load(args.folder, "t10k")
    generator = torch.Generator().manual_seed(args.seed)
    nets = [reference_net() for _ in range(args.nets)]
    opts = [adam(net) for net in nets]

    def epoch():
        for net, opt in zip(nets, opts):
            train_epoch(net, opt, x, y, args.batch_size, generator)

    def evaluation():
        return [evaluate(net, vx, vy, 64) for net in nets]  # 64: as Convscope chunks it

    def no_sync():
        pass

    warmup_s, epochs, _ = timed(epoch, args.repeats, no_sync)
    _, evals, results = timed(evaluation, args.repeats, no_sync)
    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "mode": "cpu", "threads": args.threads,
        "flush_denormal": flushed, "nets": args.nets, "batch": args.batch_size,
        "train_count": x.shape[0], "repeats": args.repeats, "warmup_seconds": warmup_s,
        **spread("epoch_seconds", epochs), **spread("eval_ms", evals, 1000.0),
        "val_loss": sum(r[0] for r in results) / len(results),
        "val_accuracy": sum(r[1] for r in results) / len(results)}))


if __name__ == "__main__":
    main()
