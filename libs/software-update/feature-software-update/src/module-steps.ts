// The steps of one module, used by the update engine: download (or take a FILE artifact), check what is
// already on disk, lay out the working directory (extract or move), run the install script and collect
// installed dependencies. Failures become ModuleFailure with Kanto's message (§5.3).
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  artifactTypeOf,
  buildInstalledDependencies,
  FailureMessages,
  parsePrs,
  selectChecksum,
  selectLink,
  type Dependency,
  type OperationStatus,
  type ScriptStatus,
  type SoftwareModuleAction,
} from '@ledge/software-update/model-software-update';
import { DownloadErrorCodes, digestFile } from '@ledge/software-update/data-access-download';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import { defaultExtractLimits, extractArchive } from './archive';
import { scriptFailedError, shuttingDownError, SoftwareUpdateErrorCodes } from './errors';
import { copyFileArtifact, resolveFileArtifact } from './file-artifact';
import { move } from './fs-util';
import { installCommand, runInstallScript } from './install-script';
import type { UpdateEngineOptions } from './engine';
import type { StoredOperation } from './operation-store';

/** A module failure: Kanto's message plus, where known, a status code (script exit code or Ledge error code). */
export class ModuleFailure extends Error {
  constructor(readonly kantoMessage: string, readonly statusCode: string | undefined, readonly detail: unknown) {
    super(kantoMessage);
  }
}

export type Report = (op: StoredOperation, module: SoftwareModuleAction, status: OperationStatus, extra?: { progress?: number; message?: string; statusCode?: string }) => Promise<void>;

export interface ModuleStepsContext {
  readonly o: UpdateEngineOptions;
  readonly log: Logger;
  /** Aborted when the service shuts down. */
  readonly signal: AbortSignal;
  readonly report: Report;
}

