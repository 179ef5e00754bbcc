#!/usr/bin/env bash
# The /api/cluster contract checker (api_contract.py) accepts what the C++
# ToJson() writes and what the fake cluster server serves, and rejects a view
# that breaks the contract.
set -uo pipefail
sample="$1"; checker="$2"; fake="$3"
fails=0
expect() {  # expect NAME WANT_STATUS COMMAND...
  local name="$1" want="$2"; shift 2
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq "$want" ]; then echo "ok   $name"; else echo "FAIL $name (exit $rc): $out"; fails=$((fails + 1)); fi
}
json=$("$sample")
expect "C++ ToJson satisfies the contract" 0 python3 "$checker" - <<<"$json"
expect "C++ sample has the failover events" 0 grep -q '"kind":"leader_election"' <<<"$json"
expect "fake server view satisfies the contract (healthy and failed over)" 0 python3 - "$fake" "$checker" <<'PY'
import importlib.util, json, sys
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m
fake, checker = load("fake", sys.argv[1]), load("checker", sys.argv[2])
c = fake.Cluster(catch_up_seconds=0)
views = [c.view(1)]
c.kill_broker(1); views.append(c.view(1))
c.kill_controller(); views.append(c.view(1))
c.restart_broker(1); views.append(c.view(1)); views.append(c.view(1))
errors = [e for v in views for e in checker.check(json.loads(json.dumps(v)))]
print("\n".join(errors)); sys.exit(1 if errors else 0)
PY
broken=$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); v["topics"][0]["partitions"][0]["under_replicated"]=False; del v["brokers"][0]["fenced"]; print(json.dumps(v))' "$json")
expect "a view with a wrong derived field and a missing field is rejected" 1 python3 "$checker" - <<<"$broken"
[ "$fails" -eq 0 ]
