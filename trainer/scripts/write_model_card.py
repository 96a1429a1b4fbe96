"""Writes <bundle>/MODEL_CARD.md from the manifest, the eval metrics, the training log and the
latency benchmark (all numbers come from those files)."""
from __future__ import annotations

import argparse
import json
import os

# held-out targets (≥ unless listed in AT_MOST); the mask-quality ones are those set for a 2-core CPU
TARGETS = {"miou_1click": 0.72, "miou_3click": 0.85, "miou_5click": 0.90, "miou_box": 0.85, "frac_085_1click": 0.5,
           "top_ranked_1click": 0.75, "iou_error_1click": 0.08, "box_ap50": 0.6}
AT_MOST = {"iou_error_1click"}
ENCODER_TARGET_MS = 60  # 1024×768 image
DECODER_TARGET_MS = 5  # per prompt


def _last(path: str, event: str) -> dict:
    found = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                obj = json.loads(line)
                if obj.get("event") == event:
                    found = obj
    return found


def _gpu_training(gpu: dict, done: dict) -> list[str]:
    """The Training paragraph of a model that continued its parent on a lent GPU (gpu_train.sh)."""
    run, machine, meta = gpu.get("run") or {}, gpu.get("machine") or {}, gpu.get("meta") or {}
    parent = meta.get("parent") or {}
    crop = run.get("crop")
    return [
        f"* Continued from `{parent.get('model_name') or parent.get('path')}` (its step {parent.get('step')}) on "
        f"{machine.get('gpu') or run.get('device')} (torch {machine.get('torch')}) by `trainer/scripts/gpu_train.sh`:",
        f"  {done.get('steps_done')} steps (stopped by: {done.get('stopped_by') or 'step budget'}), batch {run.get('batch')} images ×",
        f"  ≤ {run.get('masks_per_image')} masks, " + (f"random {crop}×{crop} crops of the 1024 frame" if crop else "the whole 1024 frame")
        + ", simulated interactive sessions (point or noisy",
        f"  box, up to {(run.get('max_nograd_rounds') or 0) + 1} error-region clicks with mask feedback), focal (α 0.75) : dice 20 : 1 on the best",
        "  ambiguity mask, IoU MSE, detector focal + L1/GIoU, grouping loss on the embedding (trainer/README.md);",
        f"  AdamW lr {run.get('lr')}, wd 0.1, {run.get('warmup')} warm-up steps, ÷10 at 2/3 and 26/27 of the time budget;",
        f"  {run.get('loader_workers')} batch-loader processes, training images from a pack of the snapshot",
        f"  (`trainer/scripts/pack_snapshot.py`, snapshot id `{meta.get('snapshot_id')}`).",
        f"* Wall time: {done.get('elapsed_s', 0) / 60:.1f} min of training on {machine.get('gpu') or run.get('device')}, "
        f"seed {meta.get('seed')}.",
    ]


