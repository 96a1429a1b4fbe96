#!/usr/bin/env bash
# One call on a lent GPU machine (see trainer/README.md "GPU sessions"): continue training the built-in
# model on a carried snapshot pack for a fixed wall-time budget, bring back the weights as
# pickle-free shards, and evaluate quickly on held-out images.
#
#   bash trainer/scripts/gpu_train.sh        (from the repo root; OUT is the folder whose files come back)
#
# Data: the device has no node (and node_modules, 1.4 GB, and sharp's native build would not travel),
# so the synthetic snapshot cannot be generated there; a pack written here by
# trainer/scripts/pack_snapshot.py (≤ ~50 MB: JPEG bytes + RLE JSON) travels as a carried path.
#
# Files in $OUT: gpu_result.json (config, checkpoint metadata, shard index, run settings, machine),
# model-00001-of-0000N.npz (the state dict; import with trainer/scripts/import_gpu_result.py),
# train.jsonl (the trainer's progress lines), metrics.json (the quick held-out eval), run.log.
#
# env (defaults): OUT (required) · GPU_TIME_LIMIT 450 (training seconds) · CALL_BUDGET 550 (the whole
# script's seconds; the eval is cut to fit) · DEVICE cuda · GPU_DATA tmp/gpu_pack · GPU_INIT
# models/default · FROM_SCRATCH 0 (1: --arch tiny) · BATCH 16 · MASKS 16 · CROP 512 · LR 1e-3 ·
# WARMUP 100 · ROUNDS 3 · WORKERS nproc−3 (1..14) · THREADS 2 · SEED 2028 · AMP 0 · EVAL_IMAGES 50 ·
# EVAL_TIME_LIMIT 60 · SHARD_DTYPE auto · PYTHON python3 (else /usr/bin/python3) · GPU_WORK /tmp/gpu_work
set -uo pipefail
STARTED=$(date +%s)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
: "${OUT:?set OUT to the folder whose files come back}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
# here (not on the device) python3 may be an interpreter without torch: fall back to Debian's
[[ -z "${PYTHON:-}" ]] && ! python3 -c "import torch" 2>/dev/null && PY=/usr/bin/python3
TIME_LIMIT="${GPU_TIME_LIMIT:-450}"
CALL_BUDGET="${CALL_BUDGET:-550}"
DEVICE="${DEVICE:-cuda}"
DATA="${GPU_DATA:-tmp/gpu_pack}"
INIT="${GPU_INIT:-models/default}"
FROM_SCRATCH="${FROM_SCRATCH:-0}"
BATCH="${BATCH:-16}"
MASKS="${MASKS:-16}"
CROP="${CROP:-512}"
LR="${LR:-1e-3}"
WARMUP="${WARMUP:-100}"
ROUNDS="${ROUNDS:-3}"
CORES=$(nproc 2>/dev/null || echo 4)
WORKERS_DEFAULT=$(( CORES - 3 )); (( WORKERS_DEFAULT < 1 )) && WORKERS_DEFAULT=1; (( WORKERS_DEFAULT > 14 )) && WORKERS_DEFAULT=14
WORKERS="${WORKERS:-$WORKERS_DEFAULT}"
THREADS="${THREADS:-2}"
SEED="${SEED:-2028}"
AMP="${AMP:-0}"
EVAL_IMAGES="${EVAL_IMAGES:-50}"
EVAL_TIME_LIMIT="${EVAL_TIME_LIMIT:-60}"
SHARD_DTYPE="${SHARD_DTYPE:-auto}"
WORK="${GPU_WORK:-/tmp/gpu_work}"
export PYTHONPATH="$ROOT/trainer${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

exec > >(tee -a "$OUT/run.log") 2>&1
since() { echo $(( $(date +%s) - STARTED )); }
log() { echo "== [$(since)s] $*"; }
STOPPED=""
trap 'STOPPED=signal; log "signal: the trainer checkpoints and stops; shards follow, eval is skipped"' TERM INT

rm -rf "$WORK"
mkdir -p "$WORK"
log "machine"
"$PY" - "$WORK/env.json" "$DEVICE" <<'EOF' || { log "error: $PY cannot import what the trainer needs"; exit 2; }
import json, os, platform, shutil, sys
import numpy, PIL, scipy, torch
cuda = torch.cuda.is_available()
env = {"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__,
       "pillow": PIL.__version__, "scipy": scipy.__version__, "cuda_available": cuda,
       "gpu": torch.cuda.get_device_name(0) if cuda else None, "cpus": os.cpu_count(),
       "node": shutil.which("node")}
