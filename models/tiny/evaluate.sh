#!/usr/bin/env bash
# Scores a tiny OSUM on the synthetic test split (unseen speakers and sentences) and writes the numbers the
# model card quotes into OUT (default models/tiny/metrics): greedy answers of every utterance for its own task,
# the per-task report (WER of the transcript part, first-tag accuracy, SRWT boundary shift, chat answers, 95 %
# bootstrap intervals) as text, JSON and HTML, and the same for the items whose text gives no cue to the label.
#   models/tiny/evaluate.sh [MODEL_DIR] [TEST_LIST] [OUT]
# Needs the full synthetic corpus: ./osum prepare synth --out data/synth-full --seed 1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MODEL="${1:-models/tiny/model}"
TEST="${2:-data/synth-full/test.jsonl}"
OUT="${3:-models/tiny/metrics}"
[ -f "$TEST" ] || { echo "evaluate.sh: $TEST not found (make it: ./osum prepare synth --out data/synth-full --seed 1)" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT/test-greedy.jsonl" "$OUT/test-greedy.jsonl.meta.json"
./osum infer --model "$MODEL" --data "$TEST" --task-from-list --out "$OUT/test-greedy.jsonl" --batch 8 --max-new 120
./osum eval --ref "$TEST" --hyp "$OUT/test-greedy.jsonl" --out "$OUT/test.json" --html "$OUT/test.html" | tee "$OUT/test.txt"
./osum eval --ref "$TEST" --hyp "$OUT/test-greedy.jsonl" --where extra.text_cue=false --out "$OUT/test-no-text-cue.json" \
  | tee "$OUT/test-no-text-cue.txt"
