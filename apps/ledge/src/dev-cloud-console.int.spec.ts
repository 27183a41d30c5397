// The dev cloud's web console (issue 24, part 2) in a real browser: `ledge run --dev --dev-cloud` as
// `npm start` runs it, a headless Chromium (playwright-core, the distro's /usr/bin/chromium: nothing is
// downloaded) opens `GET /`, and the page alone drives the gateway: it shows the gateway online with its
// features and apps, installs a file chosen in the page (artifact store → SoftwareUpdatable install →
// FINISHED_SUCCESS from the SSE stream), answers an AutoUploadable request so the file lands in the upload
// sink's list, charts Metrics data, and, with containerd, creates a container that comes up RUNNING, shows
// its logs and removes it. A screenshot of each state goes to test-results/console/.
// Against a real Ditto (issue 24, item 3): the page, served by a second dev cloud on another origin, is
// pointed at the gateway's dev cloud (standing in for Ditto: Basic auth `ditto:ditto`, the page's origin in
// its corsOrigins) in its header form; a wrong password shows the 401, the right one the gateway online.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { chromium, type Locator, type Page } from 'playwright-core';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { freePort } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, repoRoot, skipUnlessTools, spawnNode } from '@ledge/shared/util/testing';

const CHROMIUM = '/usr/bin/chromium';
const skip = skipUnlessTools(`${CHROMIUM} (apt-get install chromium)`, !existsSync(CHROMIUM));
const withContainers = containerdAvailable() && registryAvailable();
const skipContainers = skipUnlessTools('containerd, runc, docker-registry, skopeo, umoci as root', !withContainers);
const shots = join(repoRoot, 'test-results', 'console');

/** Waits until the locator's element holds text matching `text` (playwright's auto-waiting). */
const waitText = (l: Locator, text: string | RegExp, timeout = 30_000) => l.filter({ hasText: text }).first().waitFor({ timeout });

