#!/usr/bin/env bash
# The end-to-end run of .github/workflows/e2e.yml, step by step, on a developer's machine or in the workflow (which
# calls the same steps): the emulator seeded with test/fixtures/e2e/seed.yml, the Action's bundle in plan then apply
# mode, then the CLI. `npm run e2e:local` runs every step; `npm run e2e:local -- <step>` one of them:
#   start                  build the test CA, start the emulator in the background, write the environment a client
#                          needs (HTTPS_PROXY, NODE_EXTRA_CA_CERTS, AZURE_*) to $E2E_DIR/env (and to $GITHUB_ENV)
#   inputs <plan|apply>    the Action's inputs, name=value a line (e2e.yml's `with:` says the same: a test checks it)
#   action <plan|apply>    run dist/index.js as the runner runs `uses: ./` with those inputs (the workflow uses `uses: ./`)
#   check <plan|apply> [report]   check the Action's report and the target vault
#   cli                    build, then the CLI from lib/: plan (exit 3: changes), apply, plan again (exit 0: in sync)
#   stop                   stop the emulator
#   azure-env              the AZURE_* variables of the seed's principal (which start writes too)
# Every value here is the emulator's: no real credential is used or needed.
set -euo pipefail
cd "$(dirname "$0")/.."
E2E_DIR=${E2E_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kvr-e2e}
mkdir -p "$E2E_DIR"
SEED=test/fixtures/e2e/seed.yml
TENANT=72f988bf-86f1-41af-91ab-2d7cd011db47
SUBSCRIPTION=11111111-1111-1111-1111-111111111111
CLIENT_ID=e2e-client
CLIENT_SECRET=e2e-emulator-only-secret

load_env() {
  [ -f "$E2E_DIR/env" ] || { echo "e2e: no $E2E_DIR/env; run the start step first" >&2; exit 1; }
  set -a
  # shellcheck disable=SC1091
  . "$E2E_DIR/env"
  set +a
}

start() {
  node emulator/certs/make-test-ca.mjs
  nohup node emulator/main.ts --seed "$SEED" >"$E2E_DIR/emulator.log" 2>&1 &
  echo $! >"$E2E_DIR/emulator.pid"
  for _ in $(seq 1 60); do
    grep -q 'Ctrl-C' "$E2E_DIR/emulator.log" && break
    kill -0 "$(cat "$E2E_DIR/emulator.pid")" 2>/dev/null || { cat "$E2E_DIR/emulator.log" >&2; exit 1; }
    sleep 0.5
  done
  grep -q 'Ctrl-C' "$E2E_DIR/emulator.log" || { echo 'e2e: the emulator did not start' >&2; exit 1; }
  cat "$E2E_DIR/emulator.log"
  {
    sed -n 's/^  export \([A-Za-z_]*=.*\)$/\1/p' "$E2E_DIR/emulator.log"
    echo "E2E_ADMIN_URL=$(sed -n 's/^  admin  \(.*\)$/\1/p' "$E2E_DIR/emulator.log")"
    azure_env
  } >"$E2E_DIR/env"
  if [ -n "${GITHUB_ENV:-}" ]; then cat "$E2E_DIR/env" >>"$GITHUB_ENV"; fi
  echo "e2e: environment in $E2E_DIR/env"
}

# The seed's principal and subscription, as the CLI (and the Action's inputs) take them.
azure_env() {
  echo "AZURE_TENANT_ID=$TENANT"
  echo "AZURE_CLIENT_ID=$CLIENT_ID"
  echo "AZURE_CLIENT_SECRET=$CLIENT_SECRET"
  echo "AZURE_SUBSCRIPTION_ID=$SUBSCRIPTION"
}

inputs() {
  local mode=$1
  cat <<INPUTS
mode=$mode
source=e2e-src
targets=e2e-dr-action
types=secrets,certificates,keys
rule=tagged:replicate=true
client-id=$CLIENT_ID
tenant-id=$TENANT
client-secret=$CLIENT_SECRET
subscription-id=$SUBSCRIPTION
state-branch=
comment-on-pr=false
INPUTS
}