export function createModuleSteps(ctx: ModuleStepsContext) {
  const { o, log, signal, report } = ctx;

  async function installedDependencies(): Promise<Record<string, Dependency>> {
    const deps: Dependency[] = [];
    for (const f of (await readdir(o.store.depsDir).catch(() => [] as string[])).filter((n) => n.endsWith('.prs')).sort()) {
      const r = parsePrs(await readFile(join(o.store.depsDir, f), 'utf8'));
      if (r.ok) deps.push(r.dependency);
      else log.warn({ file: f, problem: r.problem }, 'installed dependency file ignored');
    }
    return buildInstalledDependencies(deps);
  }

  async function downloadModule(op: StoredOperation, index: number, module: SoftwareModuleAction, artifactsDir: string, onProgress: (p: number) => Promise<void>): Promise<void> {
    await mkdir(artifactsDir, { recursive: true });
    const total = module.artifacts.reduce((s, a) => s + (a.size ?? 0), 0);
    let done = 0;
    for (const artifact of module.artifacts) {
      const target = join(artifactsDir, artifact.filename);
      const chosen = selectLink(artifact);
      const checksum = selectChecksum(artifact.checksums);
      if (await intact(target, checksum)) {
        done += artifact.size ?? 0;
        continue;
      }
      if (chosen === undefined) throw new ModuleFailure(FailureMessages.download, undefined, 'no supported link');
      if (chosen.protocol === 'FILE') {
        const path = await resolveFileArtifact(chosen.link.url, o.installDirs, o.mode);
        await copyFileArtifact(path, `${target}.copy`);
        if (checksum && (await digestFile(`${target}.copy`, checksum.algorithm)) !== checksum.expected) {
          await rm(`${target}.copy`, { force: true });
          throw new ModuleFailure(FailureMessages.download, DownloadErrorCodes.CHECKSUM_MISMATCH, 'FILE artifact checksum mismatch');
        }
        await move(`${target}.copy`, target);
      } else {
        const r = await o.downloader.download({
          url: chosen.link.url,
          file: target,
          ...(artifact.size !== undefined ? { expectedSize: artifact.size } : {}),
          ...(checksum ? { checksum } : {}),
          signal,
          onProgress: (bytes, size) => void onProgress(total > 0 ? ((done + bytes) / total) * 100 : size ? (bytes / size) * 100 : 0),
        });
        log.info({ operationId: op.id, module: index, file: artifact.filename, bytes: r.bytes, resumedFrom: r.resumedFrom, requests: r.requests }, 'artifact downloaded');
      }
      done += artifact.size ?? 0;
    }
  }

  /**
   * True when a file downloaded earlier is present and still matches its checksum. Downloads are not
   * fsynced (page cache → disk is the kernel's job); after a power cut a renamed artifact may hold
   * garbage, so anything found on disk is verified again before use. A bad copy is removed.
   */
  async function intact(path: string, checksum: ReturnType<typeof selectChecksum>): Promise<boolean> {
    if (!(await access(path).then(() => true, () => false))) return false;
    if (checksum === undefined || (await digestFile(path, checksum.algorithm)) === checksum.expected) return true;
    log.warn({ file: path }, 'stored artifact no longer matches its checksum, downloading it again');
    await rm(path, { force: true });
    return false;
  }

  async function prepareWorkDir(module: SoftwareModuleAction, artifactsDir: string, workDir: string): Promise<void> {
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    if (artifactTypeOf(module, o.artifactType) === 'archive') {
      try {
        await extractArchive(join(artifactsDir, module.artifacts[0]!.filename), workDir, o.extractLimits ?? defaultExtractLimits);
      } catch (err) {
        throw new ModuleFailure(FailureMessages.extract, isLedgeError(err) ? err.code : undefined, err);
      }
    } else {
      for (const a of module.artifacts) await move(join(artifactsDir, a.filename), join(workDir, a.filename));
    }
  }

  /**
   * Where the install command runs (§5.4): the work directory, except that in a plain module an `install.sh`
   * taken from a FILE link runs in its original folder, so it finds the files beside it; its `status` file
   * and `installed-deps` are there too. Kanto does the same unless module metaData `copy-artifacts` (`*`, or
   * file names separated by `,` or `:`) names it.
   */
  async function scriptDir(module: SoftwareModuleAction, workDir: string): Promise<string> {
    if (artifactTypeOf(module, o.artifactType) !== 'plain') return workDir;
    const copy = module.metaData['copy-artifacts'] ?? '';
    const copied = copy === '*' || copy.split(/[,:]/).includes('install.sh');
    const link = module.artifacts.filter((a) => a.filename === 'install.sh').map(selectLink).find((l) => l?.protocol === 'FILE');
    if (link === undefined || copied) return workDir;
    try {
      return dirname(await resolveFileArtifact(link.link.url, o.installDirs, o.mode));
    } catch (err) {
      throw new ModuleFailure(FailureMessages.execute, isLedgeError(err) ? err.code : undefined, err);
    }
  }

  async function installModule(op: StoredOperation, index: number, module: SoftwareModuleAction, workDir: string): Promise<ScriptStatus> {
    const command = installCommand(o.install);
    const cwd = await scriptDir(module, workDir);
    if (o.install.length === 0 && !(await access(join(cwd, 'install.sh')).then(() => true, () => false))) {
      throw new ModuleFailure(FailureMessages.execute, undefined, scriptFailedError('not found: the module has no install.sh'));
    }
    let publishing = Promise.resolve();
    const result = await runInstallScript({
      cwd,
      command,
      timeoutMs: o.installTimeoutMs,
      ...(o.installKillGraceMs !== undefined ? { killGraceMs: o.installKillGraceMs } : {}),
      signal,
      logger: log.child({ operationId: op.id, module: index }),
      env: { LEDGE_SU_CORRELATION_ID: op.action.correlationId, LEDGE_SU_MODULE_NAME: module.softwareModule.name, LEDGE_SU_MODULE_VERSION: module.softwareModule.version },
      onStatus: (s) => {
        publishing = publishing.then(() => report(op, module, 'INSTALLING', { progress: s.progress ?? 0, ...(s.message ? { message: s.message } : {}), ...(s.statusCode ? { statusCode: s.statusCode } : {}) }));
      },
    });
    await publishing;
    if (signal.aborted) throw shuttingDownError();
    if (result.spawnError) throw new ModuleFailure(FailureMessages.execute, SoftwareUpdateErrorCodes.SCRIPT_FAILED, result.spawnError);
    if (result.timedOut) throw new ModuleFailure(FailureMessages.execute, SoftwareUpdateErrorCodes.SCRIPT_FAILED, scriptFailedError(`timed out after ${o.installTimeoutMs} ms`));
    if (result.exitCode !== 0) {
      const code = result.exitCode === null ? (result.signal ?? 'killed') : String(result.exitCode);
      throw new ModuleFailure(result.status.message ?? FailureMessages.execute, code, scriptFailedError(`exited with ${code}`));
    }
    // installed-deps (§5.4): moved to <storage>/installed-deps, then the property is refreshed.
    const depsName = module.metaData['installed-deps'] ?? 'installed-deps';
    const depsSrc = join(cwd, depsName);
    const files = await readdir(depsSrc).catch(() => undefined);
    if (files !== undefined) {
      try {
        for (const f of files) {
          await rm(join(o.store.depsDir, f), { recursive: true, force: true });
          await move(join(depsSrc, f), join(o.store.depsDir, f));
        }
      } catch (err) {
        throw new ModuleFailure(FailureMessages.saveDeps, undefined, err);
      }
      try {
        await o.sink.installedDependencies(await installedDependencies());
      } catch (err) {
        throw new ModuleFailure(FailureMessages.refreshDeps, undefined, err);
      }
    }
    return result.status;
  }

  return { installedDependencies, downloadModule, intact, prepareWorkDir, installModule };
}
