// Stands in for the `debug` package in Ledge's bundles. MQTT.js and mqtt-packet call debug() for every
// packet; even switched off each call costs a function call and an `enabled` lookup (~5 % of the
// connector's CPU under load, docs/performance.md). Ledge logs through pino, so in what ships these calls
// do nothing. Code run from the TypeScript sources (the tests, tsx) still gets the real package and
// answers DEBUG=mqttjs*; a bundle ignores DEBUG.
'use strict';
function createDebug(namespace) {
  const debug = () => undefined;
  debug.namespace = String(namespace ?? '');
  debug.enabled = false;
  debug.log = () => undefined;
  debug.destroy = () => undefined;
  debug.extend = (sub) => createDebug(`${debug.namespace}:${sub}`);
  return debug;
}
createDebug.debug = createDebug;
createDebug.default = createDebug;
createDebug.enable = () => undefined;
createDebug.disable = () => '';
createDebug.enabled = () => false;
createDebug.coerce = (v) => v;
createDebug.formatters = {};
module.exports = createDebug;
