#!/usr/bin/env node
// Generates src/generated/containerd.json: one protobufjs JSON descriptor of containerd's gRPC API,
// loaded at runtime with @grpc/proto-loader fromJSON, so the shipped bundle is pure JS (no .proto files,
// no native code). Sources: the Debian packages golang-github-containerd-containerd-dev and
// golang-github-gogo-protobuf-dev. `--check` exits 1 when the committed file is stale (CI).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const GOPATH_SRC = '/usr/share/gocode/src';
const API = 'github.com/containerd/containerd/api';
export const PROTO_FILES = [
  'services/version/v1/version.proto',
  'services/namespaces/v1/namespace.proto',
  'services/content/v1/content.proto',
  'services/images/v1/images.proto',
  'services/leases/v1/leases.proto',
  'services/snapshots/v1/snapshots.proto',
  'services/diff/v1/diff.proto',
  'services/containers/v1/containers.proto',
  'services/tasks/v1/tasks.proto',
  'services/events/v1/events.proto',
  // Event payloads carried in Any envelopes by the events stream.
  'events/task.proto',
  'events/container.proto',
].map((f) => `${API}/${f}`);

const INCLUDE = [GOPATH_SRC, `${GOPATH_SRC}/github.com/gogo/protobuf`, `${GOPATH_SRC}/github.com/gogo/protobuf/protobuf`];

export const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'containerd.json');

/** Drops option annotations (gogoproto etc.): the wire format does not depend on them. Keys under
 *  `fields`/`nested`/`methods`/`values` are names (a field may be called "options", e.g. Mount.options). */
function strip(node, names = false) {
  if (Array.isArray(node)) return node.map((n) => strip(n));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const key of Object.keys(node).sort()) {
    if (!names && (key === 'options' || key === 'comment' || key === 'parsedOptions')) continue;
    out[key] = strip(node[key], !names && ['fields', 'nested', 'methods', 'values', 'oneofs'].includes(key));
  }
  return out;
}

export function generate() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('/')) return target;
    for (const dir of INCLUDE) {
      const p = join(dir, target);
      if (existsSync(p)) return p;
    }
    return target;
  };
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  const json = strip(root.toJSON({ keepComments: false }));
  // gogoproto descriptors are compile-time only.
  if (json.nested?.gogoproto) delete json.nested.gogoproto;
  return `${JSON.stringify(json, null, 1)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
    if (current !== text) {
      console.error(`${OUTPUT} is stale: run node ${fileURLToPath(import.meta.url)}`);
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${OUTPUT} (${text.length} bytes)`);
  }
}
