#!/usr/bin/env python3
"""PyTorch-on-GPU peer for a group: K reference CNNs trained together in one batched pass with
torch.func (stack_module_state + vmap), optionally replayed as one whole-step CUDA graph.

The K networks (seeds seed .. seed+K-1) see the same batches, like Convscope's lockstep group.
Their parameters are stacked along a leading K dimension (torch.func.stack_module_state); a step
runs functional_call(reference_net) under vmap, sums the K mean losses (each network gets its own
gradient) and one Adam (lr 1e-3, eps 1e-7) updates the stacked tensors, which equals K separate
Adams because Adam is elementwise. --nets 1 trains the plain module, without vmap.
With --graph the whole step (forward, backward, Adam with capturable=True) is captured once into
a CUDA graph and replayed, the batch's sample indices copied into a static buffer each step (the
whole-network capture of PyTorch's CUDA graph documentation); the last, shorter batch runs
eagerly. --nets 1 --graph is the single-network whole-step graph peer.
The 60,000 training images stay on the GPU as float tensors in [0, 1]. The graph is captured
(after its warm-up steps, whose effect on the weights and optimizer state is undone) before
anything is timed. One untimed warm-up epoch, then R timed epochs of the whole group; then one
untimed and R timed evaluations of every network on the 10,000 validation images. Prints one
JSON line with the keys of torch_gpu_reference.py.

  python3 bench/torch_gpu_vmap.py --data data/mnist --nets 50 [--graph] [--repeats 3]
"""
import copy

import torch
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state

from reference import (gpu_data, gpu_report, parse_peer_arguments, peer_arguments, reference_net,
                       timed)

EVAL_CHUNK = 2000  # validation images per batched forward pass


def make_group(nets, seed, device):
    """(parameters, loss(x, y), logits(x) -> (K, B, classes)) of K freshly initialized nets."""
    models = []
    for i in range(nets):
        torch.manual_seed(seed + i)
        models.append(reference_net().to(device))
    if nets == 1:
        model = models[0]
        return (list(model.parameters()), lambda x, y: F.cross_entropy(model(x), y),
                lambda x: model(x)[None])
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")

    def one_net(p, b, x):
        return functional_call(base, (p, b), (x,))

    def loss(x, y):
        per_net = torch.vmap(lambda p, b: F.cross_entropy(one_net(p, b, x), y))
        return per_net(params, buffers).sum()

    def logits(x):
        return torch.vmap(one_net, in_dims=(0, 0, None))(params, buffers, x)

    return list(params.values()), loss, logits


class GroupTrainer:
    """One Adam over the stacked parameters for all epochs; with graph=True the whole step is
    captured once, here (so no epoch pays for it), and replayed for every full batch."""

    def __init__(self, params, loss_fn, x, y, batch, generator, graph):
        self.params, self.loss_fn, self.x, self.y = params, loss_fn, x, y
        self.batch, self.generator = batch, generator
        self.opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7, capturable=graph)
        self.step = None
        if graph:
            self.capture()

    def eager_step(self, idx):
        self.opt.zero_grad(set_to_none=True)
        self.loss_fn(self.x[idx], self.y[idx]).backward()
        self.opt.step()

    def capture(self):
        self.static_idx = torch.arange(self.batch, device=self.x.device)
        initial = [p.detach().clone() for p in self.params]
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up before capture, as the documentation requires
            for _ in range(3):
                self.eager_step(self.static_idx)
        torch.cuda.current_stream().wait_stream(side)
        self.step = torch.cuda.CUDAGraph()
        self.opt.zero_grad(set_to_none=True)
        with torch.cuda.graph(self.step):
            self.loss_fn(self.x[self.static_idx], self.y[self.static_idx]).backward()
            self.opt.step()
        with torch.no_grad():  # undo the warm-up: training starts from the initial weights
            for p, p0 in zip(self.params, initial):
                p.copy_(p0)
            for state in self.opt.state.values():
                for value in state.values():
                    value.zero_()

    def epoch(self):
        n = self.x.shape[0]
        order = torch.randperm(n, generator=self.generator, device=self.x.device)
        full = n // self.batch * self.batch if self.step else 0
        for first in range(0, full, self.batch):
            self.static_idx.copy_(order[first:first + self.batch])
            self.step.replay()
        for first in range(full, n, self.batch):  # all batches eagerly, or the last short one
            self.eager_step(order[first:first + self.batch])


@torch.no_grad()
def evaluate(logits_fn, x, y):
    """Per network: mean loss, accuracy, top-3 labels and probabilities, true-label probability."""
    parts = [logits_fn(x[i:i + EVAL_CHUNK]) for i in range(0, x.shape[0], EVAL_CHUNK)]
    logits = torch.cat(parts, dim=1)  # (K, N, classes)
    nets = logits.shape[0]
    loss = F.cross_entropy(logits.flatten(0, 1), y.repeat(nets), reduction="none")
    loss = loss.view(nets, -1).mean(1)
    probs = logits.softmax(2)
    top_probs, top_labels = probs.topk(3, dim=2)
    true_probs = probs.gather(2, y[None, :, None].expand(nets, -1, 1))
    accuracy = (top_labels[:, :, 0] == y[None]).float().mean(1)
    return loss, accuracy, top_labels, top_probs, true_probs


def main():
    ap = peer_arguments(__doc__.split("\n")[0], "networks trained together")
    ap.add_argument("--graph", action="store_true", help="replay the step as a CUDA graph")
    args = parse_peer_arguments(ap)
    flushed, device, x, y, vx, vy = gpu_data(args)
    generator = torch.Generator(device=device).manual_seed(args.seed)

    params, loss_fn, logits_fn = make_group(args.nets, args.seed, device)
    trainer = GroupTrainer(params, loss_fn, x, y, args.batch_size, generator, args.graph)

    def evaluation():
        return evaluate(logits_fn, vx, vy)

    warmup_s, epochs, _ = timed(trainer.epoch, args.repeats, torch.cuda.synchronize)
    _, evals, (loss, accuracy, *_) = timed(evaluation, args.repeats, torch.cuda.synchronize)
    mode = ("cuda vmap" if args.nets > 1 else "cuda") + (" whole-step graph" if args.graph else "")
    print(gpu_report(mode, device, flushed, args, x.shape[0], warmup_s, epochs, evals,
                     loss.mean().item(), accuracy.mean().item()))

if __name__ == "__main__":
    main()
