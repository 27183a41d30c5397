// A small, strict reader of BitBake metadata for the layer test (BitBake itself cannot be installed here).
// It accepts the statement forms meta-ledge uses and reports anything else as a parse error, and it
// evaluates plain assignments (=, ?=, ??=, :=, +=, .=, =+, =.) in order, inlining classes on `inherit`,
// so a test can ask what SRC_URI or SYSTEMD_SERVICE:${PN} of a recipe end up as.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface Statement {
  line: number;
  kind: 'assign' | 'inherit' | 'require' | 'function' | 'python' | 'task';
  name?: string;
  op?: string;
  value?: string;
  args?: string[];
}

const ASSIGN = /^(?:export\s+)?([A-Za-z0-9_${}/.+-]+(?::[A-Za-z0-9_${}/.+-]+)*)(\[[A-Za-z0-9_-]+\])?\s*(\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*(.*)$/;

/** Joins continued lines and returns the statements, or throws with file:line of the first bad one. */
export function parse(file: string, text = readFileSync(file, 'utf8')): Statement[] {
  const raw = text.split('\n');
  const out: Statement[] = [];
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let line = raw[i]!;
    const fail = (why: string): never => {
      throw new Error(`${file}:${start}: ${why}: ${line.trim().slice(0, 120)}`);
    };
    if (/^\s*(#|$)/.test(line)) continue;
    // Functions: shell `name() {` or `python name() {` up to a line that is `}`.
    const fn = /^(python\s+)?([A-Za-z0-9_${}:-]*)\s*\(\)\s*\{\s*$/.exec(line);
    if (fn) {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '}') j++;
      if (j >= raw.length) fail('function without a closing } line');
      out.push({ line: start, kind: fn[1] ? 'python' : 'function', name: fn[2] ?? '' });
      i = j;
      continue;
    }
    while (line.endsWith('\\')) {
      if (i + 1 >= raw.length) fail('continuation at end of file');
      line = `${line.slice(0, -1)} ${raw[++i]!.trim()}`;
    }
    const words = line.trim().split(/\s+/);
    if (words[0] === 'inherit') {
      if (words.length < 2) fail('inherit without a class');
      out.push({ line: start, kind: 'inherit', args: words.slice(1) });
      continue;
    }
    if (words[0] === 'require' || words[0] === 'include') {
      out.push({ line: start, kind: 'require', args: words.slice(1) });
      continue;
    }
    if (['addtask', 'deltask', 'addhandler', 'EXPORT_FUNCTIONS'].includes(words[0]!)) {
      out.push({ line: start, kind: 'task', args: words });
      continue;
    }
    const m = ASSIGN.exec(line.trim());
    if (!m) fail('not a BitBake statement');
    const rhs = m![4]!.trim();
    const q = rhs[0];
    if ((q !== '"' && q !== "'") || rhs.length < 2 || rhs[rhs.length - 1] !== q || rhs.slice(1, -1).includes(q)) fail('the value must be one quoted string');
    if ((rhs.match(/\{/g) ?? []).length !== (rhs.match(/\}/g) ?? []).length) fail('unbalanced ${...}');
    out.push({ line: start, kind: 'assign', name: m![1]! + (m![2] ?? ''), op: m![3]!, value: rhs.slice(1, -1) });
  }
  return out;
}

export type Vars = Map<string, string>;

export function expand(value: string, vars: Vars, depth = 0): string {
  if (depth > 20) return value;
  return value.replace(/\$\{([A-Za-z0-9_:-]+)\}/g, (whole, name: string) => {
    const v = vars.get(name);
    return v === undefined ? whole : expand(v, vars, depth + 1);
  });
}

/**
 * Evaluates a recipe: PN/BPN from its file name, classes from the layer's classes/ inlined at `inherit`
 * (other classes are recorded in `inherited` only). Variable names are expanded (RDEPENDS:${PN}).
 */
export function evaluate(recipe: string, layer: string): { vars: Vars; inherited: string[] } {
  const vars: Vars = new Map();
  const pn = basename(recipe).replace(/\.bb(append)?$/, '').split('_')[0]!;
  vars.set('PN', pn);
  vars.set('BPN', pn);
  const inherited: string[] = [];
  const run = (stmts: Statement[]) => {
    for (const s of stmts) {
      if (s.kind === 'inherit') {
        for (const c of s.args!) {
          inherited.push(c);
          const cls = join(layer, 'classes', `${c}.bbclass`);
          if (existsSync(cls)) run(parse(cls));
        }
      } else if (s.kind === 'assign') {
        const name = expand(s.name!, vars);
        const old = vars.get(name);
        const v = s.op === ':=' ? expand(s.value!, vars) : s.value!;
        if (s.op === '=' || s.op === ':=') vars.set(name, v);
        else if (s.op === '?=' || s.op === '??=') {
          if (old === undefined) vars.set(name, v);
        } else if (s.op === '+=') vars.set(name, old ? `${old} ${v}` : v);
        else if (s.op === '=+') vars.set(name, old ? `${v} ${old}` : v);
        else if (s.op === '.=') vars.set(name, `${old ?? ''}${v}`);
        else if (s.op === '=.') vars.set(name, `${v}${old ?? ''}`);
      }
    }
  };
  run(parse(recipe));
  return { vars, inherited };
}

/** The words of a (multi-line) list value such as SRC_URI or RDEPENDS, expanded. */
export function words(vars: Vars, name: string): string[] {
  const v = vars.get(name);
  return v === undefined ? [] : expand(v, vars).split(/\s+/).filter(Boolean);
}
