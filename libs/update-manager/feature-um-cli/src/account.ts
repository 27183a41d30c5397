// Which local broker account `ledge um` logs in with (issues 18 and 23, docs/security.md). The broker's
// built-in ACL lets only the update manager's account (`ledge-update-manager`) publish a desired state, a
// command or an owner's consent, so when its settings name no account `ledge um` takes that one: on a
// gateway from the packaged password file (root's: applying a desired state is root's power anyway), under
// `ledge run --dev` (npm start) from the copy kept in the dev directory. What the user set
// (LEDGE_UM_LOCAL_*, /etc/ledge/um.json, local-bus.json, LEDGE_LOCAL_BUS_*) always wins.
import { readFileSync } from 'node:fs';
import { UPDATE_MANAGER_USER } from '@ledge/shared/model-update';
import { ConfigError, devSecretsDir, localPasswordFileOf, type LocalBusSettings } from '@ledge/shared/util';

export type AccountSource = 'configured' | 'packaged' | 'dev' | 'none';

export interface AccountChoice {
  readonly settings: LocalBusSettings;
  /** configured: the settings' own; packaged, dev: the update manager's from that file; none: anonymous. */
  readonly source: AccountSource;
  /** The password files looked at in vain, each with why (`… (EACCES)`), for the messages. */
  readonly unread: readonly string[];
}

export interface AccountOptions {
  /** --dev-dir or LEDGE_DEV_DIR, with the name the user gave it by: its file must be readable. */
  readonly devDir?: { readonly dir: string; readonly by: string };
  /** The dev directory looked in when none is given (`ledge run --dev`'s default, .ledge-dev). */
  readonly defaultDevDir: string;
  /** The update manager's packaged password file (/etc/ledge/secrets/update-manager.password). */
  readonly packagedPasswordFile: string;
  /** Why a file cannot be read (an errno code), undefined when it can. */
  readonly unreadable?: (path: string) => string | undefined;
}

const APP = 'update-manager';

function whyUnreadable(path: string): string | undefined {
  try {
    readFileSync(path);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

/** The settings `ledge um` connects with; a ConfigError when the dev directory named has no account. */
export function chooseAccount(settings: LocalBusSettings, o: AccountOptions): AccountChoice {
  const { localUsername, localPassword, localPasswordFile } = settings;
  if (localUsername !== '') return { settings, source: 'configured', unread: [] };
  // A password alone is the update manager's: without a user name the client would not send it.
  if (localPassword !== '' || localPasswordFile !== '') return { settings: { ...settings, localUsername: UPDATE_MANAGER_USER }, source: 'configured', unread: [] };
  const unreadable = o.unreadable ?? whyUnreadable;
  const as = (file: string, source: AccountSource, unread: string[]): AccountChoice => ({ settings: { ...settings, localUsername: UPDATE_MANAGER_USER, localPasswordFile: file }, source, unread });
  if (o.devDir !== undefined) {
    const file = localPasswordFileOf(APP, devSecretsDir(o.devDir.dir));
    const why = unreadable(file);
    if (why !== undefined) {
      throw new ConfigError(`${o.devDir.by} ${o.devDir.dir}: cannot read ${file} (${why}); \`ledge run --dev --dev-dir ${o.devDir.dir}\` writes it when it starts (none with ledgeAcl off and anonymous clients allowed: then leave out ${o.devDir.by})`);
    }
    return as(file, 'dev', []);
  }
  const unread: string[] = [];
  for (const [file, source] of [
    [o.packagedPasswordFile, 'packaged'],
    [localPasswordFileOf(APP, devSecretsDir(o.defaultDevDir)), 'dev'],
  ] as const) {
    const why = unreadable(file);
    if (why === undefined) return as(file, source, unread);
    unread.push(`${file} (${why})`);
  }
  return { settings, source: 'none', unread };
}

/**
 * Why the broker may have dropped what `ledge um` published (MQTT 3.1.1 has no negative PUBACK: a denied
 * publish is acknowledged and dropped), or undefined when it logged in as the update manager.
 */
export function dropCause(choice: AccountChoice): string | undefined {
  const user = choice.settings.localUsername;
  if (choice.source === 'none') {
    return (
      `ledge um has no account (no local user name is set, and it cannot read ${choice.unread.join(' nor ')}), and Ledge's broker drops a desired state or a consent ` +
      `from anyone but ${UPDATE_MANAGER_USER} (its built-in ACL, docs/security.md): run it as root (sudo ledge um …), or set LEDGE_UM_LOCAL_USERNAME and LEDGE_UM_LOCAL_PASSWORD_FILE, or give --dev-dir under \`ledge run --dev\``
    );
  }
  if (user !== UPDATE_MANAGER_USER) return `ledge um logs in as ${user}, and Ledge's broker takes a desired state or a consent from ${UPDATE_MANAGER_USER} alone (its built-in ACL, docs/security.md; LEDGE_UM_LOCAL_USERNAME)`;
  return undefined;
}
