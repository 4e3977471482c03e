# Shell helpers shared by the benchmark scripts (benches/load.sh, load_mixed.sh, soak.sh);
# sourced from the repository root after `cd`.

# Waits (at most 20 s) for a server started in the background to print its first line to
# FILE (its base URL), then prints that line (empty when it never came).
first_line() {
  for _ in $(seq 400); do [ -s "$1" ] && break; sleep 0.05; done
  head -1 "$1"
}

# Replaces what stands between `<!-- NAME:start -->` and `<!-- NAME:end -->` in
# BENCHMARKS.md with TEXT: write_section NAME TEXT.
write_section() {
  python3 - "$1" "$2" <<'PY'
import pathlib, sys
md = pathlib.Path("BENCHMARKS.md")
doc = md.read_text()
start, end = f"<!-- {sys.argv[1]}:start -->", f"<!-- {sys.argv[1]}:end -->"
before, rest = doc.split(start, 1)
_, after = rest.split(end, 1)
md.write_text(f"{before}{start}\n{sys.argv[2]}\n{end}{after}")
PY
}
