#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node (the native "tensorflow" backend of @dept/runtime) OUTSIDE the repo, for
# machines where `pnpm add @tensorflow/tfjs-node` cannot work because its install script downloads
# libtensorflow from a host other than the npm registry.
#
# Instead of that download it uses the libtensorflow inside the `tensorflow-cpu` pip wheel: the wheel ships
# the C API headers (tensorflow/include, with tsl/ and xla/) and libtensorflow_cc.so.2, which exports the
# TF_* / TFE_* C API that tfjs-node's addon calls, plus libtensorflow_framework.so.2. The addon sources come
# from the tfjs-node npm tarball (`npm pack`); node-gyp compiles them against the headers of the running
# Node (its include/node, so no header download either).
#
# Usage:  bash tools/native-backend/build-tfjs-node.sh [PREFIX]        (default PREFIX: /tmp/tfjs-node-build,
#         or $TFJS_NODE_BUILD_DIR).  FORCE=1 rebuilds everything except the downloaded wheel and tarball.
# Needs:  Linux x86_64, node >= 20 with its headers (include/node beside bin/node), npm (registry access),
#         python3 with pip (a wheel index or store with tensorflow-cpu), g++ and make. About 1.2 GB in PREFIX.
# Result: PREFIX/tfjs-node is a complete @tensorflow/tfjs-node package. Use it with
#           DEPT_TFJS_NODE_PATH=PREFIX/tfjs-node DEPT_BACKEND=tensorflow pnpm dept ...
#         (see packages/runtime/README.md). Nothing is written into the repo and no package.json changes.
#
# Layout of PREFIX:
#   wheel/*.whl, tensorflow-tfjs-node-<v>.tgz   downloads (kept across FORCE=1)
#   libtensorflow/{include,lib}                 extracted from the wheel
#   tfjs-node/                                  the package; deps/include, deps/lib link to libtensorflow/,
#                                               lib/napi-v<N>/tfjs_binding.node is the built addon
#   node_modules/                               tfjs-node's runtime dependencies (node-pre-gyp, protobuf, ...)
#                                               and node-gyp; @tensorflow/tfjs(-core) are LINKS to this
#                                               checkout's copies, so the process has a single tfjs instance
#
# Idempotent: each step is skipped when its stamp says it is done for the same inputs; the tfjs links are
# always refreshed (rerun after moving the checkout or running from another one). Ends by loading the
# package, selecting the "tensorflow" backend and checking a matMul.
set -euo pipefail

# tfjs-node must match the workspace's @tensorflow/tfjs (pnpm-workspace.yaml catalog).
TFJS_NODE_VERSION="4.22.0"
# 2.21 is the first tensorflow-cpu wheel found whose include/ has everything c_api.h pulls in (tsl/, xla/)
# next to libtensorflow_cc.so.2; tfjs-node 4.22.0 itself was released against libtensorflow 2.9.1 and uses
# only the stable C API.
TF_WHEEL_SPEC="tensorflow-cpu==2.21.*"
NODE_GYP_VERSION="11.4.2"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="${1:-${TFJS_NODE_BUILD_DIR:-/tmp/tfjs-node-build}}"
mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"

log() { printf '[build-tfjs-node] %s\n' "$*" >&2; }
die() { printf '[build-tfjs-node] error: %s\n' "$*" >&2; exit 1; }

# ---- prerequisites -------------------------------------------------------------------------------
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only Linux x86_64 is supported (tensorflow-cpu wheel layout), found $(uname -s)-$(uname -m)"
for tool in node npm python3 g++ make; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH"
done
python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip does not work (needed to fetch the $TF_WHEEL_SPEC wheel)"
NODE_ROOT="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -f "$NODE_ROOT/include/node/node_api.h" ] && [ -f "$NODE_ROOT/include/node/common.gypi" ] ||
  die "Node headers not found in $NODE_ROOT/include/node (node-gyp would download them; install the headers of node $(node --version))"
RUNTIME_DIR="$REPO/packages/runtime"
[ -d "$RUNTIME_DIR/node_modules/@tensorflow/tfjs" ] || die "run \`pnpm install\` in $REPO first (need its @tensorflow/tfjs to link against)"

if [ "${FORCE:-0}" = "1" ]; then
  log "FORCE=1: removing previous build products in $PREFIX"
  rm -rf "$PREFIX/libtensorflow" "$PREFIX/tfjs-node" "$PREFIX/node_modules" "$PREFIX/package.json" "$PREFIX/package-lock.json"
