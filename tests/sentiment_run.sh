#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Trains the sentiment example on a tiny dataset, then predicts and
# evaluates with the saved run, and checks clean failures.
# Usage: sentiment_run.sh SENTIMENT_EXE DATA_DIR WORK_DIR
set -euo pipefail
exe=$1 data=$2 runs=$3/sentiment-runs
rm -rf "$runs"
"$exe" --data "$data" --runs "$runs" --epochs 10 --lr 0.02 --dropout 0 --patience 10 --quiet | tee "$3/sentiment-train.log"
grep -q "best dev accuracy" "$3/sentiment-train.log"
test -s "$runs/binary/model.bin" && test -s "$runs/binary/curve.svg"
test "$(wc -l < "$runs/binary/metrics.csv")" -ge 2
"$exe" --data "$data" --runs "$runs" --features dense --optimizer adamw --epochs 2 --quiet >/dev/null
"$exe" --data "$data" --runs "$runs" --features bag --epochs 2 --quiet >/dev/null
"$exe" --runs "$runs" --name binary-bag --predict | grep -c -- "->" | grep -qx 3
# The sequence models train, save, reload and predict the same way.
for model in lstm bilstm cnn; do
  "$exe" --data "$data" --runs "$runs" --model $model --dim 16 --hidden 8 --epochs 2 --quiet >/dev/null
  "$exe" --runs "$runs" --name binary-$model --predict | grep -c -- "->" | grep -qx 3
done
"$exe" --data "$data" --runs "$runs" --task three --epochs 2 --quiet >/dev/null
"$exe" --runs "$runs" --predict "a great wonderful film" | tee /dev/stderr | grep -q -- "-> positive"
"$exe" --runs "$runs" --predict | grep -c -- "->" | grep -qx 3
"$exe" --runs "$runs" --eval "$data/stsa.binary.dev" | grep -q "accuracy"
expect_failure() {  # exit status 2 and a message naming the problem
  local want=$1; shift
  if out=$("$exe" "$@" 2>&1); then echo "expected failure: $*"; exit 1; fi
  echo "$out" | grep -q -- "$want" || { echo "message lacks '$want': $out"; exit 1; }
}
expect_failure "cannot read data file" --data /nonexistent --runs "$runs" --name x
expect_failure "no saved run" --runs "$runs" --name never --predict
expect_failure "is not a class" --runs "$runs" --eval "$data/stsa.fine.dev"
expect_failure "needs embeddings" --data "$data" --runs "$runs" --name x \
  --optimizer sparse_adam
expect_failure "unknown 'nadam'" --data "$data" --runs "$runs" --name x --optimizer nadam
# Any optimizer for the dense layers; a fixed seed gives identical results.
for name in s1 s2; do
  "$exe" --data "$data" --runs "$runs" --name $name --optimizer rmsprop --epochs 3 --quiet >/dev/null
done
diff <(cut -d, -f1-5 "$runs/s1/metrics.csv") <(cut -d, -f1-5 "$runs/s2/metrics.csv")
cp -r "$runs/binary" "$runs/mixed" && cp "$runs/three/vocab.txt" "$runs/mixed/vocab.txt"
expect_failure "does not belong" --runs "$runs" --name mixed --predict
# Bad settings and hostile files: a clean message and exit status 2.
expect_failure "--lr: '-0.5' is not a number" --data "$data" --runs "$runs" --name x --lr -0.5
expect_failure "--epochs: '2.7' is not a whole number" --data "$data" --runs "$runs" --name x \
  --epochs 2.7
expect_failure "--dropout: 'nan' is not a number" --data "$data" --runs "$runs" --name x \
  --dropout nan
expect_failure "not a regular file" --runs "$runs" --eval "$runs"
mkdir -p "$3/dirdata/stsa.binary.train"
expect_failure "not a regular file" --data "$3/dirdata" --runs "$runs" --name x
cp -r "$runs/binary" "$runs/garbage"
sed -i 's/^dim .*/dim sixty-four/' "$runs/garbage/config.txt"
expect_failure "garbage/config.txt:4: dim must be a whole number in \[1, 65536\], not 'sixty-four'" \
  --runs "$runs" --name garbage --predict
printf 'task binary\n' > "$runs/garbage/config.txt"
expect_failure "garbage/config.txt: no 'features' line" --runs "$runs" --name garbage --predict
printf 'just garbage\x1b[31m here\n' > "$runs/garbage/config.txt"
expect_failure "config.txt:1: expected 'key value'" --runs "$runs" --name garbage --predict
out=$("$exe" --runs "$runs" --name garbage --predict 2>&1 || true)
case $out in *$'\x1b'*) echo "an escape byte reached the terminal: $out"; exit 1 ;; esac
# A 5 MB line is quoted by a short prefix only.
{ printf '7 '; head -c 5000000 /dev/zero | tr '\0' 'a'; printf '\n'; } > "$3/long.txt"
out=$("$exe" --runs "$runs" --eval "$3/long.txt" 2>&1 || true)
echo "$out" | grep -q "is not a class" && test "${#out}" -lt 400 ||
  { echo "long line quoted in full (${#out} bytes)"; exit 1; }
echo "sentiment runs: ok"
