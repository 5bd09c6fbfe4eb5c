#!/usr/bin/env bash
# trcli conformance: installs TestRail's own CLI (trcli, pinned) from PyPI into a virtual
# environment, builds the simulator, and runs trcli unchanged against it: case IDs in
# names, the test_id property, --case-matcher auto with -y (creating sections and cases),
# --run-id, --plan-id (with and without configurations), --close-run, -b 250, and faults
# (429 with and without Retry-After, a rate limit, 502 bursts, a dropped connection,
# revoked credentials, a login page). Every check reads the simulator's control API.
#
# trcli checks PyPI for a newer version when it starts; the driver gives it a HOME whose
# version cache is fresh, so no lookup happens (and none can break the run).
#
# Usage: bash .ci/trcli-conformance.sh [--only SCENARIO]
set -euo pipefail
cd "$(dirname "$0")/.."

TRCLI_VERSION=1.15.3
VENV=target/trcli-venv
TARGET_DIR=${CARGO_TARGET_DIR:-target}

installed=$("$VENV/bin/pip" show trcli 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$installed" != "$TRCLI_VERSION" ]; then
    echo "installing trcli $TRCLI_VERSION into $VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "trcli==$TRCLI_VERSION"
fi

cargo build --quiet -p testrail-sim --bin testrail-sim

python3 testrail-sim/tests/trcli/conformance.py \
    --sim "$TARGET_DIR/debug/testrail-sim" \
    --trcli "$VENV/bin/trcli" \
    --junit testrail-sim/tests/junit \
    "$@"