fi

# ---- 1. the tensorflow-cpu wheel -------------------------------------------------------------------
newest_wheel() { { find "$PREFIX/wheel" -maxdepth 1 -name 'tensorflow_cpu-*.whl' 2>/dev/null || true; } | sort -V | tail -n 1; }
WHEEL="$(newest_wheel)"
if [ -z "$WHEEL" ]; then
  log "downloading the $TF_WHEEL_SPEC wheel (pip, no dependencies)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$PREFIX/wheel" "$TF_WHEEL_SPEC"
  WHEEL="$(newest_wheel)"
  [ -n "$WHEEL" ] || die "pip download of $TF_WHEEL_SPEC produced no tensorflow_cpu-*.whl in $PREFIX/wheel"
fi
log "wheel: $WHEEL"

# ---- 2. headers and shared libraries out of the wheel ----------------------------------------------
LIBTF="$PREFIX/libtensorflow"
if [ "$(cat "$LIBTF/.stamp" 2>/dev/null)" != "$(basename "$WHEEL")" ]; then
  log "extracting include/ and libtensorflow_{cc,framework}.so.2 into $LIBTF"
  rm -rf "$LIBTF"
  python3 - "$WHEEL" "$LIBTF" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
libs = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    for lib in libs:
        if f"tensorflow/{lib}" not in names:
            sys.exit(f"{wheel}: no tensorflow/{lib} (not a tensorflow-cpu Linux wheel?)")
    if "tensorflow/include/tensorflow/c/eager/c_api.h" not in names:
        sys.exit(f"{wheel}: no tensorflow/include/tensorflow/c/eager/c_api.h")
    os.makedirs(os.path.join(out, "lib"))
    for name in names:
        if name.startswith("tensorflow/include/") and not name.endswith("/"):
            dest = os.path.join(out, "include", name[len("tensorflow/include/"):])
        elif name in (f"tensorflow/{lib}" for lib in libs):
            dest = os.path.join(out, "lib", os.path.basename(name))
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  basename "$WHEEL" > "$LIBTF/.stamp"
fi

# ---- 3. the tfjs-node package ------------------------------------------------------------------------
TARBALL="$PREFIX/tensorflow-tfjs-node-$TFJS_NODE_VERSION.tgz"
if [ ! -f "$TARBALL" ]; then
  log "npm pack @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  (cd "$PREFIX" && npm pack --silent "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" >/dev/null)
fi
PKG="$PREFIX/tfjs-node"
if [ "$(cat "$PKG/.stamp" 2>/dev/null)" != "$TFJS_NODE_VERSION $(basename "$WHEEL")" ]; then
  log "unpacking $TARBALL into $PKG"
  rm -rf "$PKG"
  mkdir -p "$PKG"
  tar xzf "$TARBALL" -C "$PKG" --strip-components=1
  # binding.gyp compiles against deps/include and links -ltensorflow -ltensorflow_framework from deps/lib
  # with rpath $ORIGIN/../../deps/lib (relative to lib/napi-v<N>/). The addon records the SONAMEs
  # (libtensorflow_cc.so.2, libtensorflow_framework.so.2), so those names must be in deps/lib too.
  mkdir -p "$PKG/deps/lib"
  ln -sfn ../../libtensorflow/include "$PKG/deps/include"
  ln -sf ../../../libtensorflow/lib/libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow_cc.so.2"
  ln -sf ../../../libtensorflow/lib/libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so.2"
  ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
  ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
  echo "$TFJS_NODE_VERSION $(basename "$WHEEL")" > "$PKG/.stamp"
fi

