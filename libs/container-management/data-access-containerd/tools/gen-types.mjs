#!/usr/bin/env node
// Generates src/generated/types/: TypeScript types of containerd's messages and services, written by
// @grpc/proto-loader's own generator (proto-loader-gen-types) from the committed descriptor
// src/generated/containerd.json, with the options the client loads that descriptor with
// (src/loader-options.ts), so request types say what may be sent and `__Output` types what really comes
// back (issue 22 item 4). Only types the containerd API reaches are kept: the descriptor also holds
// google/protobuf/descriptor.proto (imported by gogo.proto for its options), which no message uses.
// `--check` regenerates into a temp dir and exits 1 naming every stale file (CI: generated-types.spec.ts).
// Reads a .ts module, so run it with tsx: node --import tsx <this file> [--check] (Nx target `gen-types`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { LOADER_OPTIONS } from '../src/loader-options.ts';

const LIB = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DESCRIPTOR = join(LIB, 'src', 'generated', 'containerd.json');
export const OUT_DIR = join(LIB, 'src', 'generated', 'types');
/** The generator names its root file (ProtoGrpcType) after its input; this is that input's name. */
const ROOT_NAME = 'containerd-api';
const REGENERATE = 'npx nx run container-management-data-access-containerd:gen-types';

const require = createRequire(import.meta.url);
const GENERATOR = join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build', 'bin', 'proto-loader-gen-types.js');

/** LOADER_OPTIONS as generator flags: booleans as `--name`, Number/String/Array as `--name=Number`. */
export function generatorFlags(options = LOADER_OPTIONS) {
  const known = ['keepCase', 'longs', 'enums', 'bytes', 'defaults', 'arrays', 'objects', 'oneofs', 'json'];
  const flags = [];
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) throw new Error(`loader option ${key} has no proto-loader-gen-types flag`);
    if (value === true) flags.push(`--${key}`);
    else if (typeof value === 'function') flags.push(`--${key}=${value.name}`);
    else if (value !== false && value !== undefined) throw new Error(`loader option ${key}=${String(value)} has no flag form`);
  }
  return [...flags, '--grpcLib=@grpc/grpc-js'];
}

/** The descriptor without the types nothing under `containerd` reaches (through fields, maps, methods). */
function pruned(json) {
  const root = protobuf.Root.fromJSON(json);
  const used = new Set();
  const visit = (obj) => {
    if (!obj || used.has(obj.fullName)) return;
    used.add(obj.fullName);
    if (obj instanceof protobuf.Type) for (const f of obj.fieldsArray) visit(f.resolvedType);
    if (obj instanceof protobuf.Service) {
      for (const m of obj.methodsArray) {
        visit(m.resolvedRequestType);
        visit(m.resolvedResponseType);
      }
    }
    for (const n of obj.nestedArray ?? []) visit(n);
  };
  visit(root.lookup('containerd'));
  const keep = (nested, prefix) => {
    const out = {};
    for (const [name, node] of Object.entries(nested)) {
      const fullName = `${prefix}.${name}`;
      const isNamespace = !('fields' in node || 'values' in node || 'methods' in node);
      if (isNamespace) {
        const inner = keep(node.nested ?? {}, fullName);
        if (Object.keys(inner).length > 0) out[name] = { ...node, nested: inner };
      } else if (used.has(fullName)) out[name] = node;
    }
    return out;
  };
  return { ...json, nested: keep(json.nested, '') };
}

/** Runs proto-loader-gen-types on the (pruned) descriptor; the output lands in `outDir`. */
export function generateInto(outDir) {
  const work = mkdtempSync(join(tmpdir(), 'ledge-ctrd-types-'));
  try {
    const input = join(work, `${ROOT_NAME}.json`);
    writeFileSync(input, JSON.stringify(pruned(JSON.parse(readFileSync(DESCRIPTOR, 'utf8')))));
    const r = spawnSync(process.execPath, [GENERATOR, ...generatorFlags(), '-O', outDir, input], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`proto-loader-gen-types failed (${r.status}): ${r.stderr || r.stdout}`);
    // The generator keeps a non-.proto input's extension on the root file.
    renameSync(join(outDir, `${ROOT_NAME}.json`), join(outDir, `${ROOT_NAME}.ts`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function listFiles(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, base, out);
    else out.push(relative(base, p));
  }
  return out;
}

/** Files under OUT_DIR that differ from a fresh generation in `fresh` (changed, missing or extra). */
export function staleFiles(fresh) {
  const committed = new Set(listFiles(OUT_DIR));
  const stale = [];
  for (const f of listFiles(fresh)) {
    if (!committed.delete(f) || readFileSync(join(OUT_DIR, f), 'utf8') !== readFileSync(join(fresh, f), 'utf8')) stale.push(f);
  }
  return [...stale, ...committed].sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fresh = mkdtempSync(join(tmpdir(), 'ledge-ctrd-types-out-'));
  try {
    generateInto(fresh);
    if (process.argv.includes('--check')) {
      const stale = staleFiles(fresh);
      if (stale.length > 0) {
        for (const f of stale.slice(0, 20)) console.error(`${relative(process.cwd(), join(OUT_DIR, f))} is stale`);
        if (stale.length > 20) console.error(`… and ${stale.length - 20} more`);
        console.error(`regenerate: ${REGENERATE}`);
        process.exitCode = 1; // not exit(): the temp dir is removed below
      } else console.log(`${relative(process.cwd(), OUT_DIR)} is up to date`);
    } else {
      rmSync(OUT_DIR, { recursive: true, force: true });
      cpSync(fresh, OUT_DIR, { recursive: true });
      console.log(`wrote ${listFiles(OUT_DIR).length} files to ${relative(process.cwd(), OUT_DIR)}`);
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
