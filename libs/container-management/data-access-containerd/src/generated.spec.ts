import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
// @ts-expect-error: plain ESM tool without types
import { GOPATH_SRC, OUTPUT, generate } from '../tools/gen-descriptors.mjs';

const protos = existsSync(`${GOPATH_SRC}/github.com/containerd/containerd/api/services/tasks/v1/tasks.proto`);

test('the committed descriptor matches the installed containerd protos', { skip: !protos && 'containerd protos not installed' }, () => {
  assert.equal(readFileSync(OUTPUT as string, 'utf8'), (generate as () => string)(), 'stale: run node libs/container-management/data-access-containerd/tools/gen-descriptors.mjs');
});

test('the descriptor holds every service the runtime calls, and field names like Mount.options', () => {
  const d = JSON.parse(readFileSync(OUTPUT as string, 'utf8')) as { nested: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const services = d.nested.containerd.nested.services.nested;
  for (const s of ['version', 'namespaces', 'content', 'images', 'leases', 'snapshots', 'diff', 'containers', 'tasks', 'events']) assert.ok(services[s], s);
  assert.ok(d.nested.containerd.nested.types.nested.Mount.fields.options);
  assert.ok(d.nested.containerd.nested.events.nested.TaskExit);
});