# ---- 4. runtime dependencies of tfjs-node (+ node-gyp), WITHOUT @tensorflow/tfjs ------------------------
# tfjs-node's own package.json is not installed (its install script would download libtensorflow and its
# @tensorflow/tfjs dependency would be a second copy); PREFIX/package.json lists what dist/ require()s.
PREFIX_MANIFEST="{
  \"name\": \"tfjs-node-local-build\",
  \"private\": true,
  \"description\": \"written by build-tfjs-node.sh: runtime dependencies of @tensorflow/tfjs-node $TFJS_NODE_VERSION and node-gyp\",
  \"dependencies\": {
    \"@mapbox/node-pre-gyp\": \"$(node -p "require('$PKG/package.json').dependencies['@mapbox/node-pre-gyp']")\",
    \"google-protobuf\": \"$(node -p "require('$PKG/package.json').dependencies['google-protobuf']")\",
    \"progress\": \"$(node -p "require('$PKG/package.json').dependencies.progress")\",
    \"node-gyp\": \"$NODE_GYP_VERSION\"
  }
}"
if [ "$(cat "$PREFIX/package.json" 2>/dev/null)" != "$PREFIX_MANIFEST" ] || [ ! -x "$PREFIX/node_modules/.bin/node-gyp" ]; then
  log "npm install of tfjs-node's runtime dependencies into $PREFIX/node_modules (scripts off)"
  printf '%s' "$PREFIX_MANIFEST" > "$PREFIX/package.json"
  (cd "$PREFIX" && npm install --silent --ignore-scripts --no-audit --no-fund)
fi

# ---- 5. one tfjs instance: link @tensorflow/tfjs and tfjs-core to this checkout's copies ---------------
TFJS_REAL="$(cd "$RUNTIME_DIR" && node -p "require('fs').realpathSync(require('path').dirname(require.resolve('@tensorflow/tfjs/package.json')))")"
CORE_REAL="$(node -p "require('fs').realpathSync(require('path').dirname(require('module').createRequire('$TFJS_REAL/package.json').resolve('@tensorflow/tfjs-core/package.json')))")"
mkdir -p "$PREFIX/node_modules/@tensorflow"
ln -sfn "$TFJS_REAL" "$PREFIX/node_modules/@tensorflow/tfjs"
ln -sfn "$CORE_REAL" "$PREFIX/node_modules/@tensorflow/tfjs-core"
log "linked @tensorflow/tfjs -> $TFJS_REAL"
TFJS_VERSION="$(node -p "require('$TFJS_REAL/package.json').version")"
[ "$TFJS_VERSION" = "$TFJS_NODE_VERSION" ] || die "this checkout has @tensorflow/tfjs $TFJS_VERSION; tfjs-node here is $TFJS_NODE_VERSION (update TFJS_NODE_VERSION)"

# ---- 6. compile the addon ----------------------------------------------------------------------------
# The N-API version node-pre-gyp's binary.find() will look for at run time: the highest of the package's
# binary.napi_versions that this Node supports.
NAPI="$(node -p "Math.max(...require('$PKG/package.json').binary.napi_versions.filter((v) => v <= Number(process.versions.napi)))")"
ADDON="$PKG/lib/napi-v$NAPI/tfjs_binding.node"
if [ ! -f "$ADDON" ] || [ "$(cat "$PKG/.built" 2>/dev/null)" != "$(node --version) napi-v$NAPI" ]; then
  log "compiling the addon (node-gyp, node $(node --version), headers $NODE_ROOT/include/node, N-API $NAPI)"
  (cd "$PKG" && "$PREFIX/node_modules/.bin/node-gyp" rebuild --silent --nodedir="$NODE_ROOT" \
    --module_name=tfjs_binding --module_path="$PKG/lib/napi-v$NAPI" --napi_build_version="$NAPI" -j "$(nproc)")
  [ -f "$ADDON" ] || die "node-gyp finished but $ADDON is missing"
  echo "$(node --version) napi-v$NAPI" > "$PKG/.built"
fi

# ---- 7. check: load it, select "tensorflow", compute ------------------------------------------------------
log "checking the build"
(cd "$PREFIX" && node -e "
  const tf = require('$PKG');
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = Array.from(tf.matMul(x, x).dataSync());
  if (tf.getBackend() !== 'tensorflow' || y.join() !== '7,10,15,22') throw new Error('check failed: ' + tf.getBackend() + ' ' + y);
  console.error('[build-tfjs-node] ok: backend ' + tf.getBackend() + ', libtensorflow ' + tf.backend().binding.TF_Version + ', tfjs ' + tf.version.tfjs);
")

cat <<EOF

Built @tensorflow/tfjs-node $TFJS_NODE_VERSION against libtensorflow from $(basename "$WHEEL").
Package directory:  $PKG
Use it from this checkout ($REPO):

  export DEPT_TFJS_NODE_PATH=$PKG
  DEPT_BACKEND=tensorflow pnpm dept ...           # or initBackend("tensorflow") in code

(libtensorflow prints a few INFO lines on stderr when it loads, e.g. about oneDNN; they are harmless.)
EOF
