// The desired-state file of `ledge um apply`: the desired state itself ({"domains": …}), or, for a file
// copied from elsewhere, an envelope ({"activityId", "payload": <desired state>}) or the UpdateManager
// feature's `apply` value ({"activityId", "desiredState"}). Checked here, field by field, before anything
// is sent: a file that does not parse is a usage error (exit 2) listing every problem.
import { parseDesiredState, type DesiredState } from '@ledge/shared/model-update';
import { isPlainObject } from '@ledge/shared/util-parse';

/** A usage error (exit 2), with the problems of a file when there are some. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface DesiredStateInput {
  readonly desiredState: DesiredState;
  readonly activityId?: string;
}

export async function readDesiredState(file: string, io: { readFile(path: string): string; readStdin(): Promise<string> }): Promise<DesiredStateInput> {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : io.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name} is not JSON (${(err as Error).message})`);
  }
  let at = 'desiredState';
  let activityId: string | undefined;
  if (isPlainObject(v) && v['domains'] === undefined) {
    const inner = v['desiredState'] !== undefined ? 'desiredState' : v['payload'] !== undefined ? 'payload' : undefined;
    if (inner !== undefined) {
      if (typeof v['activityId'] === 'string' && v['activityId'] !== '') activityId = v['activityId'];
      at = inner;
      v = v[inner];
    }
  }
  const r = parseDesiredState(v, at);
  if (!r.ok) throw new UsageError(`${name} is not a valid desired state:`, r.problems);
  return { desiredState: r.desiredState, ...(activityId !== undefined ? { activityId } : {}) };
}