/** `ledge run --dev --dev-cloud` with `apps` (default: all the console drives, containers where containerd is) and extra env. */
async function startStack(t: TestContext, options: { apps?: string[]; env?: Record<string, string> } = {}) {
  const dev = createTempDir(t, 'ledge-console-');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = { LEDGE_BROKER_PORT: '0', LEDGE_DEV_CLOUD_HTTP_PORT: String(httpPort), LEDGE_DEV_CLOUD_MQTT_PORT: String(mqttPort), ...options.env };
  const apps = options.apps ?? ['broker', 'connector', 'software-update', 'file-upload', 'system-metrics'];
  let imageRef: string | undefined;
  if (withContainers && options.apps === undefined) {
    const [containerd, registry] = await Promise.all([startContainerd(t), startRegistry(t)]);
    Object.assign(env, { LEDGE_CONTAINER_MANAGEMENT_CONTAINERD_SOCKET: containerd.socket, LEDGE_CONTAINER_MANAGEMENT_NAMESPACE: 'ledge-console', LEDGE_CONTAINER_MANAGEMENT_INSECURE_REGISTRIES: registry.host });
    apps.push('container-management', 'update-manager');
    imageRef = registry.singleRef;
  }
  const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--dev', '--dev-dir', dev, '--dev-cloud', '--apps', apps.join(',')], env });
  await ledge.waitForLog((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('development cloud: '), 30_000);
  return { dev, base: `http://127.0.0.1:${httpPort}`, imageRef };
}

async function openConsole(t: TestContext, base: string): Promise<Page> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  // A failed request shows in the page's log pane; here only the script's own errors count.
  page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text())));
  t.after(async () => {
    if (problems.length > 0 || process.env['LEDGE_CONSOLE_DEBUG']) console.log(await page.getByRole('log').innerText());
  });
  t.after(() => assert.deepEqual(problems, [], 'no script errors in the page'));
  t.after(() => browser.close()); // after hooks run in order: the log pane above is read first
  await page.goto(`${base}/`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

describe('the dev cloud console in a browser', { skip, timeout: 300_000 }, () => {
  it('npm start\'s console: gateway online, install, upload, metrics, containers, desired state — all through the page', async (t) => {
    assert.ok(existsSync(CHROMIUM), `the console test needs ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(shots, { recursive: true });
    const { dev, base, imageRef } = await startStack(t);
    const page = await openConsole(t, base);
    assert.equal(await page.title(), 'Ledge development cloud');

    await t.test('the gateway online with its features and its apps\' health', async () => {
      await waitText(page.getByTestId('gateway-status'), 'online', 60_000);
      const features = page.getByTestId('thing-dev:gateway').getByTestId('feature');
      for (const f of ['SoftwareUpdatable', 'AutoUploadable', 'Logs', 'Metrics', 'Health']) await waitText(features, new RegExp(`^${f}`));
      for (const app of ['broker', 'connector', 'software-update', 'file-upload']) await waitText(page.getByTestId(`health-${app}`), 'up');
      await waitText(page.getByTestId('stream-status'), 'connected');
      await shot(page, '1-online');
    });

    await t.test('a script chosen in the page installs: FINISHED_SUCCESS, and it ran', async () => {
      const script = join(dev, 'console-install.sh');
      writeFileSync(script, `#!/bin/sh\necho installed from the console > ${join(dev, 'installed')}\n`);
      await page.getByLabel('Artifact file').setInputFiles(script);
      await page.getByRole('button', { name: 'Install' }).click();
      await waitText(page.getByTestId('install-status'), 'FINISHED_', 60_000);
      assert.match(await page.getByTestId('install-status').innerText(), /^FINISHED_SUCCESS/);
      assert.equal(readFileSync(join(dev, 'installed'), 'utf8'), 'installed from the console\n');
      await waitText(page.getByRole('log'), /artifact store: \{"name":"console-install\.sh"/);
      await shot(page, '2-installed');
    });

    await t.test('an upload triggered in the page lands in the sink and its link serves the file', async () => {
      const files = join(dev, 'file-upload', 'files');
      mkdirSync(files, { recursive: true });
      const body = `report ${Date.now()}\n`;
      writeFileSync(join(files, 'report.log'), body);
      await page.getByRole('button', { name: 'Trigger upload' }).click();
      await waitText(page.getByTestId('upload-status'), 'SUCCESS', 30_000);
      const link = page.getByTestId('sink').getByRole('link', { name: /report\.log$/ });
      await link.waitFor({ timeout: 10_000 });
      const href = await link.getAttribute('href');
      assert.ok(href);
      const res = await fetch(new URL(href, base));
      assert.equal(await res.text(), body, 'the sink holds the file\'s bytes');
      await shot(page, '3-uploaded');
    });

    await t.test('metrics requested in the page: cpu.utilization charted from the outbox data', async () => {
      await page.getByLabel('Frequency').fill('1s');
      await page.getByRole('button', { name: 'Request metrics' }).click();
      await page.waitForFunction(() => Number(document.getElementById('cpu-value')?.dataset['samples']) >= 2, undefined, { timeout: 15_000 });
      assert.equal(await page.getByTestId('cpu-chart').locator('polyline').count(), 1);
      await page.getByLabel('Frequency').fill('0s');
      await page.getByRole('button', { name: 'Request metrics' }).click();
      await waitText(page.getByRole('log'), /Metrics request: 20\d/);
      await shot(page, '4-metrics');
    });

    await t.test('a container created in the page runs, shows its logs and is removed', { skip: skipContainers }, async () => {
      assert.ok(imageRef, 'containerd and a registry are needed on CI');
      await waitText(page.getByTestId('thing-dev:gateway:edge:containers').getByTestId('feature'), /^ContainerFactory/, 60_000);
      await page.getByLabel('Image reference').fill(imageRef);
      await page.getByLabel('Container name').fill('console-web');
      await page.getByLabel('Command').fill(`/bin/sh -c 'echo hello from the console; trap "exit 0" TERM; while true; do /bin/busybox sleep 1; done'`);
      await page.getByRole('button', { name: 'Create container' }).click();
      const row = page.getByTestId('container-console-web');
      await waitText(row.getByTestId('container-state'), 'RUNNING', 60_000);
      await waitText(page.getByRole('log'), /createWithConfig: 200/);
      await page.getByRole('button', { name: 'Logs of console-web' }).click();
      await waitText(page.getByTestId('container-logs'), 'hello from the console', 15_000);
      await shot(page, '5-container-running');
      await page.getByRole('button', { name: 'Stop console-web' }).click();
      await waitText(row.getByTestId('container-state'), 'STOPPED', 30_000);
      await page.getByRole('button', { name: 'Remove console-web' }).click();
      await row.waitFor({ state: 'detached', timeout: 30_000 });
      await shot(page, '6-container-removed');
    });

    await t.test('a desired state applied in the page runs its container to COMPLETED, lists its actions and the current state; an empty one removes it', { skip: skipContainers }, async () => {
      assert.ok(imageRef, 'containerd and a registry are needed on CI');
      await waitText(page.getByTestId('thing-dev:gateway').getByTestId('feature'), /^UpdateManager/, 60_000);
      const desired = (components: unknown[]) => JSON.stringify({ domains: [{ id: 'containers', components }] }, null, 2);
      const serve = ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do /bin/busybox sleep 1; done'];
      const component = { id: 'console-um', version: '1', config: [{ key: 'image', value: imageRef }, { key: 'network', value: 'host' }, ...serve.map((value) => ({ key: 'cmd', value }))] };
      const box = page.getByRole('textbox', { name: /Desired state/ });
      await box.fill(desired([component]));
      await page.getByRole('button', { name: 'Apply' }).click();
      await waitText(page.getByTestId('um-status'), /^(COMPLETED|INCOMPLETE|IDENTIFICATION_FAILED)/, 60_000);
      assert.match(await page.getByTestId('um-status').innerText(), /^COMPLETED/);
      await waitText(page.getByTestId('um-action'), /containers:console-um/);
      await waitText(page.getByTestId('container-console-um').getByTestId('container-state'), 'RUNNING', 30_000);
      await page.getByRole('button', { name: 'Refresh current state' }).click();
      await waitText(page.getByTestId('um-node'), /containers:console-um/, 30_000);
      await shot(page, '7-desired-state');
      await box.fill(desired([]));
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByTestId('container-console-um').waitFor({ state: 'detached', timeout: 60_000 });
      await waitText(page.getByTestId('um-status'), /^COMPLETED/, 30_000);
    });
  });

  it('the console on another origin drives the gateway through a "real Ditto": base URL and Basic auth in the page, CORS, a 401 shown', async (t) => {
    assert.ok(existsSync(CHROMIUM), `the console test needs ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(shots, { recursive: true });
    // The page's own dev cloud (its artifact store and upload sink), ports 0: started alone, as the README says.
    const pageCloud = spawnNode(t, bundlePath('dev-cloud'), {
      env: { LEDGE_DEV_CLOUD_HTTP_PORT: '0', LEDGE_DEV_CLOUD_MQTT_PORT: '0', LEDGE_DEV_CLOUD_DATA_DIR: createTempDir(t, 'ledge-console-page-') },
    });
    const listening = await pageCloud.waitForLog((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('development cloud: '), 30_000);
    const pageBase = String(listening['http']);
    // The gateway's dev cloud is the "real Ditto": Ditto's docker credentials, and the page's origin allowed.
    const { base: ditto } = await startStack(t, {
      apps: ['broker', 'connector', 'system-metrics'],
      env: { LEDGE_DEV_CLOUD_USERNAME: 'ditto', LEDGE_DEV_CLOUD_PASSWORD: 'ditto', LEDGE_DEV_CLOUD_CORS_ORIGINS: pageBase },
    });
    assert.notEqual(new URL(ditto).origin, new URL(pageBase).origin);
    const page = await openConsole(t, pageBase);
    await waitText(page.getByTestId('stream-status'), 'connected');
    await page.evaluate(() => ((window as unknown as { ledgeSamePage: boolean }).ledgeSamePage = true));
    const connect = async (password: string) => {
      await page.getByLabel('Ditto API base URL').fill(ditto);
      await page.getByLabel('User').fill('ditto');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Connect' }).click();
    };

    await t.test('a wrong password: the 401 in the stream status and the log', async () => {
      await connect('wrong');
      await waitText(page.getByTestId('ditto-target'), `${ditto} as ditto`);
      await waitText(page.getByTestId('stream-status'), /reconnecting \(401/, 15_000);
      await waitText(page.getByRole('log'), /twin stream of .* as ditto: 401/, 15_000);
      assert.equal(await page.getByTestId('gateway-status').getAttribute('data-state'), 'waiting');
      await shot(page, '8-other-ditto-401');
    });

    await t.test('the right password, applied without reloading: the gateway online with its features', async () => {
      await connect('ditto');
      await waitText(page.getByTestId('stream-status'), 'connected', 15_000);
      await waitText(page.getByTestId('gateway-status'), 'online', 60_000);
      const features = page.getByTestId('thing-dev:gateway').getByTestId('feature');
      for (const f of ['Metrics', 'Health']) await waitText(features, new RegExp(`^${f}`));
      await waitText(page.getByTestId('health-connector'), 'up');
      const kept = await page.evaluate(() => ({
        same: (window as unknown as { ledgeSamePage?: boolean }).ledgeSamePage,
        href: location.href,
        local: JSON.stringify(localStorage),
        session: sessionStorage.getItem('ledge-console.ditto'),
      }));
      assert.equal(kept.same, true, 'the page was not reloaded');
      assert.equal(kept.href, `${pageBase}/`, 'nothing in the URL');
      assert.doesNotMatch(kept.local, /ditto/, 'nothing in localStorage');
      assert.deepEqual(JSON.parse(kept.session ?? 'null'), { baseUrl: ditto, username: 'ditto', password: 'ditto' });
      await shot(page, '9-other-ditto-online');
    });

    await t.test('a Metrics request through it is answered 204, and its outbox data streams back', async () => {
      await page.getByLabel('Frequency').fill('1s');
      await page.getByRole('button', { name: 'Request metrics' }).click();
      await waitText(page.getByRole('log'), /Metrics request: 204/, 15_000);
      await page.waitForFunction(() => Number(document.getElementById('cpu-value')?.dataset['samples']) >= 1, undefined, { timeout: 15_000 });
      await page.getByLabel('Frequency').fill('0s');
      await page.getByRole('button', { name: 'Request metrics' }).click();
      await waitText(page.getByRole('log'), /Metrics request: 204[^]*Metrics request: 204/);
    });
  });
});