def _verdict(met: bool) -> str:
    return " ✅" if met else " ❌"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--bundle", required=True)
    p.add_argument("--metrics", required=True)
    p.add_argument("--train-log", required=True)
    p.add_argument("--latency", default=None)
    p.add_argument("--decoder-split", default=None, help="bench_decoder_split.py output")
    p.add_argument("--interactive", default=None, help="bench_interactive.ts output (the click path)")
    p.add_argument("--images", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--training-note", default=None,
                   help="markdown file whose lines replace the bootstrap recipe in the Training section (a continued run)")
    p.add_argument("--gpu-result", default=None,
                   help="gpu_result.json of a GPU continuation (trainer/scripts/gpu_train.sh): describes that run")
    a = p.parse_args()
    gpu = json.load(open(a.gpu_result)) if a.gpu_result else None
    manifest = json.load(open(os.path.join(a.bundle, "manifest.json")))
    arch = manifest.get("architecture", {})
    ev = json.load(open(a.metrics))
    m = ev["metrics"]
    start, done = _last(a.train_log, "train_start"), _last(a.train_log, "train_done")
    last_step = _last(a.train_log, "train_step")
    lat = json.load(open(a.latency)) if a.latency and os.path.exists(a.latency) else None
    sizes = {f: os.path.getsize(os.path.join(a.bundle, f)) for f in sorted(os.listdir(a.bundle)) if not f.endswith(".md")}

    def row(key: str, label: str) -> str:
        t = TARGETS.get(key)
        v = m[key]
        if t is None:
            return f"| {label} | {v:.3f} | |"
        low = key in AT_MOST
        return f"| {label} | {v:.3f} | {'≤' if low else '≥'} {t}{_verdict(v <= t if low else v >= t)} |"

    lines = [
        f"# Model card: `{manifest['name']}` (models/default)",
        "",
        "The platform's built-in default segmentation model: a small SAM-architecture model trained from",
        "scratch by `trainer/` on synthetic scenes (no downloaded weights). Reproduce with",
        "`trainer/scripts/bootstrap.sh` (`npm run model:bootstrap`)"
        + (" (its from-scratch stage; the continued runs are under Training)." if a.training_note or gpu else "."),
        "",
        "## Architecture",
        "",
        f"`{manifest['model_type']}`: conv image encoder (8×8/8 patchify stem, depthwise-separable blocks) →",
        "`[1, 256, 64, 64]` embedding; SAM prompt encoder plus in-graph dense click maps (see trainer/README.md);",
        *(["two-way-transformer mask decoder (64-d, 2 layers, 4 mask tokens + IoU head) attending over a 32×32",
            "token grid (the projected embedding folded 2×2), two 2× upscalings joined by a prompt-independent",
            "64×64 skip" + (f", {arch.get('mask_convs')} residual depthwise 7×7 blocks on the prompt-conditioned 64² features"
                            if arch.get("mask_convs") else "") + ",",
            "masks at 128² doubled to 256²"
            + (f" along the image's edges: {arch['detail_features']} fine-detail maps that the encoder computes at 256²"
               " (4×4/4 stem + one depthwise block) and packs 4×4 space-to-depth into the embedding's last"
               f" {16 * arch['detail_features']} channels give each 256² pixel 9 weights on its 128² cell's neighbours"
               " (content-aware upsampling, within the contract; trainer/README.md, \"Detail features\")"
               if arch.get("detail_features") else "")
            + "; CenterNet-style box-detector head. "]
          if arch.get("token_stride", 1) == 2 else
          ["two-way-transformer mask decoder (64-d, 2 layers, 4 mask tokens + IoU head, masks at 128² doubled to",
           "256²); CenterNet-style box-detector head. "]),
        f"{start.get('params', 0) / 1e6:.2f} M parameters. I/O: the official SAM decoder contract",
        "(see `trainer/README.md`).",
        "",
        "## Data",
        "",
        f"* `libs/synth` scenes via `writeSa1bSnapshot`: {a.images} images 512×384, seed {a.seed}, every shape",
        "  family, hierarchy template (parts / sub-parts) and texture enabled (library defaults),",
        f"  5 % held out (`split.json` val). Snapshot id `{ev['snapshot_id']}`.",
        f"* Training images: {start.get('train_images')}; evaluation: {m['num_images']} held-out images,",
        f"  {m['num_masks']} masks (every annotation ≥ 16 px: wholes, parts and sub-parts).",
        "",
        "## Training",
        "",
        *(_gpu_training(gpu, done) if gpu else open(a.training_note).read().rstrip("\n").split("\n") if a.training_note else [
        f"* Steps: {done.get('steps_done')} (stopped by: {done.get('stopped_by') or 'step budget'}), batch 2 images ×",
        "  ≤ 8 masks, random 512×512 crops of the 1024 frame, simulated interactive sessions (point or noisy",
        "  box, up to 4 error-region clicks with mask feedback), focal (α 0.75) : dice 20 : 1 on the best",
        "  ambiguity mask, IoU MSE, detector focal + L1/GIoU, grouping loss on the embedding (which cells share a",
        "  leaf region / a whole object, every annotation of the crop; trainer/README.md); AdamW lr 1e-3, wd 0.1, 50 warm-up steps,",
        "  ÷10 at 2/3 and 26/27 of the time budget.",
        f"* Wall time: {done.get('elapsed_s', 0) / 60:.1f} min on a 2-core CPU machine (1 torch thread + a batch-loader process),",
        f"  seed {a.seed}."]),
        f"  Final training averages: 1st-round IoU {last_step.get('iou_first_avg', float('nan')):.3f},",
        f"  refined-round IoU {last_step.get('iou_refined_avg', float('nan')):.3f}.",
        "",
        "## Held-out metrics (`trainer eval`)",
        "",
        "| metric | value | target |",
        "|---|---|---|",
        row("miou_1click", "mIoU after 1 click"),
        row("miou_2click", "mIoU after 2 clicks"),
        row("miou_3click", "mIoU after 3 clicks"),
        row("miou_4click", "mIoU after 4 clicks"),
        row("miou_5click", "mIoU after 5 clicks"),
        *([row("miou_box", "mIoU from the mask's box alone (the stage-2 prefill prompt)")] if "miou_box" in m else []),
        row("box_ap50", "detector AP@0.5 (whole objects)"),
        *([row("frac_085_1click", "masks with IoU ≥ 0.85 after 1 click (fraction)"),
           row("top_ranked_1click", "1 click: the returned mask is the best of the three candidates (fraction)"),
           row("iou_error_1click", "1 click: mean |predicted IoU − true IoU| of the returned mask")]
          if "top_ranked_1click" in m else []),
        *([row("miou_1click_oracle", "1 click, oracle best of channels 1–3 (diagnostic)"),
           row("miou_1click_channel0", "1 click, channel 0 (diagnostic)")] if "miou_1click_oracle" in m else []),
        "",
        "Clicks: the first at the mask point farthest from its boundary, then at the centre of the largest",
        "error region; previous low-res logits fed back. 1 click → best of channels 1–3 by predicted IoU",
        "(the `return_single_mask` rule the platform applies)."
        + (" The oracle row shows how much of the 1-click gap is the choice among the three candidates"
           f" (oracle {m['miou_1click_oracle']:.3f} vs picked {m['miou_1click']:.3f}); part of it is part-versus-whole"
           " ambiguity at the clicked point (trainer/README.md, Ceilings)."
           if m.get("miou_1click_oracle", 0) - m["miou_1click"] > 0.05 else ""),
        "",
    ]
    if lat:
        lines += [
            "## Latency (onnxruntime-node, CPU, "
            f"{lat['threads']} threads; numbers depend on the machine and on what else runs on it)",
            "",
            "| model | median | p90 | target |",
            "|---|---|---|---|",
            f"| encoder (1024×768 image → padded 1024²) | {lat['encoder']['median_ms']} ms | {lat['encoder']['p90_ms']} ms | < {ENCODER_TARGET_MS} ms{_verdict(lat['encoder']['median_ms'] < ENCODER_TARGET_MS)} |",
            f"| decoder (contract graph), 1 prompt, 4 channels upscaled to 1024×768 | {lat['decoder']['median_ms']} ms | {lat['decoder']['p90_ms']} ms | < {DECODER_TARGET_MS} ms{_verdict(lat['decoder']['median_ms'] < DECODER_TARGET_MS)} |",
        ]
        if lat.get("detector"):
            lines.append(f"| detector | {lat['detector']['median_ms']} ms | {lat['detector']['p90_ms']} ms | |")
        lines.append("")
        if a.interactive and os.path.exists(a.interactive):
            it = json.load(open(a.interactive))
            size = f"{it['width']}×{it['height']}"
            lines += [
                f"What a click costs in the product (`trainer/scripts/bench_interactive.ts`: `SamPredictor.decode`",
                f"through the graphs derived from `decoder.onnx`, {it['threads']} thread, {size} image, {it['repeat']} clicks;",
                f"the embedding-only prelude, {it['prelude_ms']} ms, runs once per image):",
                "",
                "| click | median | p90 | min | target |",
                "|---|---|---|---|---|",
                *[f"| {label} | {it[k]['median_ms']} ms | {it[k]['p90_ms']} ms | {it[k]['min_ms']} ms | {tgt} |" for label, k, tgt in [
                    ("first click → mask (prompt graph + chosen channel upscaled, binarised)", "first_click",
                     f"< {DECODER_TARGET_MS} ms" + _verdict(it["first_click"]["median_ms"] < DECODER_TARGET_MS)),
                    ("refinement click (2 points + previous mask)", "refine_click", ""),
                    ("first click, prompt graph alone (low-res outputs)", "first_click_graph_only", ""),
                ]],
                "",
            ]
        if a.decoder_split and os.path.exists(a.decoder_split):
            sp = json.load(open(a.decoder_split))
            lines += [
                f"Decoder split (`trainer/scripts/bench_decoder_split.py`, {sp['orig_im_size'][1]}×{sp['orig_im_size'][0]}): "
                f"model core (prompt encoder + mask decoder → low-res) {sp['decoder_core_ms']} ms, the contract's",
                f"in-graph upscaling of 4 channels to 1024² and then to the image size (SAM-SPEC.md §1.5) "
                f"{sp['upscaling_ms']} ms"
                + (": the contract graph's 4-channel full-resolution output alone is over"
                   f" {DECODER_TARGET_MS} ms on this CPU; the product's click path above decodes one channel."
                   if sp["upscaling_ms"] >= DECODER_TARGET_MS else "."),
                "",
            ]
    lines += [
        "## Files",
        "",
        "| file | bytes |",
        "|---|---|",
        *[f"| `{f}` | {s:,} |" for f, s in sizes.items()],
        "",
        "## Limitations",
        "",
        "* Trained only on synthetic flat-shaded shapes; expect poor masks on photographs.",
        *(["* Masks are formed at 128², doubled to the 256² low-res contract and corrected there by the detail term:",
           "  how far boundaries follow the image at 4 px (1024 frame) is in the held-out numbers above."]
          if arch.get("detail_features") else
          ["* Masks are formed at 128² and bilinearly doubled to the 256² low-res contract: boundaries are",
           "  accurate to ~8 px in the 1024 frame."]),
        "* The time budget (about an hour on 2 CPU cores) is far below SAM's; see the metrics table",
        "  for which targets are met.",
        "",
    ]
    with open(os.path.join(a.bundle, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
