// Test-only MQTT 3.1.1 client run inside the QEMU guest, under any local user (`runuser -u nobody -- node
// mqtt-publish.mjs <base64 JSON>`): the guest image has Node.js but no MQTT client, and what matters is
// who the broker sees (a local process of an unprivileged user on 127.0.0.1). One connection: CONNECT,
// then an optional QoS 1 PUBLISH and its PUBACK, then DISCONNECT. Prints one JSON line:
//   {"connack": <return code>, "puback": true|false}
// Options (JSON): host, port, clientId, username?, password?, passwordFile?, topic?, payload? (base64),
// retain?, timeoutMs?. Written into the guest by scenarios/no-root-through-the-bus.ts; no package ships it.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const o = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8'));

const str = (s) => {
  const b = Buffer.from(s, 'utf8');
  const n = Buffer.alloc(2);
  n.writeUInt16BE(b.length);
  return Buffer.concat([n, b]);
};
const remaining = (n) => {
  const out = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return Buffer.from(out);
};
const packet = (first, body) => Buffer.concat([Buffer.from([first]), remaining(body.length), body]);

const password = o.passwordFile ? readFileSync(o.passwordFile, 'utf8').split(/\r?\n/)[0] : o.password;
let flags = 0x02; // clean session [MQTT-3.1.2-6]
const fields = [str(o.clientId)];
if (o.username !== undefined) {
  flags |= 0x80;
  fields.push(str(o.username));
}
if (password !== undefined) {
  flags |= 0x40;
  fields.push(str(password));
}
const result = { connack: -1, puback: false };
const done = (code) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(code);
};
const timer = setTimeout(() => done(3), o.timeoutMs ?? 15_000);
timer.unref();

const socket = connect({ host: o.host ?? '127.0.0.1', port: o.port ?? 1883 }, () => {
  socket.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 30]), ...fields])));
});
let buf = Buffer.alloc(0);
socket.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 2) {
    let len = 0;
    let mul = 1;
    let i = 1;
    for (; i < buf.length; i++) {
      len += (buf[i] & 0x7f) * mul;
      mul *= 128;
      if ((buf[i] & 0x80) === 0) break;
    }
    if (i >= buf.length || buf.length < i + 1 + len) return;
    const type = buf[0] >> 4;
    const body = buf.subarray(i + 1, i + 1 + len);
    buf = buf.subarray(i + 1 + len);
    if (type === 2) {
      result.connack = body[1];
      if (result.connack !== 0 || !o.topic) {
        socket.end(packet(0xe0, Buffer.alloc(0)));
        return done(0);
      }
      const id = Buffer.from([0, 1]);
      const payload = Buffer.from(o.payload ?? '', 'base64');
      socket.write(packet(0x32 | (o.retain ? 1 : 0), Buffer.concat([str(o.topic), id, payload])));
    } else if (type === 4) {
      result.puback = true;
      socket.end(packet(0xe0, Buffer.alloc(0)));
      return done(0);
    }
  }
});
socket.on('error', () => done(2));
// A refused CONNECT is answered and then closed; a close before CONNACK is a refusal without a code.
socket.on('close', () => done(result.connack === 0 || result.connack > 0 ? 0 : 2));
