// Glob matching and the path confinement rules of `mode` (§6.1): which files a trigger may select and
// which real paths an upload may read. Pure: the feature does the directory walk and realpath.
import { pathRefusedError } from './errors';

export type UploadMode = 'strict' | 'scoped' | 'lax';

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** `*` and `?` stay within a path segment, `**` spans segments, `[abc]`/`[!a-z]` are classes. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

export function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** The directory part without wildcards (walk root) and the rest; depth = segments below the base (Infinity with `**`). */
export function splitGlob(glob: string): { base: string; rest: string; maxDepth: number } {
  const segs = glob.split('/');
  let i = 0;
  while (i < segs.length - 1 && !hasMagic(segs[i]!)) i++;
  const base = segs.slice(0, i).join('/') || '/';
  const restSegs = segs.slice(i);
  return { base, rest: restSegs.join('/'), maxDepth: restSegs.includes('**') || restSegs.some((s) => s.includes('**')) ? Infinity : restSegs.length };
}

export function matchesGlob(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}

function hasDotDot(p: string): boolean {
  return p.split('/').includes('..');
}

export interface Selection {
  /** Glob to walk for candidate files. */
  readonly select: string;
  /** Globs every selected file's real path must match. */
  readonly confine: readonly string[];
}

/**
 * Applies `mode` to a trigger's `upload.files` override (§6.1): strict — only the configured glob itself;
 * scoped — any glob, but every file must also match the configured one; lax — anything absolute. A
 * `..` segment is refused everywhere (it would let a match leave the glob's directory after realpath).
 */
export function selectionFor(mode: UploadMode, configured: string, requested: string | undefined): Selection {
  if (requested === undefined || requested === '' || requested === configured) return { select: configured, confine: [configured] };
  if (!requested.startsWith('/')) throw pathRefusedError(requested, 'upload.files must be an absolute path or glob');
  if (hasDotDot(requested)) throw pathRefusedError(requested, "'..' is not allowed");
  if (mode === 'strict') throw pathRefusedError(requested, `mode strict allows only the configured glob '${configured}'`);
  if (mode === 'scoped') return { select: requested, confine: [configured] };
  return { select: requested, confine: [requested] };
}

/** Checks a file's resolved real path against the confinement globs (realGlobs: the globs with their base realpath'd). */
export function checkConfined(realPath: string, realGlobs: readonly string[]): void {
  if (hasDotDot(realPath)) throw pathRefusedError(realPath, "'..' is not allowed");
  for (const g of realGlobs) if (!matchesGlob(g, realPath)) throw pathRefusedError(realPath, `outside of '${g}'`);
}
