// JSON.parse keeps the last of two equal keys without a word, so a log line with "component" twice
// parses fine and loses a value (issue 16). This walks the text once more and names every key that an
// object holds twice, as a path (`/err/code`). Keys are compared decoded: "a" and "\u0061" are the same.

/** Paths of the keys that occur twice in one object; throws SyntaxError when `text` is not JSON. */
export function duplicateKeys(text: string): string[] {
  JSON.parse(text); // the walk below assumes valid JSON
  const dups: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) dups.push(`${path}/${key}`);
        seen.add(key);
        skipSpace();
        i++; // ':'
        readValue(`${path}/${key}`);
        skipSpace();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        readValue(`${path}/${n}`);
        skipSpace();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++; // number, true, false, null
  };
  readValue('');
  return dups;
}
