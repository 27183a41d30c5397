SUMMARY = "Ledge IoT edge stack - system metrics"
DESCRIPTION = "The Metrics feature: CPU utilisation and load, memory and per-process figures read from \
/proc, reported to the cloud at the frequency it requests (Eclipse Kanto system-metrics compatible)."

LEDGE_APP = "system-metrics"

# Its unit runs as ledge: /etc/ledge/system-metrics.json is root:ledge 0640.
LEDGE_CONFIG_GROUP = "ledge"

inherit ledge-app

SRC_URI += "file://system-metrics/system-metrics.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/system-metrics.json"

RDEPENDS:${PN} += "ledge-common ledge-broker"
