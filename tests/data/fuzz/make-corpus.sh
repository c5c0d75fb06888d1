#!/usr/bin/env bash
# Regenerates the fuzz corpus: valid seeds and the damaged files found by hand and by fuzzing.
#   tests/data/fuzz/make-corpus.sh BUILD_DIR     (needs BUILD_DIR/app/cli/convscope-cli)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cli="$1/app/cli/convscope-cli"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$here" "$tmp" <<'PY'
import gzip, json, struct, sys
here, tmp = sys.argv[1], sys.argv[2]
def idx(dims, payload, typ=0x08):
    return bytes([0, 0, typ, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload
images = idx([6, 4, 4], bytes(range(96)))
labels = idx([6], bytes([0, 1, 2, 3, 4, 5]))
out = {
    "images-4x4": images, "labels": labels, "images-gz": gzip.compress(images, mtime=0),
    "truncated": images[:50], "wrong-magic": b"\x01\x02" + images[2:],
    "int32-type": idx([2, 2], bytes(16), 0x0C), "huge-dims": idx([65536, 65536, 65536], b""),
    "zero-dims": idx([0, 0, 0], b""), "dims-overflow": idx([2**31 - 1, 2**31 - 1, 4], bytes(8)),
    "gz-truncated": gzip.compress(images, mtime=0)[:30], "empty": b"",
}
for name, data in out.items():
    open(f"{here}/idx/{name}", "wb").write(data)
# A 4x4 dataset for the checkpoint and store seeds.
for prefix, n in (("train", 64), ("t10k", 16)):
    open(f"{tmp}/{prefix}-images-idx3-ubyte", "wb").write(idx([n, 4, 4], bytes((i * 7) % 256 for i in range(n * 16))))
    open(f"{tmp}/{prefix}-labels-idx1-ubyte", "wb").write(idx([n], bytes(i % 10 for i in range(n))))
# Architecture strings after a 3-byte input shape (C, H, W; each value % 64 + 1).
arch = {"reference": (0, 27, 27, "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10"),
        "options": (2, 15, 15, "c3x4:tanh:same:s2-a2-d32:sigmoid-d10"),
        "kernel-46341": (0, 27, 27, "c46341x1:same-d10"),
        "huge-conv": (0, 27, 27, "c999999x999999:same-d10"),
        "dense-first": (0, 27, 27, "d16-c3x4-d10"), "empty-layer": (0, 27, 27, "c3x4--d10"),
        "pool-too-big": (0, 3, 3, "m9-d10"), "stride-zero": (0, 27, 27, "c3x4:s0-d10")}
for name, (c, h, w, text) in arch.items():
    open(f"{here}/arch/{name}", "wb").write(bytes([c, h, w]) + text.encode())
# Image files: small valid PGM / PPM of each kind, and damaged ones.
seven = bytes(255 if 2 <= x <= 5 and (y == 1 or x == 5 - y // 3) else 0 for y in range(8) for x in range(6))
images = {"p5": b"P5\n6 8\n255\n" + seven,
          "p2": b"P2 # comment\n6 8\n255\n" + " ".join(map(str, seven)).encode() + b"\n",
          "p6": b"P6 6 8 255\n" + bytes(v for p in seven for v in (p, p, p)),
          "p3-16bit": b"P3 2 1 65535\n65535 0 0 0 0 65535\n",
          "p5-16bit": b"P5 2 1 1000\n\x03\xe8\x00\x01",
          "truncated": (b"P5\n6 8\n255\n" + seven)[:30], "huge": b"P5\n16384 16384\n255\n",
          "above-maxval": b"P2 2 1 10 5 11\n", "png": b"\x89PNG\r\n\x1a\n", "empty": b""}
for name, data in images.items():
    open(f"{here}/image/{name}", "wb").write(data)
PY
"$cli" train --data "$tmp" --arch d10 --optimizer sgd --threads 1 --quiet --save "$tmp/sgd.safetensors" >/dev/null 2>&1
"$cli" ensemble --data "$tmp" --arch d10 --optimizer sgd --nets 2 --threads 1 --quiet --store "$tmp/store.db" >/dev/null 2>&1
python3 - "$here" "$tmp" <<'PY'
import json, struct, sys
here, tmp = sys.argv[1], sys.argv[2]
good = open(f"{tmp}/sgd.safetensors", "rb").read()
n = struct.unpack("<Q", good[:8])[0]
header, data = json.loads(good[8:8 + n]), good[8 + n:]
def file(h, d=data):
    text = json.dumps(h, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + d
def meta(**changes):
    h = json.loads(json.dumps(header)); h["__metadata__"].update(changes); return file(h)
s = f"{here}/safetensors"
open(f"{s}/sgd-d10", "wb").write(good)
open(f"{s}/truncated", "wb").write(good[: len(good) // 2])
open(f"{s}/claims-c5x4096", "wb").write(file({"__metadata__": dict(header["__metadata__"], spec="c5x4096:same-d10")}, b""))
open(f"{s}/claims-c999999", "wb").write(meta(spec="c999999x1:same-d10"))
open(f"{s}/batch-2147483647", "wb").write(meta(batch_size="2147483647"))
open(f"{s}/input-overflow", "wb").write(meta(input="2097152x2097152x4194304"))
open(f"{s}/beta1-2", "wb").write(meta(beta1="2"))
nan = bytearray(data); nan[0:4] = struct.pack("<f", float("nan"))
open(f"{s}/nan-weight", "wb").write(file(header, bytes(nan)))
open(f"{s}/header-length-huge", "wb").write(struct.pack("<Q", 2**63) + good[8:])
dup = good[8:8 + n].decode().replace('"__metadata__":{', '"__metadata__":{"a":"1","a":"2",', 1).encode()
dup += b" " * (-len(dup) % 8)
open(f"{s}/duplicate-key", "wb").write(struct.pack("<Q", len(dup)) + dup + data)
store = open(f"{tmp}/store.db", "rb").read()
t = f"{here}/store"
open(f"{t}/two-nets", "wb").write(store)
open(f"{t}/truncated", "wb").write(store[: len(store) // 3])
broken = bytearray(store)
for page in range(16384, len(broken), 16384): broken[page:page + 8] = b"\xff" * 8
open(f"{t}/broken-pages", "wb").write(bytes(broken))
PY
ls -la "$here"/*/ | awk '{s += $5} END {print "corpus bytes:", s}'
