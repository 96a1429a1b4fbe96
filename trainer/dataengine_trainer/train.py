"""SAM-style training (SAM-SPEC.md §6.2) with JSON-lines progress and SIGTERM-safe checkpoints."""
from __future__ import annotations

import math
import os
import signal
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.utils.data

from .batches import LowResCache, build_batch
from .zoom import zoom_views
from .grow import DETAIL_PARAMS
from .calibration import fit_iou_calibration
from .checkpoint import load_checkpoint, save_checkpoint
from .constants import EMBED_DIM
from .dataset import load_snapshot
from .embeddings import prepare_embeddings
from .device import amp_supported, autocast, configure, cpu_state, resolve_device
from .errors import TrainerError
from .hardness import mask_weights
from .interactive import add_click, error_clicks, initial_prompts, mask_boxes
from .losses import STABILITY_MARGIN, affinity_loss, detector_loss, sam_mask_loss
from .model import build_model
from .model.sam import crop_grid
from .progress import emit

CHECKPOINT_NAME = "checkpoint.pt"
GRAD_CLIP = 5.0


@dataclass
class TrainArgs:
    data: str
    out: str
    arch: str = "tiny"
    init: str | None = None  # bundle dir or checkpoint to fine-tune from (the retrain path)
    steps: int = 1000
    images_per_batch: int = 2
    masks_per_image: int = 6
    lr: float = 8e-4
    weight_decay: float = 0.1
    warmup: int = 250
    threads: int = 2
    seed: int = 0
    max_nograd_rounds: int = 3  # SAM uses 8 error-region points; ours run without grad (CPU budget)
    box_probability: float = 0.5
    no_click_probability: float = 0.2  # rounds with no new point (mask feedback only)
    det_weight: float = 1.0
    checkpoint_every: int = 50
    log_every: int = 10
    crop: int = 512  # train on random crop×crop windows of the 1024 frame (0 = whole frame)
    time_limit_s: float | None = None  # stop cleanly (with a checkpoint) after this much wall time
    # 0: batches built in the loop; 1: ahead in a separate process (a spare core; the same sequence as 0);
    # N > 1: N processes, worker i seeded from (seed, i) (distinct batches; what a GPU needs)
    loader_workers: int = 1
    affinity_weight: float = 1.0  # grouping loss on the embedding (AffinityHead); 0 = off
    stability_margin: float = STABILITY_MARGIN  # logit margin of the mask loss (losses.py); 0 = plain focal + dice
    calibrate_images: int = 30  # after training, fit the IoU calibration on this many training images; 0 = off
    # full: every part trains, the encoder runs on each step's crops; fast: the image encoder is frozen
    # and never run per step — the rest trains on (crops of) the training images' embeddings (stored in
    # the snapshot by the engine, or computed once), so the bundle keeps its parent's encoder
    mode: str = "full"
    # full mode: chance that a training image's pixels get lighting, shadows, texture, colour, blur and
    # noise (photometric.py) — for a model that must meet shading and texture its scenes lack
    photometric: float = 0.0
    # full mode: chance that a training image is replaced by a zoomed view of it (zoom.py), what the
    # annotator tool's focus view embeds for a small object
    zoom: float = 0.0
    # fast mode (and a full retrain's refit phase): fixed zoomed views per training image, embedded once
    # by the frozen encoder and trained on beside the whole images
    zoom_views: int = 0
    # chance that a training click (the first point, and each error click) is drawn near the middle of
    # its region (weight: squared depth) instead of uniformly: where annotators click, and where the
    # evaluation protocol and the simulated annotator click
    interior_clicks: float = 0.0
    embedding_flip: float = 0.5  # fast mode: chance a batch image's embedding and masks are mirrored
    embeddings: str | None = None  # fast mode: directory of stored embeddings (embeddings.py); default the snapshot
    device: str = "auto"  # auto (cuda when available, else cpu) | cpu | cuda
    amp: bool = False  # bf16 autocast of the model's forward passes (losses stay float32)
    # fast mode: draw each image's masks in proportion to how wrong the starting model's one-click
    # answer is (hardness.py) instead of uniformly
    hard_examples: bool = False
    # learning rate of the detail parts (the encoder's detail branch, the decoder's detail upsampling)
    # relative to the rest: a model grown from a trained one (grow.py) learns its new parts faster
    # than it drifts from what it knew
    detail_lr_scale: float = 1.0
    # full mode: after the steps, this many fast steps (the trained encoder frozen) refit the prompt
    # encoder, mask decoder and detector on the new encoder's embeddings with the fast recipe; the IoU
    # calibration follows them. On a loop's whole-object masks a full retrain alone ranked its
    # candidates worse than a fast one (bench:retrain --levels whole: mIoU@1 0.477 against 0.497),
    # the refit turned it into the best of the three (0.532); see trainer/README.md
    refit_steps: int = 0


