import assert from 'node:assert/strict';
import { it } from 'node:test';
import { captureLogger } from '@ledge/shared/util/testing';
import { runPlan, type Step } from './steps';

const recorder = () => {
  const seen: string[] = [];
  const step = (name: string, fail?: 'run' | 'undo'): Step => ({
    name,
    run: () => {
      seen.push(`run ${name}`);
      if (fail === 'run') throw new Error(`${name} broke`);
    },
    undo: async () => {
      seen.push(`undo ${name}`);
      if (fail === 'undo') throw new Error(`undo of ${name} broke`);
    },
  });
  return { seen, step };
};

it('runs the steps in order, then the release steps; nothing is undone', async () => {
  const { seen, step } = recorder();
  await runPlan({ op: 'test', containerId: 'c', steps: [step('a'), step('b')], release: [step('r')] }, captureLogger().logger);
  assert.deepEqual(seen, ['run a', 'run b', 'run r']);
});

it('a failed step undoes the steps done in reverse order and rethrows its error; release steps do not run', async () => {
  const { seen, step } = recorder();
  const log = captureLogger();
  await assert.rejects(runPlan({ op: 'test', containerId: 'c', steps: [step('a'), { name: 'reserved' }, step('b'), step('c', 'run'), step('d')], release: [step('r')] }, log.logger), /c broke/);
  assert.deepEqual(seen, ['run a', 'run b', 'run c', 'undo b', 'undo a']);
  const failed = log.lines.find((l) => l['msg'] === 'container operation step failed');
  assert.deepEqual([failed?.['step'], failed?.['op'], failed?.['containerId']], ['c', 'test', 'c']);
});

it('an undo that fails is logged with its step and the other undos still run', async () => {
  const { seen, step } = recorder();
  const log = captureLogger();
  await assert.rejects(runPlan({ op: 'test', containerId: 'c', steps: [step('a'), step('b', 'undo'), step('c', 'run')] }, log.logger), /c broke/);
  assert.deepEqual(seen, ['run a', 'run b', 'run c', 'undo b', 'undo a']);
  const line = log.lines.find((l) => l['msg'] === 'undoing a container operation step failed');
  assert.equal(line?.['level'], 'error');
  assert.equal(line?.['step'], 'b');
  assert.match(String((line?.['err'] as { message: string }).message), /undo of b broke/);
});

it('a release step that fails is logged; the operation stands', async () => {
  const { seen, step } = recorder();
  const log = captureLogger();
  await runPlan({ op: 'test', containerId: 'c', steps: [step('a')], release: [step('r1', 'run'), step('r2')] }, log.logger);
  assert.deepEqual(seen, ['run a', 'run r1', 'run r2']);
  const line = log.lines.find((l) => l['msg'] === 'releasing after a container operation failed');
  assert.equal(line?.['step'], 'r1');
});
