// Percent-encoding exactly as Go's net/url, which Kanto uses for the SAS token (url.QueryEscape) and the
// D2C property bag (url.Values.Encode): only A-Z a-z 0-9 - _ . ~ stay, space becomes '+', every other
// UTF-8 byte is %XX (upper case). Byte-wise, so lone surrogates cannot throw as encodeURIComponent does.

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's `url.Values.Encode`: keys sorted (byte order), `key=value` pairs escaped and joined with '&'. */
export function encodeValues(values: Readonly<Record<string, string | readonly string[]>>): string {
  return Object.keys(values)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .flatMap((key) => {
      const v = values[key]!;
      return (typeof v === 'string' ? [v] : v).map((item) => `${queryEscape(key)}=${queryEscape(item)}`);
    })
    .join('&');
}
