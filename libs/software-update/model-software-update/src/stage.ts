// Per-module progress kept on disk (§5.5 `internal-status`): the last stage reached, so a restart jumps
// back in at the right place. A finished module holds `<name>:<version>`.

export type ModuleStage = 'STARTED' | 'DOWNLOADING' | 'DOWNLOADED' | 'INSTALLING' | 'FINISHED';

export function parseStage(text: string): ModuleStage {
  const t = text.trim();
  if (t === 'STARTED' || t === 'DOWNLOADING' || t === 'DOWNLOADED' || t === 'INSTALLING') return t;
  return t === '' ? 'STARTED' : 'FINISHED';
}

export function stageText(stage: ModuleStage, module: { name: string; version: string }): string {
  return stage === 'FINISHED' ? `${module.name}:${module.version}` : stage;
}

/** What a restart does with a module found at `stage`. */
export type ResumeAction = 'download' | 'install' | 'interrupted-install' | 'skip';

export function resumeActionOf(stage: ModuleStage): ResumeAction {
  switch (stage) {
    case 'STARTED':
    case 'DOWNLOADING':
      return 'download';
    case 'DOWNLOADED':
      return 'install';
    case 'INSTALLING':
      // A half-run install script must never run again silently (issue 5): report it.
      return 'interrupted-install';
    case 'FINISHED':
      return 'skip';
  }
}
