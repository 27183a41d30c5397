import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerFeatureId, containerIdOfFeature, FeatureDefinitionLists, FeatureDefinitions, FeatureIds } from './features';

describe('feature catalogue (§3.2)', () => {
  it('has the exact definitions', () => {
    assert.deepEqual(FeatureDefinitionLists.containerFactory, ['com.bosch.iot.suite.edge.containers:ContainerFactory:1.3.0']);
    assert.equal(FeatureDefinitions.container, 'com.bosch.iot.suite.edge.containers:Container:1.5.0');
    assert.equal(FeatureDefinitions.softwareUpdatable, 'org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0');
    assert.equal(FeatureDefinitions.metrics, 'com.bosch.iot.suite.edge.metric:Metrics:1.0.0');
    assert.deepEqual(FeatureDefinitionLists.autoUploadable, [
      'com.bosch.iot.suite.manager.upload:AutoUploadable:1.0.0',
      'com.bosch.iot.suite.manager.upload:Uploadable:1.0.0',
    ]);
    assert.equal(FeatureDefinitions.updateManager, 'com.bosch.iot.suite.edge.update:UpdateManager:1.0.0');
    assert.equal(FeatureIds.containerFactory, 'ContainerFactory');
    assert.ok(Object.isFrozen(FeatureDefinitionLists.autoUploadable));
  });

  it('maps container IDs to features and back', () => {
    assert.equal(containerFeatureId('abc'), 'Container:abc');
    assert.equal(containerIdOfFeature('Container:abc'), 'abc');
    assert.equal(containerIdOfFeature('Container:'), undefined);
    assert.equal(containerIdOfFeature('ContainerFactory'), undefined);
  });
});