# what each mode does per step where the caller leaves it open (the CLI's --batch, --masks-per-image,
# --max-nograd-rounds, --calibrate-images, --loader-workers); a full retrain's refit phase runs the fast one.
# A fast retrain's IoU calibration on 16 images instead of 30: half the time (about 20 of 45 s on this
# 2-core machine), and on held-out studio scenes 12 images gave mIoU@1 0.372 and 20 gave 0.368 (30: 0.368).
# A fast retrain builds its batches between steps: they are a stored embedding and a few masks, and a
# loader process beside two torch threads costs more than it saves on 2 cores (bench:retrain, 500 steps:
# 89 s with the process, 78 s without).
FULL_RECIPE = {"batch": 2, "masks_per_image": 6, "max_nograd_rounds": 3, "calibrate_images": 30, "loader_workers": 1}
FAST_RECIPE = {"batch": 1, "masks_per_image": 8, "max_nograd_rounds": 1, "calibrate_images": 16, "loader_workers": 0}



def lr_at(step: int, progress: float, args: TrainArgs) -> float:
    """Linear warm-up, then ÷10 at 2/3 and at 26/27 of training (SAM's 60k and 86,666 of 90k).
    ``progress`` in [0, 1] is the larger of steps done and (with a time limit) wall time used."""
    warm = min(args.warmup, max(1, args.steps // 10))
    if step < warm:
        return args.lr * (step + 1) / warm
    f = 1.0
    if progress >= 2 / 3:
        f *= 0.1
    if progress >= 26 / 27:
        f *= 0.1
    return args.lr * f


class StopFlag:
    """Set by SIGTERM/SIGINT; the loop checks it between steps."""

    def __init__(self) -> None:
        self.stop = False
        self.signal = None

    def install(self) -> None:
        def handler(signum, _frame):
            self.stop = True
            self.signal = signal.Signals(signum).name

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def _pick(low: torch.Tensor, iou: torch.Tensor, multimask: torch.Tensor) -> torch.Tensor:
    """The mask propagated to the next round: highest predicted IoU of 1..3 for single-point rows, else token 0."""
    best = iou[:, 1:].argmax(1) + 1
    k = torch.where(multimask, best, torch.zeros_like(best))
    return low[torch.arange(low.shape[0], device=low.device), k]


def crop_pe(model, batch) -> torch.Tensor:
    """Per-prompt slice of the token grid's dense positional encoding matching each image's crop."""
    pe = model.prompt_encoder.dense_pe()  # [1, C, G, G]
    t = model.token_px
    g = batch.frame_px // t
    b = batch.offsets.shape[0]
    return crop_grid(pe.expand(b, -1, -1, -1), (torch.div(batch.offsets, t, rounding_mode="floor"), g))[batch.image_index]


class AffinityHead(torch.nn.Module):
    """Training-only head: two small unit-vector projections of the image embedding whose cosine
    similarities say whether two cells lie in the same leaf region and in the same whole object.
    Every annotation of the crop supervises the encoder through it (the prompts see only a few)."""

    DIM = 16

    def __init__(self) -> None:
        super().__init__()
        self.proj = torch.nn.Conv2d(EMBED_DIM, 2 * self.DIM, 1)
        self.scale = torch.nn.Parameter(torch.tensor(5.0))

    def forward(self, emb: torch.Tensor, leaf_ids: torch.Tensor, whole_ids: torch.Tensor) -> torch.Tensor:
        f = self.proj(emb).float()  # the loss in float32 (also under autocast)
        leaf = torch.nn.functional.normalize(f[:, : self.DIM], dim=1)
        whole = torch.nn.functional.normalize(f[:, self.DIM :], dim=1)
        return 0.5 * (affinity_loss(leaf, leaf_ids, self.scale) + affinity_loss(whole, whole_ids, self.scale))


def train_step(model, batch, args: TrainArgs, gen: torch.Generator, affinity: AffinityHead | None = None) -> dict:
    """One step's forward passes and loss on ``batch`` (on the model's device); ``gen`` is a generator
    of that device. Returns the loss tensor and detached statistics (read them after the backward pass:
    on a GPU every read waits for the queued work)."""
    dev = batch.images.device
    p = batch.gt.shape[0]
    # the random draws in the same order as ever (a CPU run repeats earlier runs exactly); on a GPU the
    # two scalar reads wait for the queued work, which costs little while launches, not kernels, dominate
    use_box = torch.rand(p, generator=gen, device=dev) < args.box_probability
    with autocast(dev, args.amp):
        # the crop's place in the frame (ViT position embedding); stored embeddings skip the encoder
        emb = batch.images if batch.is_embedding else model.embed(batch.images, batch.offsets)
        obj, dist = model.detector(emb)
        det = detector_loss(obj.float(), dist.float(), batch.heat, batch.centre, batch.dist)
        aff = affinity(emb, batch.leaf_ids, batch.whole_ids) if affinity is not None else det.new_zeros(())
        proj = model.mask_decoder.project(emb)
        # one image (fast mode): its prompt rows share the projection as a view, so the decoder computes
        # the per-image parts (detail weights, skip) once and broadcasts them, not once per prompt
        proj = proj.expand(p, -1, -1, -1) if proj.shape[0] == 1 else proj[batch.image_index]
        pe = crop_pe(model, batch)
        off = batch.prompt_offsets
        coords, labels = initial_prompts(batch.gt, mask_boxes(batch.gt, off), use_box, off, gen, args.interior_clicks)
        # a single prompt (one point, or a box alone) is ambiguous: the best of tokens 1–3 is supervised,
        # as SAM trains and as the return_single_mask rule picks at inference (SAM-SPEC.md §1.4)
        multimask = torch.ones(p, dtype=torch.bool, device=dev)
        crop = (off / model.token_px, batch.frame_px // model.token_px)
        ones = batch.gt.new_ones(p)
        low, iou = model.decode(proj, coords, labels, None, projected=True, image_pe=pe, crop=crop)
        low, iou = low.float(), iou.float()
        loss0, _, iou0 = sam_mask_loss(low, iou, batch.gt, multimask, args.stability_margin)
        prev = _pick(low.detach(), iou.detach(), multimask)
        rounds = int(torch.randint(0, args.max_nograd_rounds + 1, (1,), generator=gen, device=dev))
        with torch.no_grad():
            pd, ped = proj.detach(), pe.detach()
            for _ in range(rounds):
                c, lab = error_clicks(prev, batch.gt, off, gen, args.interior_clicks)
                coords, labels = add_click(coords, labels, use_box, c, lab)
                low_ng, _ = model.decode(pd, coords, labels, prev.unsqueeze(1), ones, projected=True, image_pe=ped,
                                         crop=crop)
                prev = low_ng[:, 0].float()
        if float(torch.rand(1, generator=gen, device=dev)) >= args.no_click_probability:
            c, lab = error_clicks(prev, batch.gt, off, gen, args.interior_clicks)
            coords, labels = add_click(coords, labels, use_box, c, lab)
        low, iou = model.decode(proj, coords, labels, prev.unsqueeze(1), ones, projected=True, image_pe=pe, crop=crop)
        loss1, _, iou1 = sam_mask_loss(low.float(), iou.float(), batch.gt, torch.zeros_like(multimask), args.stability_margin)
        loss = 0.5 * (loss0 + loss1) + args.det_weight * det + args.affinity_weight * aff
    return {"loss": loss, "mask_loss_first": loss0.detach(), "mask_loss_refined": loss1.detach(), "det_loss": det.detach(),
            "affinity_loss": aff.detach(), "iou_first": iou0.mean(), "iou_refined": iou1.mean(), "rounds": rounds + 2}


@dataclass
class BatchFailure:
    """What the batch source yields, then stops, when an image cannot be read."""

    message: str


def loader_seed(seed: int, worker_id: int, num_workers: int):
    """The batch generator's seed: ``seed`` in the loop or a single loader process (the same sequence
    either way); with N > 1 processes, worker i draws from (seed, i), so no two build the same batches."""
    return seed if num_workers <= 1 else [seed, worker_id]


class _BatchSource(torch.utils.data.IterableDataset):
    """Endless training batches from one seeded generator per producer (see ``loader_seed``)."""

    def __init__(self, records, args: TrainArgs, embedding_of=None, mask_weights=None, detail_channels: int = 0) -> None:
        super().__init__()
        self.records, self.args, self.embedding_of, self.mask_weights = records, args, embedding_of, mask_weights
        self.detail_channels = detail_channels

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid, n = (info.id, info.num_workers) if info is not None else (0, 0)
        rng = np.random.default_rng(loader_seed(self.args.seed, wid, n))
        cache = LowResCache()  # per producer: each loader process keeps its own
        while True:
            try:
                if self.embedding_of is not None:
                    yield build_batch(self.records, rng, self.args.images_per_batch, self.args.masks_per_image,
                                      crop=self.args.crop, embedding_of=self.embedding_of,
                                      flip_probability=self.args.embedding_flip, cache=cache,
                                      mask_weights=self.mask_weights, detail_channels=self.detail_channels)
                else:
                    yield build_batch(self.records, rng, self.args.images_per_batch, self.args.masks_per_image,
                                      crop=self.args.crop, cache=cache, photometric=self.args.photometric,
                                      zoom=self.args.zoom)
            except (OSError, ValueError, TrainerError) as e:  # an unreadable image: one line for the caller
                yield BatchFailure(str(e).splitlines()[0] if str(e) else type(e).__name__)
                return


def _loader_worker_init(_worker_id: int) -> None:
    # the loop owns SIGTERM/SIGINT (it stops at the next step and checkpoints); the loader process
    # ignores them and ends when the loop does (or when its parent dies)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)


def batch_stream(records, args: TrainArgs, pin_memory: bool = False, embedding_of=None, mask_weights=None,
                 detail_channels: int = 0):
    """Batches on the CPU: built in the loop (0 workers) or ahead in ``loader_workers`` processes, whose
    batches arrive in turn (worker 0, 1, …). ``pin_memory`` (for a GPU) page-locks them in a thread.
    ``detail_channels``: the embeddings' detail maps (flipped on their own grid)."""
    source = _BatchSource(records, args, embedding_of, mask_weights, detail_channels)
    if args.loader_workers == 0:
        return iter(source)
    n = args.loader_workers
    with warnings.catch_warnings():  # the caller chose N; torch's "more workers than CPUs" note is not an error
        warnings.filterwarnings("ignore", message=".*worker processes in total.*")
        loader = torch.utils.data.DataLoader(source, batch_size=None, num_workers=n, prefetch_factor=3 if n == 1 else 2,
                                             worker_init_fn=_loader_worker_init, persistent_workers=False,
                                             pin_memory=pin_memory)
        return iter(loader)


def close_batches(batches) -> None:
    """Stops a batch stream's loader processes now (a live worker would keep a failed run from exiting)."""
    shutdown = getattr(batches, "_shutdown_workers", None)
    if shutdown is not None:
        shutdown()


def run_training(args: TrainArgs, stop: StopFlag | None = None) -> dict:
    """Trains as ``args`` say; a full run with ``refit_steps`` is two phases (see ``_full_then_refit``)."""
    if args.mode == "full" and args.refit_steps > 0:
        return _full_then_refit(args, stop)
    return _train_phase(args, stop)


def _full_then_refit(args: TrainArgs, stop: StopFlag | None) -> dict:
    """A full retrain, then ``refit_steps`` fast steps from its checkpoint: the trained encoder frozen,
    its embeddings of the training images computed once, the prompt encoder, mask decoder and detector
    refitted with the fast recipe, then the IoU calibration. Progress events carry ``phase`` (full,
    refit); one ``train_done`` at the end counts both phases' steps and seconds. The checkpoint
    records the run's parent, mode full and the steps of each phase."""
    # the parent's rescorer rides through the full phase: the refit's rescorer fit starts from it
    first = _train_phase(replace(args, refit_steps=0, calibrate_images=0), stop, phase="full", final=False,
                         carry_rescorer=True)
    if first["checkpoint"] is None or first["stopped_by"] in ("SIGTERM", "SIGINT"):
        # stopped by a signal: the full phase's partial checkpoint stands, uncalibrated, as a plain run's
        emit("train_done", **first, phase="full")
        return first
    refit = replace(args, mode="fast", init=first["checkpoint"], steps=args.refit_steps, refit_steps=0,
                    images_per_batch=FAST_RECIPE["batch"], masks_per_image=FAST_RECIPE["masks_per_image"],
                    max_nograd_rounds=FAST_RECIPE["max_nograd_rounds"], loader_workers=FAST_RECIPE["loader_workers"],
                    time_limit_s=None, embeddings=None, hard_examples=False, zoom=0.0)
    second = _train_phase(refit, stop, phase="refit", final=False, inherit_parent=True,
                          meta_extra={"mode": "full", "encoder_frozen": False, "full_steps": first["steps_done"],
                                      "refit_steps": args.refit_steps})
    result = {**second, "steps_done": first["steps_done"] + second["steps_done"],
              "elapsed_s": first["elapsed_s"] + second["elapsed_s"], "data_wait_s": first["data_wait_s"] + second["data_wait_s"],
              "full_steps_done": first["steps_done"], "refit_steps_done": second["steps_done"]}
    emit("train_done", **result)
    return result


def _train_phase(args: TrainArgs, stop: StopFlag | None = None, phase: str | None = None, final: bool = True,
                 inherit_parent: bool = False, meta_extra: dict | None = None, carry_rescorer: bool = False) -> dict:
    """One training loop. ``phase`` labels its progress events; ``final`` False leaves ``train_done``
    to the caller; ``inherit_parent``: the init checkpoint's own parent is the run's (a refit phase);
    ``meta_extra`` overrides checkpoint metadata; ``carry_rescorer``: an uncalibrated checkpoint keeps
    the parent's rescorer instead of the identity (for a phase that another one calibrates after)."""
    tag = {"phase": phase} if phase else {}
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = resolve_device(args.device)
    if args.amp and not amp_supported(device):
        raise TrainerError(f"--amp (bf16 autocast) is not supported on {device}")
    configure(device)
    snapshot = load_snapshot(args.data, need_train=True)
    parent = None
    fast = args.mode == "fast"
    if fast and not args.init:
        raise TrainerError("--mode fast fine-tunes a trained model with its image encoder frozen: give --init")
    # the grouping head only teaches the encoder; a frozen encoder has nothing to learn from it
    affinity = AffinityHead() if args.affinity_weight > 0 and not fast else None
    if args.init:
        model, meta = load_checkpoint(args.init)
        parent = {"path": os.path.abspath(args.init), "model_name": meta.get("model_name"), "step": meta.get("step")}
        if inherit_parent:
            parent = meta.get("parent")
        if affinity is not None and meta.get("affinity_state"):  # a fine-tune continues the grouping head
            affinity.load_state_dict(meta["affinity_state"])
    else:
        model = build_model(args.arch, seed=args.seed)
    # the IoU head trains raw; its calibration is fitted again after training (calibration.py)
    model.mask_decoder.iou_calibration.reset()
    # so does the rescorer; the parent's, kept aside, is where its fit after training starts
    rescorer = model.mask_decoder.iou_rescorer
    parent_rescorer = None if rescorer.is_identity else {k: v.clone() for k, v in rescorer.state_dict().items()}
    rescorer.reset()
    embeddings = None
    records = snapshot.train
    if args.zoom and fast:
        raise TrainerError("--zoom draws views from the pixels (full mode); a fast retrain takes --zoom-views")
    if fast:
        model.image_encoder.requires_grad_(False)
        init_dir = args.init if os.path.isdir(args.init) else os.path.dirname(args.init)
        if args.zoom_views > 0:
            records = records + zoom_views(records, args.zoom_views, args.seed)
        embeddings = prepare_embeddings(model, snapshot, init_dir, args.embeddings, records=records)
        emit("embeddings_ready", images=len(embeddings.by_image), stored=embeddings.stored, computed=embeddings.computed,
             note=embeddings.note, **tag)
    if args.hard_examples and not fast:
        raise TrainerError("--hard-examples needs --mode fast (the parent's answers come from the stored embeddings)")
    weights = mask_weights(model, snapshot.train, embeddings) if args.hard_examples else None
    # the loader processes start before the model reaches a GPU (they never touch CUDA)
    batches = batch_stream(records, args, pin_memory=device.type == "cuda", embedding_of=embeddings,
                           mask_weights=weights, detail_channels=model.mask_decoder.detail_channels)
    try:
        model.to(device).train()
        if fast:
            model.image_encoder.eval()  # frozen: its batch-norm statistics stay as they are
        if affinity is not None:
            affinity.to(device)
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        detail = [p for n, p in named if n.startswith(DETAIL_PARAMS)]
        rest = [p for n, p in named if not n.startswith(DETAIL_PARAMS)] + (list(affinity.parameters()) if affinity is not None else [])
        params = rest + detail
        groups = [{"params": rest, "lr_scale": 1.0}] + ([{"params": detail, "lr_scale": args.detail_lr_scale}] if detail else [])
        opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), weight_decay=args.weight_decay)
        gen = torch.Generator(device=device).manual_seed(args.seed)
        ckpt_path = os.path.join(args.out, CHECKPOINT_NAME)
        meta = {"arch": model.config.arch, "snapshot_id": snapshot.snapshot_id, "data": os.path.abspath(args.data),
                "parent": parent, "seed": args.seed, "steps_total": args.steps, "args": vars(args), "device": str(device),
                "mode": args.mode, "encoder_frozen": fast, **(meta_extra or {})}

        def save(step_no: int, elapsed_s: float, **extra) -> None:
            # CPU copies, taken now (the head's tensors live on the training device)
            aff_state = cpu_state(affinity) if affinity is not None else None
            save_checkpoint(ckpt_path, model, step=step_no, elapsed_s=elapsed_s, affinity_state=aff_state, **extra, **meta)

        emit("train_start", steps=args.steps, arch=model.config.arch, snapshot_id=snapshot.snapshot_id,
             train_images=len(snapshot.train), params=sum(p.numel() for p in model.parameters()), parent=parent,
             device=str(device), amp=args.amp, loader_workers=args.loader_workers, torch=torch.__version__, mode=args.mode,
             trainable_params=sum(p.numel() for p in params), **tag)
        started = time.time()
        last_saved = -1
        step = 0
        avg: dict[str, float] = {}
        stopped_by = None
        data_wait = 0.0  # seconds the loop waited for the loader (a GPU run that waits is loader-bound)
        for step in range(args.steps):
            if stop is not None and stop.stop:
                stopped_by = stop.signal
                break
            if args.time_limit_s is not None and time.time() - started > args.time_limit_s:
                stopped_by = "time_limit"
                break
            progress = step / args.steps
            if args.time_limit_s:
                progress = max(progress, (time.time() - started) / args.time_limit_s)
            lr = lr_at(step, progress, args)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_scale"]
            waited = time.time()
            batch = next(batches)
            data_wait += time.time() - waited
            if isinstance(batch, BatchFailure):
                raise TrainerError(f"cannot build a training batch: {batch.message}")
            if device.type != "cpu":
                batch = batch.to(device, non_blocking=True)
            out = train_step(model, batch, args, gen, affinity)
            opt.zero_grad(set_to_none=True)
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_(params, GRAD_CLIP)
            opt.step()
            vals = {k: float(v) for k, v in out.items()}
            for k, v in vals.items():
                avg[k] = v if k not in avg else 0.9 * avg[k] + 0.1 * v
            done = step + 1
            elapsed = time.time() - started
            if done % args.log_every == 0 or done == args.steps or done == 1:
                eta = elapsed / done * (args.steps - done)
                if args.time_limit_s:
                    eta = min(eta, max(0.0, args.time_limit_s - elapsed))
                emit("train_step", step=done, steps=args.steps, loss=vals["loss"], loss_avg=avg["loss"], lr=lr,
                     iou_first_avg=avg["iou_first"], iou_refined_avg=avg["iou_refined"], det_loss_avg=avg["det_loss"],
                     affinity_loss_avg=avg["affinity_loss"],
                     elapsed_s=elapsed, eta_s=eta, data_wait_s=data_wait, **tag)
            if done % args.checkpoint_every == 0 and done < args.steps:
                save(done, elapsed, partial=True)
                last_saved = done
        else:
            step = args.steps
    finally:
        close_batches(batches)  # stops the loader processes, also when a step raises
    completed = step if stopped_by else args.steps
    elapsed = time.time() - started
    # a time-boxed run that used its budget is complete; only a signal makes a checkpoint partial
    partial = stopped_by in ("SIGTERM", "SIGINT")
    calibration = None
    if completed > 0 and not partial and args.calibrate_images > 0:
        # a signal asks to stop now: a partial checkpoint keeps the raw head (identity calibration)
        model.cpu()
        if parent_rescorer is not None:
            model.mask_decoder.iou_rescorer.load_state_dict(parent_rescorer)
        calibration = fit_iou_calibration(model, args.data, split="train", max_images=args.calibrate_images, seed=args.seed,
                                          embedding_of=embeddings)
        emit("calibrate_done", **calibration)
        last_saved = -1
    if calibration is None and carry_rescorer and parent_rescorer is not None:
        model.mask_decoder.iou_rescorer.load_state_dict(parent_rescorer)
        last_saved = -1
    if completed > 0 and completed != last_saved:
        save(completed, elapsed, partial=partial, stopped_by=stopped_by, **({"calibration": calibration} if calibration else {}))
    result = {"checkpoint": ckpt_path if completed > 0 else None, "steps_done": completed, "elapsed_s": elapsed,
              "stopped_by": stopped_by, "loss_avg": avg.get("loss"), "data_wait_s": data_wait}
    if final:
        emit("train_done", **result)
    return result
