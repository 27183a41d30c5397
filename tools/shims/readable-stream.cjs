// Stands in for the `readable-stream` package (v4, a copy of Node 18's streams that MQTT.js and bl
// depend on) in Ledge's bundles: Node >= 20 has the same API built in. The package itself offers this
// switch (READABLE_STREAM=disable); here it is made at build time, so ~117 KiB of bundled source is neither
// kept in memory nor evaluated at start-up.
'use strict';
module.exports = require('node:stream');
