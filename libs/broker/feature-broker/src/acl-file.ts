// Mosquitto ACL file format (config `aclFile`), translated into the same rules as config `acl`:
//   topic [read|write|readwrite|deny] <topic>    before any `user` line: anonymous clients; after: that user
//   user <name>
//   pattern [read|write|readwrite|deny] <topic>  every client; %c and %u substituted
// `read` = subscribe and receive, `write` = publish, `deny` = neither (deny wins, as in Mosquitto 2).
import type { AclAction, AclPermission, AclRule } from './acl';
import { topicFilterProblem } from '@ledge/shared/model-mqtt';

const ACCESS: Record<string, { permission: AclPermission; action: AclAction }> = {
  read: { permission: 'allow', action: 'subscribe' },
  write: { permission: 'allow', action: 'publish' },
  readwrite: { permission: 'allow', action: 'both' },
  deny: { permission: 'deny', action: 'both' },
};

/** Parses the file text; returns the rules or a message naming the bad line. */
export function parseAclFile(text: string): AclRule[] | string {
  const rules: AclRule[] = [];
  let user: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = `line ${i + 1}`;
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword === 'user') {
      if (rest.length === 0) return `${at}: user needs a name`;
      user = rest.join(' ');
      continue;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') return `${at}: unknown keyword ${JSON.stringify(keyword)}`;
    let access = ACCESS['readwrite']!;
    if (rest.length > 1 && rest[0]! in ACCESS) access = ACCESS[rest.shift()!]!;
    const topic = rest.join(' ');
    const problem = topic === '' ? 'missing topic' : topicFilterProblem(topic.replaceAll('%c', 'c').replaceAll('%u', 'u'));
    if (problem) return `${at}: ${problem}`;
    const rule: AclRule = { ...access, topic };
    if (keyword === 'topic') {
      if (user === undefined) rule.anonymous = true;
      else rule.user = user;
    }
    rules.push(rule);
  }
  return rules;
}
