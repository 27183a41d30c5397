// Bad input never throws (issue 20: every MQTT payload is untrusted): seeded mutants of valid twin
// commands, of the sync's retrieve answer and of desired-state updates go through the model against a
// twin that keeps changing; each call returns an outcome, never an exception, and every write it asks
// for is one the store can take (JSON-encodable). LEDGE_FUZZ_SEED replays a printed seed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseEnvelope } from '@ledge/shared/model-ditto';
import { createRng, fuzzSeed, mutate } from '@ledge/shared/util/testing';
import type { DesiredUpdate } from '@ledge/connector/model-connector';
import { applyDesired, handleLocalTwinCommand, parseRetrieveDesiredResponse, pushCommands, syncMarkWrites } from './index';
import { createMemoryTwins, testTwinContext } from './testing';

const THING = 'org.eclipse.kanto/test';
const THING_ID = 'org.eclipse.kanto:test';
const VALID = [
  { topic: `${THING}/things/twin/commands/modify`, headers: { 'correlation-id': 'c1' }, path: '/features/meter', value: { properties: { value: 1, unit: 'W' }, desiredProperties: { target: 2 } } },
  { topic: `${THING}/things/twin/commands/merge`, headers: { 'content-type': 'application/merge-patch+json' }, path: '/features/meter/properties', value: { value: null, extra: { a: [1, 2] } } },
  { topic: `${THING}/things/twin/commands/modify`, headers: {}, path: '/attributes/location', value: { lat: 1, lon: 2 } },
  { topic: `${THING}/things/twin/commands/delete`, headers: {}, path: '/features/meter/desiredProperties/target' },
  { topic: `${THING}/things/twin/commands/retrieve`, headers: { 'correlation-id': 'r1' }, path: '/', fields: 'features(meter/properties)' },
  { topic: `${THING}:edge:containers/things/twin/commands/create`, headers: {}, path: '/', value: { thingId: `${THING_ID}:edge:containers`, features: { ContainerFactory: { properties: {} } } } },
  { topic: '_/_/things/twin/commands/retrieve', headers: {}, path: '/', value: { thingIds: [THING_ID] } },
];
const ANSWER = { topic: `${THING}/things/twin/commands/retrieve`, headers: { 'correlation-id': 'sync' }, path: '/', status: 200, value: { features: { meter: { desiredProperties: { target: 5 } } } } };
const STRINGS = ['/features/meter', '/features/~1x/properties/~0', '/features//properties', THING, `${THING}/things/twin/commands/modify`, 'modify', 'merge'];

it('twin commands, retrieve answers and desired updates: no throw on mutants, every write storable', () => {
  const seed = fuzzSeed(20);
  const rng = createRng(seed);
  const twins = createMemoryTwins();
  const ctx = testTwinContext({ deviceId: THING_ID });
  const storable = (writes: unknown) => assert.doesNotThrow(() => JSON.stringify(writes), `seed ${seed}: a write is not JSON`);
  for (let i = 0; i < 3000; i++) {
    const valid = VALID[i % VALID.length]!;
    const input = i % 4 === 0 ? valid : mutate(valid, rng, STRINGS);
    const parsed = parseEnvelope(input);
    if (!parsed.ok) continue;
    let outcome: ReturnType<typeof handleLocalTwinCommand> | undefined;
    assert.doesNotThrow(() => (outcome = handleLocalTwinCommand(twins, parsed.envelope, ctx)), `seed ${seed}, case ${i}: ${JSON.stringify(input).slice(0, 300)}`);
    if (outcome?.handled) {
      storable(outcome.writes);
      twins.apply(outcome.writes);
      for (const mark of outcome.forward?.marks ?? []) twins.apply(syncMarkWrites(twins, mark));
    }
    if (i % 10 === 0) {
      const answer = parseEnvelope(mutate(ANSWER, rng, STRINGS));
      if (answer.ok) {
        const r = parseRetrieveDesiredResponse(answer.envelope, THING_ID, twins);
        if (r.ok) assert.doesNotThrow(() => twins.apply(applyDesired(twins, r.desired, ctx).writes), `seed ${seed}, case ${i}`);
      }
      const update = mutate({ thingId: THING_ID, featureId: 'meter', mode: 'merge', value: { target: 1 } }, rng, STRINGS) as DesiredUpdate;
      assert.doesNotThrow(() => storable(applyDesired(twins, [update], ctx).writes), `seed ${seed}, case ${i}: ${JSON.stringify(update).slice(0, 300)}`);
      for (const thingId of twins.thingIds()) assert.doesNotThrow(() => pushCommands(twins, thingId, ctx, { desiredKnown: rng() < 0.5 }), `seed ${seed}, case ${i}`);
    }
  }
});
