#!/usr/bin/env bash
# Reproduces the committed default model end to end:
#   synthetic snapshot (libs/synth) → train tiny (time-boxed) → grow to tiny-hd (fine-detail features,
#   same outputs) → train on (time-boxed) → eval on the held-out split → export to models/default
#   (+ MODEL_CARD.md from the eval metrics).
# Usage: trainer/scripts/bootstrap.sh   (env: BOOTSTRAP_WORK, BOOTSTRAP_OUT, BOOTSTRAP_TIME_LIMIT,
#        BOOTSTRAP_HD_TIME_LIMIT (0 = stop at tiny), BOOTSTRAP_THREADS, BOOTSTRAP_IMAGES, BOOTSTRAP_SEED,
#        BOOTSTRAP_EVAL_IMAGES, BOOTSTRAP_EVAL_THREADS)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${BOOTSTRAP_WORK:-$ROOT/tmp/bootstrap}"
OUT="${BOOTSTRAP_OUT:-$ROOT/models/default}"
SEED="${BOOTSTRAP_SEED:-2026}"
IMAGES="${BOOTSTRAP_IMAGES:-3000}"
TIME_LIMIT="${BOOTSTRAP_TIME_LIMIT:-3000}"
HD_TIME_LIMIT="${BOOTSTRAP_HD_TIME_LIMIT:-4000}"
THREADS="${BOOTSTRAP_THREADS:-1}"
EVAL_IMAGES="${BOOTSTRAP_EVAL_IMAGES:-150}"
EVAL_THREADS="${BOOTSTRAP_EVAL_THREADS:-2}"
PY=/usr/bin/python3
export PYTHONPATH="$ROOT/trainer${PYTHONPATH:+:$PYTHONPATH}" OPENBLAS_NUM_THREADS=1 ONNXRUNTIME_NODE_INSTALL=skip
cd "$ROOT"
mkdir -p "$WORK"
SNAP="$WORK/snapshot"

if [[ ! -f "$SNAP/snapshot.json" ]]; then
  echo "== snapshot: $IMAGES synthetic 512x384 scenes, seed $SEED (5% held out)"
  npx tsx trainer/scripts/make_snapshot.ts --out "$SNAP" --count "$IMAGES" --seed "$SEED" --val-fraction 0.05
fi

echo "== train: tiny, ${TIME_LIMIT}s wall-time budget, $THREADS torch thread(s) + a batch-loader process"
$PY -m dataengine_trainer train --data "$SNAP" --out "$WORK/run" --arch tiny --steps 100000 \
  --time-limit "$TIME_LIMIT" --batch 2 --masks-per-image 8 --crop 512 --lr 1e-3 --warmup 50 \
  --seed "$SEED" --threads "$THREADS" --loader-workers 1 --checkpoint-every 25 --log-every 10 | tee "$WORK/train.jsonl"

FINAL="$WORK/run/checkpoint.pt"
NAME=dataengine-tiny-bootstrap
TRAIN_LOG="$WORK/train.jsonl"
if [[ "$HD_TIME_LIMIT" != 0 ]]; then
  echo "== grow to tiny-hd (fine-detail features; outputs unchanged), then train on for ${HD_TIME_LIMIT}s"
  $PY -m dataengine_trainer grow --checkpoint "$FINAL" --out "$WORK/grown.pt"
  $PY -m dataengine_trainer train --data "$SNAP" --out "$WORK/run-hd" --init "$WORK/grown.pt" --steps 100000 \
    --time-limit "$HD_TIME_LIMIT" --batch 2 --masks-per-image 8 --crop 512 --lr 2e-4 --detail-lr-scale 5 --warmup 20 \
    --seed "$((SEED + 5))" --threads "$THREADS" --loader-workers 1 --checkpoint-every 100 --log-every 20 \
    --calibrate-images 200 | tee "$WORK/train-hd.jsonl"
  FINAL="$WORK/run-hd/checkpoint.pt"
  NAME=dataengine-tiny-hd
  TRAIN_LOG="$WORK/train-hd.jsonl"
fi

echo "== eval on the held-out split"
$PY -m dataengine_trainer eval --bundle "$FINAL" --data "$SNAP" --split val \
  --max-images "$EVAL_IMAGES" --threads "$EVAL_THREADS" --out "$WORK/metrics.json" | tail -n 1

echo "== export → $OUT"
$PY -m dataengine_trainer export --checkpoint "$FINAL" --out "$OUT" --name "$NAME" \
  --metrics "$WORK/metrics.json"

echo "== latency (onnxruntime-node)"
node trainer/scripts/bench_latency.mjs "$OUT" --threads 2 --repeat 30 | tee "$WORK/latency.json"
$PY trainer/scripts/bench_decoder_split.py "$OUT" | tee "$WORK/decoder_split.json"
npx tsx trainer/scripts/bench_interactive.ts "$OUT" --threads 1 --repeat 60 | tee "$WORK/interactive.json"

$PY trainer/scripts/write_model_card.py --bundle "$OUT" --metrics "$WORK/metrics.json" \
  --train-log "$TRAIN_LOG" --latency "$WORK/latency.json" --decoder-split "$WORK/decoder_split.json" --interactive "$WORK/interactive.json" \
  --images "$IMAGES" --seed "$SEED"
echo "== done: $OUT"
