// Desired-state components → container configs (Kanto's keys), and every bad input refused naming the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultContainerConfig, type ContainerConfig } from '@ledge/container-management/model-containers';
import { componentToConfig } from './component-config';
import { formatDevice, formatMount, formatPort, parsePortForm } from './kanto-forms';

const kv = (pairs: [string, string][]) => pairs.map(([key, value]) => ({ key, value }));
const base = (name: string, image: string) => defaultContainerConfig(name, image);

describe('componentToConfig', () => {
  const ok: [string, { id: string; version?: string; config?: [string, string][] }, (c: ContainerConfig) => void][] = [
    ['image defaults to <id>:<version>', { id: 'influxdb', version: '2.7.1' }, (c) => assert.deepEqual(c, base('influxdb', 'influxdb:2.7.1'))],
    ['image key wins over the version', { id: 'app', version: '1', config: [['image', 'reg.local/app:9']] }, (c) => assert.equal(c.imageRef, 'reg.local/app:9')],
    [
      'repeated keys keep their order',
      { id: 'a', version: '1', config: [['env', 'A=1'], ['env', 'B=2'], ['cmd', '/bin/sh'], ['cmd', '-c'], ['cmd', 'echo hi'], ['host', 'db:10.0.0.2']] },
      (c) => assert.deepEqual([c.env, c.cmd, c.extraHosts], [['A=1', 'B=2'], ['/bin/sh', '-c', 'echo hi'], ['db:10.0.0.2']]),
    ],
    [
      'ports, mounts and devices in Kanto\'s one-line forms',
      { id: 'a', version: '1', config: [['port', '80:8080'], ['port', '127.0.0.1:5000-5010:53/udp'], ['mount', '/data:/var/data'], ['mount', '/x:/y:rshared'], ['device', '/dev/ttyACM0:/dev/ttyUSB0'], ['device', '/dev/i2c-1:/dev/i2c-1:rw']] },
      (c) => {
        assert.deepEqual(c.portMappings, [
          { proto: 'tcp', containerPort: 8080, hostIP: '0.0.0.0', hostPort: 80 },
          { proto: 'udp', containerPort: 53, hostIP: '127.0.0.1', hostPort: 5000, hostPortEnd: 5010 },
        ]);
        assert.deepEqual(c.mountPoints, [{ source: '/data', destination: '/var/data', propagationMode: 'rprivate' }, { source: '/x', destination: '/y', propagationMode: 'rshared' }]);
        assert.deepEqual(c.devices, [{ pathOnHost: '/dev/ttyACM0', pathInContainer: '/dev/ttyUSB0', cgroupPermissions: 'rwm' }, { pathOnHost: '/dev/i2c-1', pathInContainer: '/dev/i2c-1', cgroupPermissions: 'rw' }]);
      },
    ],
    [
      'flags take Go booleans',
      { id: 'a', version: '1', config: [['privileged', 'true'], ['terminal', 'T'], ['interactive', '0'], ['network', 'host']] },
      (c) => assert.deepEqual([c.privileged, c.tty, c.openStdin, c.networkMode], [true, true, false, 'host']),
    ],
    [
      'on-failure with retries and a timeout in seconds or as Kanto reports it',
      { id: 'a', version: '1', config: [['restartPolicy', 'on-failure'], ['restartMaxRetries', '5'], ['restartTimeout', '3m0s']] },
      (c) => assert.deepEqual(c.restartPolicy, { type: 'on-failure', maxRetryCount: 5, retryTimeoutSeconds: 180 }),
    ],
    ['restartPolicy no', { id: 'a', version: '1', config: [['restartPolicy', 'no']] }, (c) => assert.deepEqual(c.restartPolicy, { type: 'no' })],
    [
      'log and memory settings',
      { id: 'a', version: '1', config: [['logDriver', 'json-file'], ['logMaxFiles', '3'], ['logMaxSize', '10M'], ['logPath', '/var/log/a'], ['logMode', 'non-blocking'], ['logMaxBufferSize', '2M'], ['memory', '200M'], ['memoryReservation', '100M'], ['memorySwap', '-1']] },
      (c) => {
        assert.deepEqual(c.log, { type: 'json-file', maxFiles: 3, maxSizeBytes: 10 * 2 ** 20, rootDir: '/var/log/a', mode: 'non-blocking', maxBufferSizeBytes: 2 * 2 ** 20 });
        assert.deepEqual(c.resources, { memoryBytes: 200 * 2 ** 20, memoryReservationBytes: 100 * 2 ** 20, memorySwapBytes: -1 });
      },
    ],
    ['domainName and hostName as the current state reports them', { id: 'a', version: '1', config: [['domainName', 'lab'], ['hostName', 'box']] }, (c) => assert.deepEqual([c.domainName, c.hostName], ['lab', 'box'])],
    [
      'health keys give a check',
      { id: 'a', version: '1', config: [['health.http', '8080/healthz'], ['health.interval', '5s'], ['restartPolicy', 'on-unhealthy']] },
      (c) => {
        assert.deepEqual(c.healthCheck, { kind: 'http', port: 8080, path: '/healthz', intervalMs: 5000, timeoutMs: 5000, retries: 3, startPeriodMs: 0 });
        assert.equal(c.restartPolicy.type, 'on-unhealthy');
      },
    ],
  ];
  for (const [name, component, check] of ok) {
    it(name, () => {
      const r = componentToConfig({ id: component.id, ...(component.version ? { version: component.version } : {}), config: kv(component.config ?? []) }, 'containers');
      assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
      check(r.config);
    });
  }

  // Each bad input is refused with the component and the key in the problem.
  const bad: [string, { id: string; version?: string; config?: [string, string][] }, RegExp][] = [
    ['an unknown key', { id: 'a', version: '1', config: [['imageRef', 'x']] }, /component 'a' \(containers:a\): key 'imageRef': unknown key/],
    ['a state parameter copied from the current state', { id: 'a', version: '1', config: [['status', 'Running']] }, /key 'status': is a fact the current state reports/],
    ['no image and no version', { id: 'a' }, /key 'image': missing/],
    ['a single key twice', { id: 'a', version: '1', config: [['memory', '10M'], ['memory', '20M']] }, /key 'memory': given more than once/],
    ['a bad port', { id: 'a', version: '1', config: [['port', '80']] }, /key 'port': '80' is not \[<host ip>:\]<host port>/],
    ['a port out of range', { id: 'a', version: '1', config: [['port', '80:70000']] }, /key 'port' \(entry 1\): .*65535/],
    ['a bad mount', { id: 'a', version: '1', config: [['mount', '/only']] }, /key 'mount': '\/only' is not <source>:<destination>/],
    ['a bad propagation', { id: 'a', version: '1', config: [['mount', '/a:/b:sideways']] }, /key 'mount' \(entry 1\): unsupported value 'sideways'/],
    ['a bad device permission', { id: 'a', version: '1', config: [['device', '/dev/a:/dev/b:rx']] }, /key 'device' \(entry 1\): must be a combination of r, w, m/],
    ['a bad boolean', { id: 'a', version: '1', config: [['privileged', 'yes']] }, /key 'privileged': 'yes' is not true or false/],
    ['a bad network', { id: 'a', version: '1', config: [['network', 'overlay']] }, /key 'network': unsupported value 'overlay'/],
    ['a bad restart policy', { id: 'a', version: '1', config: [['restartPolicy', 'sometimes']] }, /key 'restartPolicy': unsupported value 'sometimes'/],
    ['retries without on-failure', { id: 'a', version: '1', config: [['restartMaxRetries', '3']] }, /key 'restartMaxRetries': applies to restartPolicy 'on-failure' only/],
    ['a bad retry count', { id: 'a', version: '1', config: [['restartPolicy', 'on-failure'], ['restartMaxRetries', 'many']] }, /key 'restartMaxRetries': 'many' is not a whole number/],
    ['a bad retry timeout', { id: 'a', version: '1', config: [['restartPolicy', 'on-failure'], ['restartTimeout', 'soon']] }, /key 'restartTimeout': 'soon' is not a whole number of seconds/],
    ['a bad memory size', { id: 'a', version: '1', config: [['memory', 'lots']] }, /key 'memory': invalid size 'lots'/],
    ['a memory limit below 3M', { id: 'a', version: '1', config: [['memory', '1M']] }, /key 'memory': invalid size '1M' \(min 3M\)/],
    ['a bad log driver', { id: 'a', version: '1', config: [['logDriver', 'syslog']] }, /key 'logDriver': unsupported value 'syslog'/],
    ['a bad log file count', { id: 'a', version: '1', config: [['logMaxFiles', '0']] }, /key 'logMaxFiles': must be an integer/],
    ['a bad log size', { id: 'a', version: '1', config: [['logMaxSize', 'big']] }, /key 'logMaxSize': invalid size 'big'/],
    ['a bad log mode', { id: 'a', version: '1', config: [['logMode', 'lossy']] }, /key 'logMode': unsupported value 'lossy'/],
    ['a bad health key', { id: 'a', version: '1', config: [['health.tcp', 'http']] }, /component 'a' \(containers:a\): key 'health\.tcp': must be a port/],
    ['on-unhealthy without a check', { id: 'a', version: '1', config: [['restartPolicy', 'on-unhealthy']] }, /key 'restartPolicy': ON_UNHEALTHY needs a health check \(health\.cmd, health\.http or health\.tcp\)/],
    ['a name that is not a container name', { id: 'a b', version: '1' }, /key 'id': 'a b' is not a container name/],
    ['a name the agent keeps for itself', { id: 'app.new', version: '1' }, /key 'id': 'app\.new' ends with \.new or \.old/],
  ];
  for (const [name, component, problem] of bad) {
    it(`refuses ${name}`, () => {
      const r = componentToConfig({ id: component.id, ...(component.version ? { version: component.version } : {}), config: kv(component.config ?? []) }, 'containers');
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.problems.join('\n'), problem);
    });
  }

  it('names every problem of a component at once', () => {
    const r = componentToConfig({ id: 'a', version: '1', config: kv([['memory', 'lots'], ['privileged', 'maybe'], ['colour', 'red']]) }, 'containers');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.problems.length, 2, 'the descriptor is not parsed while the keys themselves are wrong');
    assert.match(r.ok ? '' : r.problems.join('\n'), /key 'colour'.*\n.*key 'privileged'/);
  });
});

describe("Kanto's one-line forms", () => {
  it('format back what they parse', () => {
    assert.equal(formatPort({ proto: 'udp', containerPort: 53, hostIP: '127.0.0.1', hostPort: 5000, hostPortEnd: 5010 }), '127.0.0.1:5000-5010:53/udp');
    assert.equal(formatPort({ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort: 8080 }), '8080:80/tcp');
    assert.equal(formatMount({ source: '/a', destination: '/b', propagationMode: 'rprivate' }), '/a:/b:rprivate');
    assert.equal(formatDevice({ pathOnHost: '/dev/a', pathInContainer: '/dev/b', cgroupPermissions: 'rwm' }), '/dev/a:/dev/b:rwm');
    assert.deepEqual(parsePortForm('8080:80/tcp'), { ok: true, value: { proto: 'tcp', container_port: 80, host_ip: '0.0.0.0', host_port: 8080 } });
  });
});
