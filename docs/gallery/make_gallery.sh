#!/usr/bin/env bash
# Regenerates docs/gallery/*.svg from ../shared/data/drugs/complex_molecules.csv with the release
# binary, then the PNG contact sheet (needs Python with Pillow; the PNGs come from `textchem draw`).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${BIN:-../../target/release/textchem}
CSV=${CSV:-../../../shared/data/drugs/complex_molecules.csv}
TMP=$(mktemp -d)
python3 - "$CSV" > "$TMP/list.tsv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(r["name"].replace(" ", "_") + "\t" + r["smiles"])
PY
while IFS=$'\t' read -r name smiles; do
  "$BIN" draw "$smiles" -o "$name.svg" --width 600 --height 450
  "$BIN" draw "$smiles" -o "$TMP/$name.png" --width 400 --height 300
done < "$TMP/list.tsv"
python3 - "$TMP" <<'PY'
import sys, os
from PIL import Image, ImageDraw
d = sys.argv[1]
names = [l.split("\t")[0] for l in open(os.path.join(d, "list.tsv"))]
cols = 6
rows = (len(names) + cols - 1) // cols
sheet = Image.new("RGB", (cols * 400, rows * 320), "white")
draw = ImageDraw.Draw(sheet)
for i, n in enumerate(names):
    x, y = (i % cols) * 400, (i // cols) * 320
    sheet.paste(Image.open(os.path.join(d, n + ".png")).convert("RGB"), (x, y + 20))
    draw.text((x + 8, y + 4), n, fill="black")
sheet.save("contact_sheet.png", optimize=True)
PY
rm -rf "$TMP"
