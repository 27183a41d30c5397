import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { skipUnlessTools } from '@ledge/shared/util/testing';
// @ts-expect-error: plain ESM tool without types
import { GOPATH_SRC, OUTPUT, generate } from '../tools/gen-descriptors.mjs';

const protos = existsSync(`${GOPATH_SRC}/github.com/containerd/containerd/api/services/tasks/v1/tasks.proto`);

test('the committed descriptor matches the installed containerd protos', { skip: skipUnlessTools('the containerd .proto files (apt-get install -y golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev)', !protos) }, () => {
  assert.equal(readFileSync(OUTPUT as string, 'utf8'), (generate as () => string)(), 'stale: run node libs/container-management/data-access-containerd/tools/gen-descriptors.mjs');
});

/** A protobufjs JSON descriptor node: a namespace (nested) or a message (fields). */
interface DescriptorNode {
  nested?: Record<string, DescriptorNode>;
  fields?: Record<string, unknown>;
}

test('the descriptor holds every service the runtime calls, and field names like Mount.options', () => {
  const d = JSON.parse(readFileSync(OUTPUT as string, 'utf8')) as DescriptorNode;
  const at = (path: string) => path.split('.').reduce<DescriptorNode | undefined>((node, name) => node?.nested?.[name], d);
  for (const s of ['version', 'namespaces', 'content', 'images', 'leases', 'snapshots', 'diff', 'containers', 'tasks', 'events']) assert.ok(at(`containerd.services.${s}`), s);
  assert.ok(at('containerd.types.Mount')?.fields?.['options']);
  assert.ok(at('containerd.events.TaskExit'));
});
