// QEMU guestfwd helper: QEMU runs this once per guest connection (`guestfwd=...-cmd:node stdio-pipe.mjs
// <host> <port>`) and talks to it over stdin/stdout; it relays the bytes to a TCP service on the host.
import { connect } from 'node:net';

const [host, port] = process.argv.slice(2);
const socket = connect(Number(port), host);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
process.stdin.on('end', () => socket.end());
socket.on('close', () => process.exit(0));
socket.on('error', () => process.exit(1));
