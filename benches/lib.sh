# Shell helpers shared by the benchmark scripts (benches/load.sh, load_mixed.sh, soak.sh,
# ratios.sh, profile.sh);
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

# The requests of benches/ratios.sh and benches/profile.sh, signed ahead of time with the
# crate's own signers at the mock's fixed CLOCK, right and wrong secret:
#   sign_requests BIN HOSTPORT DIR CLOCK
# writes DIR/is_ok.path, DIR/is_bad.path (a PA-API ItemSearch, SigV2 GET: path and query)
# and DIR/sts.body, DIR/sts_ok.headers, DIR/sts_bad.headers (STS GetCallerIdentity, SigV4
# POST form to the generic endpoint: the headers `sign` adds, one "Name: value" a line; send
# them with Host: HOSTPORT and Content-Type: $STS_TYPE).
STS_BODY="Action=GetCallerIdentity&Version=2011-06-15"
STS_TYPE="application/x-www-form-urlencoded; charset=utf-8"
sign_requests() {
  local bin="$1" hostport="$2" dir="$3" clock="$4" url
  url="http://$hostport/onca/xml?Service=AWSECommerceService&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Operation=ItemSearch&SearchIndex=Books&Keywords=harry%20potter&Version=2013-08-01&Timestamp=2014-08-18T12:00:00Z"
  AMZSIG_SECRET_KEY=1234567890 "$bin" sign "$url" | sed "s|^http://$hostport||" >"$dir/is_ok.path"
  AMZSIG_SECRET_KEY=not-the-secret-0000 "$bin" sign "$url" | sed "s|^http://$hostport||" >"$dir/is_bad.path"
  printf '%s' "$STS_BODY" >"$dir/sts.body"
  local secret
  for kind in ok bad; do
    if [ "$kind" = ok ]; then secret='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'; else secret=not-the-secret-0000; fi
    AMZSIG_SECRET_KEY="$secret" "$bin" sign --sig v4 -X POST -H "Content-Type: $STS_TYPE" --body "$dir/sts.body" \
      --access-key-id AKIDEXAMPLE --region us-east-1 --service sts --clock "$clock" --output headers \
      "http://$hostport/" >"$dir/sts_$kind.headers"
  done
  grep -q '^Authorization: AWS4-HMAC-SHA256 ' "$dir/sts_ok.headers" || { echo "sign_requests: no SigV4 Authorization" >&2; return 1; }
  grep -q '^/onca/xml?.*Signature=' "$dir/is_ok.path" || { echo "sign_requests: no signed ItemSearch" >&2; return 1; }
}
