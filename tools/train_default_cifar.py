#!/usr/bin/env python3
"""Train heatlens' built-in default CIFAR-10 model and write it to models/default/.

The network follows the small CIFAR CNN used by FPGA explainability accelerators: four 3x3
convolutions (32, 32, 64, 64 channels, each followed by BatchNorm + ReLU), a 2x2 max-pool after
every pair, global average pooling and one fully connected layer (64 -> 10). After training, each
BatchNorm is folded into the preceding convolution, so the exported ONNX graph (opset 13) holds only
Conv, Relu, MaxPool, GlobalAveragePool, Flatten and Gemm -- the op set heatlens compiles.

Data: the JPEG copy of CIFAR-10 in ../shared/data/cifar10 (train-jpeg.tar.gz, test-jpeg.tar.gz). The
images are decoded once, straight from the archives, into uint8 arrays that are cached under /tmp
(never inside the project).

Run from the project root with Debian's Python (it has torch 1.13; the pyenv `python3` has none):

    nohup /usr/bin/python3 tools/train_default_cifar.py > /tmp/train_default.log 2>&1 &

Options: --epochs N (default 40), --threads N (default 2), --lr, --wd, --batch, --seed, --data DIR,
--out DIR. Time per epoch (training plus the test-set evaluation) on 2 CPU cores, no GPU: about 38 s
when the machine is idle (the default 40 epochs take ~25 min); when other jobs share the cores, 2
threads slow to ~250 s per epoch while `--threads 1` takes ~80 s (~55-60 min for 40 epochs).
TRAINING.md records the measured time. Decoding the 60,000 JPEGs on the first run adds ~10 s.

Outputs in models/default/: model.onnx, labels.txt, preset.json, metrics.json, TRAINING.md,
sample.png and README.md.
"""

import argparse
import io
import json
import os
import platform
import random
import sys
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

# Standard CIFAR-10 label order (the index a label byte means in the original binary release).
CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck"]

# Per-channel statistics of the CIFAR-10 training set, the usual values; the model input is
# (pixel / 255 - MEAN) / STD, exactly what preset.json tells heatlens to do.
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.2470, 0.2435, 0.2616]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------

def load_split(tar_path, cache_dir):
    """Decode every JPEG of one archive into (N,32,32,3) uint8 images and (N,) int64 labels.

    The class comes from the folder name (<split>/<class>/<nnnn>.jpg), mapped to the standard
    CIFAR-10 index, never to an enumeration order of the archive. Members are sorted by name so
    the arrays (and hence the seeded training) do not depend on the order inside the tar.
    """
    name = os.path.basename(tar_path).split(".")[0]
    x_cache = os.path.join(cache_dir, f"{name}-x.npy")
    y_cache = os.path.join(cache_dir, f"{name}-y.npy")
    if os.path.exists(x_cache) and os.path.exists(y_cache):
        return np.load(x_cache), np.load(y_cache)

    images, labels = {}, {}
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar:
            if not (member.isfile() and member.name.endswith(".jpg")):
                continue
            parts = member.name.split("/")
            cls = parts[-2]
            if cls not in CLASSES:
                raise ValueError(f"unknown class folder {cls!r} in {tar_path}")
            data = tar.extractfile(member).read()
            img = Image.open(io.BytesIO(data)).convert("RGB")
            if img.size != (32, 32):
                raise ValueError(f"{member.name} is {img.size}, expected 32x32")
            images[member.name] = np.asarray(img, dtype=np.uint8)
            labels[member.name] = CLASSES.index(cls)
    keys = sorted(images)
    x = np.stack([images[k] for k in keys])
    y = np.array([labels[k] for k in keys], dtype=np.int64)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(x_cache, x)
    np.save(y_cache, y)
    return x, y