# What the runner does for `uses: ./`: the action.yml defaults, then the step's inputs as INPUT_<NAME> variables, the
# GITHUB_* files, and node on dist/index.js.
action() {
  local mode=$1
  load_env
  local run="$E2E_DIR/action-$mode"
  rm -rf "$run" && mkdir -p "$run"
  : >"$run/output" && : >"$run/summary.md" && echo '{}' >"$run/event.json"
  local -a env=(
    GITHUB_ACTIONS=true CI=true RUNNER_TEMP="$run" GITHUB_WORKSPACE="$PWD" GITHUB_REPOSITORY=owner/repo
    GITHUB_EVENT_NAME=workflow_dispatch GITHUB_EVENT_PATH="$run/event.json" GITHUB_OUTPUT="$run/output"
    GITHUB_STEP_SUMMARY="$run/summary.md" GITHUB_SHA=0000000000000000000000000000000000000000
    GITHUB_REF=refs/heads/main GITHUB_API_URL=http://127.0.0.1:9 GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=1
  )
  local name value
  while IFS='=' read -r name value; do
    env+=("INPUT_${name^^}=$value")
  done < <(node -e '
    const yaml = require("yaml");
    const inputs = yaml.parse(require("fs").readFileSync("action.yml", "utf8")).inputs;
    for (const [k, v] of Object.entries(inputs)) if (v.default !== undefined && !String(v.default).includes("${{"))
      console.log(`${k}=${v.default}`);
  '; inputs "$mode")
  local code=0
  env "${env[@]}" node dist/index.js || code=$?
  echo "e2e: the Action ($mode) exited $code"
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const m = /^report-path<<(.+)\n([^\n]*)\n/m.exec(text);
    if (m) require("fs").writeFileSync(process.argv[2], m[2]);
  ' "$run/output" "$run/report-path"
  return "$code"
}

check() {
  local mode=$1 report=${2:-}
  load_env
  if [ -z "$report" ] && [ -f "$E2E_DIR/action-$mode/report-path" ]; then report=$(cat "$E2E_DIR/action-$mode/report-path"); fi
  node scripts/e2e-check.ts "$mode" e2e-dr-action "$report"
}

cli() {
  load_env
  npm run -s build
  local state="$E2E_DIR/cli-state.json"
  rm -f "$state"
  run_cli 3 plan --detailed-exitcode
  node scripts/e2e-check.ts plan e2e-dr-cli
  run_cli 0 apply --report "$E2E_DIR/cli-report.json"
  node scripts/e2e-check.ts apply e2e-dr-cli "$E2E_DIR/cli-report.json"
  run_cli 0 plan --detailed-exitcode
}

# The built CLI (what the package's bin runs) on the e2e config; fails unless it exits with the code expected.
run_cli() {
  local want=$1 code=0
  shift
  echo "\$ keyvault-replicate $* (expecting exit $want)"
  node lib/hosts/cli/index.js "$@" --config test/fixtures/e2e/cli-config.yml --state "$E2E_DIR/cli-state.json" \
    --output markdown || code=$?
  [ "$code" = "$want" ] || { echo "e2e: the CLI exited $code, expected $want" >&2; exit 1; }
}

stop() {
  if [ -f "$E2E_DIR/emulator.pid" ]; then
    kill "$(cat "$E2E_DIR/emulator.pid")" 2>/dev/null || true
    rm -f "$E2E_DIR/emulator.pid"
  fi
  # Later steps of the job (setup-node's post step saves its cache) must not go through the stopped emulator's proxy.
  if [ -n "${GITHUB_ENV:-}" ]; then printf '%s=\n' HTTPS_PROXY https_proxy NODE_EXTRA_CA_CERTS >>"$GITHUB_ENV"; fi
}

all() {
  start
  trap stop EXIT
  action plan
  check plan
  action apply
  check apply
  cli
}

case "${1:-all}" in
  start | stop | cli | all) "${1:-all}" ;;
  azure-env) azure_env ;;
  inputs | action | check) "$@" ;;
  *) echo "usage: $0 [start | inputs <mode> | action <mode> | check <mode> [report] | cli | stop | azure-env | all]" >&2; exit 2 ;;
esac
