#!/bin/sh
# Run PROGRAM under `strace -f` and check the system calls of each marked section
# against its budget (see syscalls_small_reads.c): fails, listing the calls, when a
# section makes more, when a section is missing, or when PROGRAM fails. Heap growth
# (brk) is not counted.
#   count_syscalls.sh STRACE PROGRAM SECTIONS   (SECTIONS: how many must be seen)
set -eu
strace=$1 program=$2 sections=$3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$strace" -f -qq -s 200 -o "$log" "$program"
awk -v sections="$sections" '
  /npy-mark-begin / {
    match($0, /npy-mark-begin [^"]*/)
    text = substr($0, RSTART + 15, RLENGTH - 15)
    split(text, part, ":")
    name = part[1]; budget = part[2] + 0; on = 1; n = 0; calls = ""
    next
  }
  /npy-mark-end/ {
    on = 0; seen++
    printf "%s: %d system calls (budget %d)\n", name, n, budget
    if (n > budget) { failed = 1; printf "over budget:%s\n", calls }
    next
  }
  # One call per line; a call another thread interrupted continues on a "resumed"
  # line. brk is malloc growing the heap for a buffer, not part of the read path.
  on && !/resumed>/ && !/^[0-9]+ +(\+\+\+|---)/ && !/^[0-9]+ +brk\(/ {
    n++; calls = calls "\n  " $0
  }
  END {
    if (seen != sections) { printf "saw %d sections, expected %d\n", seen, sections; exit 1 }
    exit failed
  }' "$log"