def to_input(x_uint8):
    """uint8 NHWC batch -> normalised float NCHW tensor (the preset's preprocessing)."""
    x = torch.from_numpy(x_uint8).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augment(x_uint8, rng):
    """Random crop with 4 px zero padding plus random horizontal flip, on a uint8 NHWC batch.

    Standard CIFAR augmentation: the small network overfits without it. Padding with 0 (black)
    before normalisation matches the usual torchvision RandomCrop(32, padding=4).
    """
    n = x_uint8.shape[0]
    padded = np.pad(x_uint8, ((0, 0), (4, 4), (4, 4), (0, 0)))
    dx = rng.integers(0, 9, n)
    dy = rng.integers(0, 9, n)
    flip = rng.random(n) < 0.5
    out = np.empty_like(x_uint8)
    for i in range(n):
        crop = padded[i, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop[:, ::-1] if flip[i] else crop
    return out


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------

def conv_bn_relu(cin, cout):
    # No conv bias: the BatchNorm that follows has its own shift (the bias appears on folding).
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


def build_model():
    """The fixed topology: 2x(conv32) pool 2x(conv64) pool GAP FC(64->10)."""
    return nn.Sequential(
        *conv_bn_relu(3, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
        *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
    )


def fold_batchnorm(model):
    """Return a copy of `model` with every Conv2d+BatchNorm2d pair replaced by one biased Conv2d.

    In eval mode BN computes gamma * (z - mean) / sqrt(var + eps) + beta, an affine map per output
    channel, so it can be merged into the conv: W' = W * s, b' = (b - mean) * s + beta with
    s = gamma / sqrt(var + eps).
    """
    layers = list(model)
    folded = []
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, nn.Conv2d) and i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d):
            bn = layers[i + 1]
            conv = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                             stride=layer.stride, padding=layer.padding, bias=True)
            with torch.no_grad():
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                bias = layer.bias if layer.bias is not None else torch.zeros_like(bn.running_mean)
                conv.weight.copy_(layer.weight * scale.view(-1, 1, 1, 1))
                conv.bias.copy_((bias - bn.running_mean) * scale + bn.bias)
            folded.append(conv)
            i += 2
        else:
            folded.append(layer)
            i += 1
    return nn.Sequential(*folded).eval()


# ----------------------------------------------------------------------------------------------
# Training and evaluation
# ----------------------------------------------------------------------------------------------