print(json.dumps(env))
json.dump({"machine": env}, open(sys.argv[1], "w"))
EOF
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
# the loader processes hand ~57 MB batches (batch 16, crop 512) over /dev/shm, a few per process
SHM_MB=$(df -Pm /dev/shm 2>/dev/null | awk 'NR==2 {print $2}')
log "/dev/shm: ${SHM_MB:-?} MB, $CORES cores"
if [[ "$DEVICE" != cpu && -n "$SHM_MB" ]] && (( SHM_MB < 8192 )); then
  mount -o remount,size=16G /dev/shm && log "/dev/shm remounted at 16G" || log "warning: /dev/shm is small and could not be enlarged"
fi

if [[ ! -f "$DATA/pack.json.gz" && ! -f "$DATA/split.json" ]]; then
  log "error: no training data at $DATA: carry a pack (trainer/scripts/pack_snapshot.py --out tmp/gpu_pack; run(carry=[\"tmp/gpu_pack\"]))"
  exit 2
fi
if [[ "$FROM_SCRATCH" == 1 ]]; then START_FROM=(--arch tiny); else START_FROM=(--init "$INIT"); fi
AMP_FLAG=(); [[ "$AMP" == 1 ]] && AMP_FLAG=(--amp)

# the IoU calibration is fitted back here after the import (it runs on the CPU: minutes of device time)
log "train: ${TIME_LIMIT}s on $DEVICE, batch $BATCH x $MASKS masks, crop $CROP, lr $LR (warm-up $WARMUP, ÷10 at 2/3 and 26/27 of the time), $WORKERS loader processes, from ${START_FROM[*]}"
"$PY" -m dataengine_trainer train --data "$DATA" --out "$WORK/run" "${START_FROM[@]}" --device "$DEVICE" "${AMP_FLAG[@]}" \
  --steps 1000000 --time-limit "$TIME_LIMIT" --batch "$BATCH" --masks-per-image "$MASKS" --crop "$CROP" --lr "$LR" \
  --warmup "$WARMUP" --max-nograd-rounds "$ROUNDS" --seed "$SEED" --threads "$THREADS" --loader-workers "$WORKERS" \
  --checkpoint-every 200 --log-every 25 --calibrate-images 0 | tee "$OUT/train.jsonl"
TRAIN_RC=${PIPESTATUS[0]}
log "train exited $TRAIN_RC"
if [[ ! -f "$WORK/run/checkpoint.pt" ]]; then
  log "error: no checkpoint was written"
  exit 3
fi

log "shards → $OUT"
"$PY" - "$WORK/env.json" "$OUT/train.jsonl" <<EOF
import json, sys
env = json.load(open(sys.argv[1]))
done = [json.loads(l) for l in open(sys.argv[2]) if '"train_done"' in l]
env["run"] = {"script": "trainer/scripts/gpu_train.sh", "device": "$DEVICE", "time_limit_s": $TIME_LIMIT, "batch": $BATCH,
              "masks_per_image": $MASKS, "crop": $CROP, "lr": $LR, "warmup": $WARMUP, "max_nograd_rounds": $ROUNDS,
              "loader_workers": $WORKERS, "seed": $SEED, "amp": "$AMP" == "1", "data": "$DATA",
              "start": "${START_FROM[*]}", "train_exit": $TRAIN_RC, "train_done": done[-1] if done else None}
json.dump(env, open(sys.argv[1], "w"))
EOF
"$PY" -m dataengine_trainer.shards --checkpoint "$WORK/run/checkpoint.pt" --out "$OUT" --dtype "$SHARD_DTYPE" \
  --extra "$WORK/env.json" || { log "error: shards not written"; exit 4; }

LEFT=$(( CALL_BUDGET - $(since) - 15 ))
(( LEFT > EVAL_TIME_LIMIT )) && LEFT=$EVAL_TIME_LIMIT
if [[ -n "$STOPPED" ]]; then
  log "eval skipped (stopped by a signal)"
elif (( LEFT < 10 )); then
  log "eval skipped: ${LEFT}s left of the ${CALL_BUDGET}s call budget"
else
  log "eval: ≤ $EVAL_IMAGES held-out images, ≤ ${LEFT}s, on $DEVICE"
  "$PY" -m dataengine_trainer eval --bundle "$WORK/run/checkpoint.pt" --data "$DATA" --split val \
    --max-images "$EVAL_IMAGES" --time-limit "$LEFT" --device "$DEVICE" --threads 4 --out "$OUT/metrics.json" | tail -n 1
fi
log "done: $(ls "$OUT" | tr '\n' ' ')"
ls -l "$OUT"
exit "$TRAIN_RC"
