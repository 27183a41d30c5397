SUMMARY = "Ledge IoT edge stack - local MQTT broker"
DESCRIPTION = "The local MQTT bus every Ledge app talks on (127.0.0.1:1883). Retained messages, \
persistent sessions and queued messages are kept on disk in /var/lib/ledge/broker."

LEDGE_APP = "broker"

# Its unit runs as ledge: /etc/ledge/broker.json is root:ledge 0640.
LEDGE_CONFIG_GROUP = "ledge"

inherit ledge-app

SRC_URI += "file://broker/broker.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/broker.json"

RDEPENDS:${PN} += "ledge-common"
