# Shared by the packaging checks: TAP output.  Source it, call ok / nok /
# skip once per check (diag indents details as TAP comments), and finish
# with tap_done, which prints the plan and exits 1 when any check failed.

n=0
failed=0
ok ()   { n=$((n + 1)); echo "ok $n - $1"; }
nok ()  { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag () { sed 's/^/# /'; }
tap_done () { echo "1..$n"; exit $failed; }
