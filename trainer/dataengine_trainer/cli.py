"""CLI: ``python3 -m dataengine_trainer train|eval|calibrate|export|import-sam ...`` (run with PYTHONPATH=trainer).

Progress and results are JSON lines on stdout. Caller errors (bad dataset, bad bundle, bad
arguments) print one ``error: ...`` line on stderr and exit 2; SIGTERM during training exits 0
after writing a usable partial checkpoint (or none)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import TrainerError


def _threads(n: int) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(n)


def cmd_train(a: argparse.Namespace) -> int:
    from .train import FAST_RECIPE, FULL_RECIPE, StopFlag, TrainArgs, run_training

    if a.init is None and a.arch is None:
        a.arch = "tiny"
    if a.init is not None and a.arch is not None:
        raise TrainerError("give either --init (fine-tune a bundle/checkpoint) or --arch (from scratch), not both")
    # each mode's recipe where the caller left it open: a fast retrain spends the step on more masks of
    # one image and fewer refinement rounds (bench/retrain.bench.ts measured it against the full recipe)
    for name, value in (FAST_RECIPE if a.mode == "fast" else FULL_RECIPE).items():
        if getattr(a, name) is None:
            # a full run with a refit phase calibrates after the refit, as a fast retrain does
            setattr(a, name, FAST_RECIPE[name] if name == "calibrate_images" and a.refit_steps else value)
    if a.refit_steps < 0:
        raise TrainerError("--refit-steps must be ≥ 0 (0 = no refit phase)")
    if a.refit_steps and a.mode != "full":
        raise TrainerError("--refit-steps follows a full run's steps (--mode full); a fast run is already a refit")
    for name in ("steps", "batch", "masks_per_image", "threads"):
        if getattr(a, name) < 1:
            raise TrainerError(f"--{name.replace('_', '-')} must be ≥ 1")
    if not a.lr > 0:
        raise TrainerError("--lr must be > 0")
    _threads(a.threads)
    stop = StopFlag()
    stop.install()
    args = TrainArgs(data=a.data, out=a.out, arch=a.arch or "tiny", init=a.init, steps=a.steps,
                     images_per_batch=a.batch, masks_per_image=a.masks_per_image, lr=a.lr, threads=a.threads,
                     seed=a.seed, checkpoint_every=a.checkpoint_every, log_every=a.log_every,
                     time_limit_s=a.time_limit, warmup=a.warmup, crop=a.crop,
                     max_nograd_rounds=a.max_nograd_rounds, loader_workers=a.loader_workers,
                     affinity_weight=a.affinity_weight, device=a.device, amp=a.amp,
                     stability_margin=a.stability_margin, calibrate_images=a.calibrate_images, mode=a.mode,
                     embedding_flip=a.embedding_flip, embeddings=a.embeddings, hard_examples=a.hard_examples,
                     detail_lr_scale=a.detail_lr_scale, refit_steps=a.refit_steps, photometric=a.photometric,
                     zoom=a.zoom, zoom_views=a.zoom_views, interior_clicks=a.interior_clicks)
    if not 0 < a.detail_lr_scale <= 100:
        raise TrainerError("--detail-lr-scale must be in (0, 100]")
    if a.mode == "fast":
        if a.init is None:
            raise TrainerError("--mode fast fine-tunes a trained model with its image encoder frozen: give --init")
    for name in ("embedding_flip", "photometric", "interior_clicks", "zoom"):
        if not 0 <= getattr(a, name) <= 1:
            raise TrainerError(f"--{name.replace('_', '-')} must be a probability in [0, 1]")
    if not 0 <= a.zoom_views <= 16:
        raise TrainerError("--zoom-views must be 0 to 16 views per training image")
    if a.crop and (a.crop % 32 or not 64 <= a.crop <= 1024):
        raise TrainerError("--crop must be a multiple of 32 in [64, 1024], or 0 for the whole frame")
    if not a.affinity_weight >= 0:
        raise TrainerError("--affinity-weight must be ≥ 0")
    if not a.stability_margin >= 0:
        raise TrainerError("--stability-margin must be ≥ 0")
    if a.calibrate_images < 0:
        raise TrainerError("--calibrate-images must be ≥ 0 (0 = no calibration)")
    if not 0 <= a.loader_workers <= 64:
        raise TrainerError("--loader-workers must be 0 (batches built between steps) to 64 (processes building ahead)")
    run_training(args, stop)
    return 0


def cmd_eval(a: argparse.Namespace) -> int:
    from .checkpoint import atomic_write_json, load_checkpoint
    from .evaluate import evaluate
    from .progress import emit

    _threads(a.threads)
    from .device import resolve_device

    device = resolve_device(a.device)
    model, meta = load_checkpoint(a.bundle)
    result = evaluate(model, a.data, split=a.split, max_images=a.max_images, threads=a.threads, device=device,
                      time_limit_s=a.time_limit)
    result["model"] = meta.get("model_name") or meta.get("path")
    result["step"] = meta.get("step")
    if a.out:
        atomic_write_json(a.out, result)
    emit("eval_done", **result)
    return 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    from .calibration import fit_iou_calibration
    from .checkpoint import load_checkpoint, save_checkpoint
    from .progress import emit

    if a.max_images < 1:
        raise TrainerError("--max-images must be ≥ 1")
    _threads(a.threads)
    model, meta = load_checkpoint(a.checkpoint)
    summary = fit_iou_calibration(model, a.data, split=a.split, max_images=a.max_images, seed=a.seed)
    meta = {k: v for k, v in meta.items() if k not in ("path", "format")}
    meta["calibration"] = summary
    save_checkpoint(a.out, model, **meta)
    emit("calibrate_done", out=os.path.abspath(a.out), **summary)
    return 0


def cmd_grow(a: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint, save_checkpoint
    from .grow import grow_detail
    from .progress import emit

    if not 1 <= a.detail_features <= 12:
        raise TrainerError("--detail-features must be 1–12")
    model, meta = load_checkpoint(a.checkpoint)
    grown = grow_detail(model, a.detail_features, seed=a.seed)
    meta = {k: v for k, v in meta.items() if k not in ("path", "format", "optimizer")}
    meta["grown_from"] = os.path.abspath(a.checkpoint)
    save_checkpoint(a.out, grown, **meta)
    emit("grow_done", out=os.path.abspath(a.out), arch=grown.config.arch,
         detail_features=a.detail_features,
         parameters=sum(p.numel() for p in grown.parameters()))
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint
    from .export import export_bundle
    from .model import PRESETS, build_model
    from .progress import emit

    _threads(a.threads)
    metrics = {}
    if a.metrics:
        try:
            with open(a.metrics) as f:
                m = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            raise TrainerError(f"cannot read metrics file {a.metrics} ({e})") from None
        metrics = m.get("metrics", m)
    if a.random_init:
        if a.arch not in PRESETS:
            raise TrainerError(f"unknown --arch {a.arch!r}; known: {', '.join(PRESETS)}")
        model = build_model(a.arch, seed=a.seed)
        lineage = {"parent": None, "snapshot_id": None}
        ckpt_meta = {"step": 0, "random_init": True}
        name = a.name or f"{a.arch}-random-init"
    else:
        if not a.checkpoint:
            raise TrainerError("export needs --checkpoint PATH (or --arch NAME --random-init)")
        model, meta = load_checkpoint(a.checkpoint)
        parent = meta.get("parent")
        lineage = {"parent": (parent or {}).get("model_name") or (parent or {}).get("path") if parent else None,
                   "snapshot_id": meta.get("snapshot_id")}
        ckpt_meta = {k: meta[k] for k in ("step", "steps_total", "snapshot_id", "seed", "elapsed_s", "partial", "parent", "arch",
                                          "stopped_by", "affinity_state", "calibration", "mode", "encoder_frozen") if k in meta}
        name = a.name or os.path.basename(os.path.abspath(a.out))
    training = {k: ckpt_meta.get(k) for k in ("step", "steps_total", "seed", "elapsed_s", "partial", "stopped_by")}
    manifest = export_bundle(model, a.out, name, lineage, metrics, extra={"training": training}, ckpt_meta=ckpt_meta,
                             include_pytorch=not a.no_pytorch, encoder_from=a.encoder_from)
    sizes = {f: os.path.getsize(os.path.join(a.out, f)) for f in sorted(os.listdir(a.out))}
    emit("export_done", out=os.path.abspath(a.out), name=manifest["name"], files=sizes)
    return 0


def cmd_import_sam(a: argparse.Namespace) -> int:
    from .progress import emit
    from .sam_import import import_sam_checkpoint

    _threads(a.threads)
    done = import_sam_checkpoint(a.checkpoint, a.out, a.model_type, a.name,
                                 on_phase=lambda phase, **f: emit("import_progress", phase=phase, **f))
    emit("import_done", **done)
    return 0


DEFAULT_THREADS = int(os.environ.get("TRAINER_THREADS", "2"))  # 2 cores on our machines (STACK-NOTES.md)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m dataengine_trainer", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train from scratch (--arch) or fine-tune (--init bundle/checkpoint)")
    t.add_argument("--data", required=True, help="snapshot directory (SA-1B layout + split.json)")
    t.add_argument("--out", required=True, help="output directory (checkpoint.pt is written atomically)")
    t.add_argument("--arch", choices=["tiny", "tiny-hd", "micro", "sam-vit-b"], default=None)
    t.add_argument("--init", default=None, help="bundle directory or checkpoint file to start from")
    t.add_argument("--steps", type=int, default=1000)
    t.add_argument("--batch", type=int, default=None, help="images per step (default 2; fast mode 1)")
    t.add_argument("--masks-per-image", type=int, default=None, help="prompted masks per image (default 6; fast mode 8)")
    t.add_argument("--lr", type=float, default=8e-4)
    t.add_argument("--warmup", type=int, default=250)
    t.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--checkpoint-every", type=int, default=50)
    t.add_argument("--log-every", type=int, default=10)
    t.add_argument("--crop", type=int, default=512, help="train on random crops of the 1024 frame (0 = whole frame)")
    t.add_argument("--loader-workers", type=int, default=None,
                   help="1: build batches ahead in a separate process (uses a spare core; full mode's default), "
                        "0: between steps (fast mode's default), N > 1: N processes (worker i seeded from (seed, i)), "
                        "to keep a GPU fed")
    t.add_argument("--device", default="auto", help="auto (cuda when available, else cpu) | cpu | cuda")
    t.add_argument("--amp", action="store_true", help="bf16 autocast of the forward passes (losses in float32)")
    t.add_argument("--affinity-weight", type=float, default=1.0,
                   help="weight of the grouping loss that teaches the encoder which cells share a region (0 = off)")
    t.add_argument("--max-nograd-rounds", type=int, default=None,
                   help="error-click rounds run without grad per step (default 3; fast mode 1)")
    t.add_argument("--stability-margin", type=float, default=4.0,
                   help="logit margin of the mask loss: pixels count as right once past ±margin (0 = plain focal + dice)")
    t.add_argument("--calibrate-images", type=int, default=None,
                   help="after training, fit the IoU calibration on this many training images (default 30; fast "
                        "mode 16; 0 = off)")
    t.add_argument("--time-limit", type=float, default=None, help="seconds; stop cleanly and checkpoint after this")
    t.add_argument("--mode", choices=["full", "fast"], default="full",
                   help="full: every part trains on crops (the encoder runs each step); fast: the image encoder is "
                        "frozen and the rest trains on the images' embeddings (stored in the snapshot or computed "
                        "once) — many more steps per minute, and the bundle keeps its parent's encoder and embeddings")
    t.add_argument("--refit-steps", type=int, default=0,
                   help="full mode: after the steps, this many fast steps (the trained encoder frozen) refit the "
                        "prompt encoder, mask decoder and detector on its embeddings, before the IoU calibration")
    t.add_argument("--photometric", type=float, default=0.0,
                   help="full mode: probability that a training image gets lighting, cast shadows, texture, colour, "
                        "blur and noise (photometric.py); 0 = off")
    t.add_argument("--interior-clicks", type=float, default=0.0,
                   help="probability that a training click (first point, error clicks) is drawn near the middle of its "
                        "region, where annotators click, instead of uniformly; 0 = uniform (SAM's training)")
    t.add_argument("--zoom", type=float, default=0.0,
                   help="full mode: probability that a training image is replaced by a zoomed view around one of its "
                        "objects (zoom.py: what the annotator tool's focus view embeds); 0 = off")
    t.add_argument("--zoom-views", type=int, default=0,
                   help="fast mode and a full run's refit phase: zoomed views per training image, embedded once by the "
                        "frozen encoder and trained on beside the whole images; 0 = none")
    t.add_argument("--embedding-flip", type=float, default=0.5,
                   help="fast mode: probability that an image's embedding and masks are mirrored together")
    t.add_argument("--embeddings", default=None,
                   help="fast mode: directory of the images' stored embeddings (sa_<id>.emb.f16 + embeddings.json "
                        "naming the encoder); default the snapshot directory; missing ones are computed")
    t.add_argument("--hard-examples", action="store_true",
                   help="fast mode: draw each image's masks in proportion to how wrong the starting model's "
                        "one-click answer is, instead of uniformly")
    t.add_argument("--detail-lr-scale", type=float, default=1.0,
                   help="learning rate of the detail branch and detail upsampling (tiny-hd) relative to --lr: higher "
                        "for a model just grown from a trained one (trainer grow)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="interactive mIoU @1..5 clicks + detector AP@0.5 → metrics JSON")
    e.add_argument("--bundle", required=True, help="bundle directory or checkpoint file")
    e.add_argument("--data", required=True)
    e.add_argument("--split", choices=["val", "train"], default="val")
    e.add_argument("--max-images", type=int, default=None)
    e.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    e.add_argument("--device", default="auto", help="auto (cuda when available, else cpu) | cpu | cuda")
    e.add_argument("--time-limit", type=float, default=None,
                   help="seconds; stop after the image that passes it (num_images says how many were evaluated)")
    e.add_argument("--out", default=None, help="also write the result JSON here")
    e.set_defaults(func=cmd_eval)

    c = sub.add_parser("calibrate", help="fit the decoder's IoU calibration (predicted IoU → expected true IoU) into a checkpoint")
    c.add_argument("--checkpoint", required=True, help="bundle directory or checkpoint file")
    c.add_argument("--data", required=True, help="snapshot directory")
    c.add_argument("--split", choices=["train", "val"], default="train")
    c.add_argument("--max-images", type=int, default=100)
    c.add_argument("--out", required=True, help="checkpoint file to write (may be the input file)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    c.set_defaults(func=cmd_calibrate)

    g = sub.add_parser("grow", help="add fine-detail features and 256² detail masks to a trained tiny model, "
                                      "outputs unchanged (continue training it with train --init)")
    g.add_argument("--checkpoint", required=True, help="bundle directory or checkpoint file (tiny)")
    g.add_argument("--out", required=True, help="checkpoint file to write")
    g.add_argument("--detail-features", type=int, default=8)
    g.add_argument("--seed", type=int, default=0)
    g.set_defaults(func=cmd_grow)

    x = sub.add_parser("export", help="checkpoint → bundle (encoder/decoder/detector ONNX + manifest)")
    x.add_argument("--checkpoint", default=None)
    x.add_argument("--arch", default="tiny")
    x.add_argument("--random-init", action="store_true", help="export an untrained --arch (latency benchmarks)")
    x.add_argument("--seed", type=int, default=0)
    x.add_argument("--out", required=True)
    x.add_argument("--name", default=None)
    x.add_argument("--metrics", default=None, help="eval result JSON to record in the manifest lineage")
    x.add_argument("--no-pytorch", action="store_true", help="omit model.pt (e.g. sam-vit-b: 360 MB)")
    x.add_argument("--encoder-from", default=None,
                   help="bundle with the same image encoder (a fast retrain's parent): copy its encoder.onnx byte "
                        "for byte instead of exporting it, so both share stored embeddings")
    x.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    x.set_defaults(func=cmd_export)

    s = sub.add_parser("import-sam", help="official SAM checkpoint (.pth) → bundle (model.pt + encoder/decoder ONNX + manifest)")
    s.add_argument("--checkpoint", required=True, help="sam_vit_b_01ec64.pth, sam_vit_l_0b3195.pth or sam_vit_h_4b8939.pth")
    s.add_argument("--model-type", required=True, choices=["vit_b", "vit_l", "vit_h"])
    s.add_argument("--out", required=True, help="bundle directory to write")
    s.add_argument("--name", default=None)
    s.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    s.set_defaults(func=cmd_import_sam)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TrainerError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