@torch.no_grad()
def predict(model, x_uint8, batch=1000):
    """Logits for a whole uint8 NHWC array, in eval mode."""
    model.eval()
    return torch.cat([model(to_input(x_uint8[i:i + batch])) for i in range(0, len(x_uint8), batch)])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.15, help="peak learning rate of the one-cycle schedule")
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--smoothing", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    # 2 threads use both cores of an idle machine; when other jobs share the cores, 1 thread is about
    # 3x faster (2 OpenMP threads then keep waiting for each other at every layer).
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "cifar10"))
    p.add_argument("--sample", default=os.path.join(ROOT, "..", "shared", "images", "chelsea.png"))
    p.add_argument("--out", default=os.path.join(ROOT, "models", "default"))
    p.add_argument("--cache", default="/tmp/heatlens-cifar10-cache")
    args = p.parse_args()
    # The command as TRAINING.md records it: every option that differs from its default.
    defaults = vars(p.parse_args([]))
    command = " ".join(["/usr/bin/python3 tools/train_default_cifar.py"] +
                       [f"--{k} {v}" for k, v in vars(args).items() if v != defaults[k]])

    # Fixed seeds and a fixed thread count: the run is reproducible on the same machine.
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = np.random.default_rng(args.seed)

    t_start = time.time()
    x_train, y_train = load_split(os.path.join(args.data, "train-jpeg.tar.gz"), args.cache)
    x_test, y_test = load_split(os.path.join(args.data, "test-jpeg.tar.gz"), args.cache)
    print(f"data: train {x_train.shape} test {x_test.shape} "
          f"({time.time() - t_start:.0f} s to load)", flush=True)
    y_test_t = torch.from_numpy(y_test)

    model = build_model()
    # No weight decay on BN parameters and biases: decaying them only hurts a small net.
    decay = [p_ for n_, p_ in model.named_parameters() if p_.ndim > 1]
    no_decay = [p_ for n_, p_ in model.named_parameters() if p_.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.wd},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = (len(x_train) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.smoothing)

    t_train = time.time()
    history = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        order = rng.permutation(len(x_train))
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(steps_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch]
            xb = to_input(augment(x_train[idx], rng))
            yb = torch.from_numpy(y_train[idx])
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            seen += len(idx)
        test_acc = (predict(model, x_test).argmax(1) == y_test_t).float().mean().item()
        secs = time.time() - t0
        history.append({"epoch": epoch, "loss": loss_sum / seen, "train_acc": correct / seen,
                        "test_acc": test_acc, "seconds": secs})
        print(f"epoch {epoch:2d}/{args.epochs}  loss {loss_sum / seen:.4f}  "
              f"train {100 * correct / seen:5.2f}%  test {100 * test_acc:5.2f}%  "
              f"{secs:5.1f} s", flush=True)
    train_seconds = time.time() - t_train

    # ---- fold BatchNorm and check the folded net computes the same function -----------------
    model.eval()
    folded = fold_batchnorm(model)
    logits = predict(model, x_test)
    logits_folded = predict(folded, x_test)
    max_diff = (logits - logits_folded).abs().max().item()
    pred = logits_folded.argmax(1)
    top1 = (pred == y_test_t).float().mean().item()
    top1_unfolded = (logits.argmax(1) == y_test_t).float().mean().item()
    print(f"folded: test top-1 {100 * top1:.2f}% (unfolded {100 * top1_unfolded:.2f}%), "
          f"max |logit diff| {max_diff:.2e}", flush=True)
    assert max_diff < 1e-4, "BatchNorm folding changed the logits"
    assert top1 == top1_unfolded, "BatchNorm folding changed the accuracy"
    per_class = {c: (pred[y_test_t == k] == k).float().mean().item() for k, c in enumerate(CLASSES)}

    # ---- export --------------------------------------------------------------------------------
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(folded, torch.zeros(1, 3, 32, 32), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    import onnx
    graph = onnx.load(onnx_path)
    onnx.checker.check_model(graph)
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"onnx: {onnx_path} ops {ops}", flush=True)
    assert set(ops) <= {"Conv", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm"}, ops

    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")
    # Written by hand rather than json.dumps so mean/std keep their 4 decimals (0.2470, not 0.247).
    def fmt(values):
        return ",".join(f"{v:.4f}" for v in values)
    preset = ('{"width":32,"height":32,"resize":"stretch","channels":"rgb","layout":"nchw",'
              f'"scale":{1 / 255!r},"mean":[{fmt(MEAN)}],"std":[{fmt(STD)}]}}')
    json.loads(preset)  # still valid JSON
    with open(os.path.join(args.out, "preset.json"), "w") as f:
        f.write(preset + "\n")

    total_seconds = time.time() - t_start
    metrics = {"test_top1": round(top1, 4), "test_images": int(len(y_test)), "epochs": args.epochs,
               "seconds": round(total_seconds)}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        f.write(json.dumps(metrics, indent=2) + "\n")

    # ---- sample photo: CC0 cat, longer side 256 px --------------------------------------------
    img = Image.open(args.sample).convert("RGB")
    k = 256 / max(img.size)
    img = img.resize((round(img.size[0] * k), round(img.size[1] * k)), Image.LANCZOS)
    img.save(os.path.join(args.out, "sample.png"), optimize=True)
    x = np.array(img.resize((32, 32), Image.BILINEAR), dtype=np.uint8)[None]
    sample_probs = F.softmax(predict(folded, x)[0], 0)
    sample_top = int(sample_probs.argmax())
    print(f"sample.png {img.size}: predicted {CLASSES[sample_top]} "
          f"({100 * sample_probs[sample_top]:.1f}%)", flush=True)

    write_docs(args, command, history, top1, per_class, max_diff, train_seconds, total_seconds, img.size,
               CLASSES[sample_top], float(sample_probs[sample_top]))
    print(f"done in {total_seconds / 60:.1f} min; wrote {sorted(os.listdir(args.out))}", flush=True)


def write_docs(args, command, history, top1, per_class, max_diff, train_seconds, total_seconds, sample_size,
               sample_class, sample_prob):
    """TRAINING.md (how the weights were made) and README.md (what the folder holds)."""
    rows = "\n".join(f"| {c} | {100 * a:.1f}% |" for c, a in per_class.items())
    epochs = "\n".join(f"| {h['epoch']} | {h['loss']:.4f} | {100 * h['train_acc']:.2f}% | "
                       f"{100 * h['test_acc']:.2f}% | {h['seconds']:.0f} |" for h in history)
    training = f"""# Training record of the default CIFAR-10 model

Produced by `tools/train_default_cifar.py`; every number below was written by that script.

## Command

Run from the project root (Debian's Python 3 with torch {torch.__version__}):

```
{command}
```

Wall time: {total_seconds / 60:.1f} min in total ({train_seconds / 60:.1f} min of training), with
{torch.get_num_threads()} torch thread(s) on a {os.cpu_count()}-core {platform.machine()} machine, no GPU.

## Result

Test top-1 on the 10,000 JPEG test images (`test-jpeg.tar.gz`): **{100 * top1:.2f}%**, measured with the
BatchNorm-folded network that `model.onnx` holds (max |logit difference| against the unfolded network in
eval mode: {max_diff:.1e}).

| class | top-1 |
|---|---|
{rows}

## Architecture

| layer | output |
|---|---|
| input, RGB, normalised | 3×32×32 |
| conv 3×3, 3→32, pad 1 + BN + ReLU | 32×32×32 |
| conv 3×3, 32→32, pad 1 + BN + ReLU | 32×32×32 |
| max-pool 2×2 / 2 | 32×16×16 |
| conv 3×3, 32→64, pad 1 + BN + ReLU | 64×16×16 |
| conv 3×3, 64→64, pad 1 + BN + ReLU | 64×16×16 |
| max-pool 2×2 / 2 | 64×8×8 |
| global average pool + flatten | 64 |
| fully connected 64→10 | 10 logits |

{sum(p.numel() for p in build_model().parameters()):,} trainable parameters
(BatchNorm included). In `model.onnx` each BatchNorm is folded into its convolution, so the graph (opset
13) holds only Conv, Relu, MaxPool, GlobalAveragePool, Flatten and Gemm. Input `input` [batch,3,32,32],
output `logits` [batch,10] (pre-softmax), dynamic axis `batch`.

## Data and preprocessing

- Training: the 50,000 JPEG training images (`train-jpeg.tar.gz`, JPEG quality about 75), labels from
  the folder names in the standard CIFAR-10 order (`labels.txt`).
- Input: (pixel/255 − mean)/std with mean ({", ".join(map(str, MEAN))}) and std
  ({", ".join(map(str, STD))}), as `preset.json` states.
- Augmentation: random crop 32×32 from the image zero-padded by 4 px, random horizontal flip.

## Hyper-parameters

| | |
|---|---|
| epochs | {args.epochs} |
| batch | {args.batch} |
| optimiser | SGD, momentum 0.9, Nesterov |
| learning rate | one-cycle (PyTorch `OneCycleLR` defaults: 30% warm-up, cosine annealing), peak {args.lr} |
| weight decay | {args.wd} on conv and FC weights, none on BN parameters and biases |
| loss | cross-entropy, label smoothing {args.smoothing} |
| seed | {args.seed} (torch and numpy) |

## Per-epoch log

| epoch | loss | train top-1 (augmented) | test top-1 | seconds |
|---|---|---|---|---|
{epochs}
"""
    with open(os.path.join(args.out, "TRAINING.md"), "w") as f:
        f.write(training)

    readme = f"""# Default model: small CIFAR-10 CNN

heatlens' built-in default model: a 4-convolution CIFAR-10 classifier in the style of the CNNs used by
FPGA explainability accelerators (conv 32, conv 32, max-pool, conv 64, conv 64, max-pool, global
average pool, one fully connected layer). It scores {100 * top1:.1f}% top-1 on the 10,000 CIFAR-10 test
images (JPEG copy). See `TRAINING.md` for how it was trained.

| file | content |
|---|---|
| `model.onnx` | the network, opset 13, BatchNorm folded; input `input` [batch,3,32,32], output `logits` [batch,10] |
| `labels.txt` | the 10 class names, standard CIFAR-10 order |
| `preset.json` | preprocessing: stretch to 32×32, RGB, NCHW, (pixel × scale − mean)/std |
| `metrics.json` | test top-1, number of test images, epochs, seconds |
| `TRAINING.md` | architecture, hyper-parameters, command, wall time, per-class accuracy |
| `sample.png` | a sample photo ({sample_size[0]}×{sample_size[1]}) |

## Licences

- Weights: MIT (the project's licence). Trained by this project with `tools/train_default_cifar.py` on
  the CIFAR-10 images; the data set itself is not included.
- `sample.png`: "chelsea" (a cat), CC0, from the data set of Debian's `python3-skimage` package
  (scikit-image), downscaled with PIL (Lanczos) so that the longer side is 256 px. The model predicts
  "{sample_class}" for it ({100 * sample_prob:.0f}%, image stretched to 32×32).
"""
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(readme)


if __name__ == "__main__":
    sys.exit(main())
