#!/usr/bin/env bash
# The printable yearbook (Cairo + Pango, made by the worker) and erasure on the real binary, read
# back with poppler-utils; the steps are in yearbook_pdf.py.
source "$(dirname "$0")/lib.sh"
command -v pdftotext >/dev/null || fail "poppler-utils is needed (./dev setup test installs it)"
/usr/bin/python3 -c 'import PIL' 2>/dev/null || fail "python3-pil is needed (./dev setup test installs it)"
start_server main SCHOOLYARD_WORKERS=1
ADMIN_PW=$(sed -n 's/^  password: //p' "$LOG" | head -1)
[[ -n $ADMIN_PW ]] || { cat "$LOG"; fail "no admin password printed"; }
timeout 300 /usr/bin/python3 "$(dirname "$0")/yearbook_pdf.py" "$BASE" "$ADMIN_PW" "$TMP/main-data/objects" "$TMP" ||
  { tail -30 "$LOG"; fail "yearbook pdf"; }
pass "yearbook pdf and erasure end to end"
