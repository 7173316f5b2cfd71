#!/usr/bin/env bash
# `npm run test:aws`, the parity run: `cdk bootstrap` and `cdk deploy` of the real app (the same esbuild
# bundles) into MiniStack on 127.0.0.1 (HTTPS, IAM evaluated), then the end-to-end smoke
# (test/aws/deployed.test.ts) over HTTP against what was deployed. MiniStack is pinned and installed into a virtualenv under .event-relay/aws
# (gitignored); it is stopped on every exit. docs/deploy.md lists what this run covers and what it cannot.
set -euo pipefail
cd "$(dirname "$0")/../.."

MINISTACK_VERSION=1.5.33
WORK=.event-relay/aws
PYTHON_DIR="$WORK/python-$MINISTACK_VERSION"
mkdir -p "$WORK"

# MiniStack, pinned: a virtualenv where python3 has the venv module, else a plain --target directory.
if [ ! -f "$PYTHON_DIR/ready" ]; then
  rm -rf "$PYTHON_DIR"
  if python3 -m venv "$PYTHON_DIR" >/dev/null 2>&1; then
    "$PYTHON_DIR/bin/python" -m pip install --quiet --disable-pip-version-check "ministack==$MINISTACK_VERSION"
  else
    python3 -m pip install --quiet --disable-pip-version-check --target "$PYTHON_DIR/lib" "ministack==$MINISTACK_VERSION"
  fi
  touch "$PYTHON_DIR/ready"
fi
if [ -x "$PYTHON_DIR/bin/python" ]; then PYTHON="$PYTHON_DIR/bin/python"; else
  PYTHON=python3
  export PYTHONPATH="$PWD/$PYTHON_DIR/lib${PYTHONPATH:+:$PYTHONPATH}"
fi

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUN_DIR="$WORK/run"
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR/tmp"
MINISTACK_PID=
PACKAGE_TEST_PID=
stop() {
  for pid in "$PACKAGE_TEST_PID" "$MINISTACK_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap stop EXIT INT TERM

# Workaround "tls": HTTPS, as on AWS (once AUTH=true evaluates policies, the bootstrap bucket and our
# queues refuse requests without aws:SecureTransport). MiniStack's own certificate is no CA, which
# Node.js refuses; so a throwaway CA for this run, and a certificate for 127.0.0.1 and localhost signed
# by it, which MiniStack serves and every Node.js process here trusts.
command -v openssl >/dev/null || { echo "test:aws needs openssl (apt-get install -y openssl)" >&2; exit 1; }
TLS_DIR="$RUN_DIR/tls"
mkdir -p "$TLS_DIR"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=event-relay-parity-ca \
  -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$TLS_DIR/server.key" \
  -out "$TLS_DIR/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$TLS_DIR/server.ext"
openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" \
  -CAcreateserial -days 2 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.crt" 2>/dev/null
export NODE_EXTRA_CA_CERTS="$PWD/$TLS_DIR/ca.crt" AWS_CA_BUNDLE="$PWD/$TLS_DIR/ca.crt"

# AUTH=true: each function calls AWS with its execution role's credentials and IAM policies decide.
# Workaround "sdk": the bundles leave @aws-sdk/* external (the Lambda runtime provides it); MiniStack's
# Node.js runtime resolves it through NODE_PATH, so the project's node_modules plays the runtime's SDK.
BIND_HOST=127.0.0.1 GATEWAY_PORT="$PORT" AUTH=true USE_SSL=1 \
  MINISTACK_SSL_CERT="$PWD/$TLS_DIR/server.crt" MINISTACK_SSL_KEY="$PWD/$TLS_DIR/server.key" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  MINISTACK_REGION=us-east-1 NODE_PATH="$PWD/node_modules" TMPDIR="$PWD/$RUN_DIR/tmp" \
  STATE_DIR="$PWD/$RUN_DIR/state" S3_DATA_DIR="$PWD/$RUN_DIR/s3" LOG_LEVEL=WARNING \
  "$PYTHON" -m ministack >"$RUN_DIR/ministack.log" 2>&1 &
MINISTACK_PID=$!

export AWS_ENDPOINT_URL="https://127.0.0.1:$PORT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true
export EVENT_RELAY_AWS_RUN_DIR="$RUN_DIR"

for _ in $(seq 1 100); do
  if "$PYTHON" -c "import ssl, urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL/_ministack/health', timeout=1, context=ssl.create_default_context(cafile='$TLS_DIR/ca.crt'))" 2>/dev/null; then
    break
  fi
  kill -0 "$MINISTACK_PID" 2>/dev/null || { cat "$RUN_DIR/ministack.log"; exit 1; }
  sleep 0.2
done
echo "MiniStack $MINISTACK_VERSION on $AWS_ENDPOINT_URL"

# The packed construct in another CDK app (test/aws/package.test.ts) needs no emulator: it runs while
# the deploy mostly waits on CloudFormation.
npx jest -c jest.aws.config.js test/aws/package >"$RUN_DIR/package-test.log" 2>&1 &
PACKAGE_TEST_PID=$!

if ! npx tsx test/aws/deploy.ts; then
  tail -n 60 "$RUN_DIR/ministack.log"
  exit 1
fi
npx jest -c jest.aws.config.js test/aws/deployed || { tail -n 60 "$RUN_DIR/ministack.log"; exit 1; }
PACKAGE_STATUS=0
wait "$PACKAGE_TEST_PID" || PACKAGE_STATUS=$?
PACKAGE_TEST_PID=
cat "$RUN_DIR/package-test.log"
exit "$PACKAGE_STATUS"
