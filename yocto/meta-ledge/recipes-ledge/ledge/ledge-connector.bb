SUMMARY = "Ledge IoT edge stack - cloud connector"
DESCRIPTION = "Links the local MQTT bus to the cloud (Eclipse Hono/Ditto, Bosch IoT Suite, AWS IoT \
Core, Azure IoT Hub) with TLS, backoff and a durable outbox in /var/lib/ledge/connector."

LEDGE_APP = "connector"

# Its unit runs as ledge: /etc/ledge/connector.json is root:ledge 0640.
LEDGE_CONFIG_GROUP = "ledge"

inherit ledge-app

SRC_URI += "file://connector/connector.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/connector.json"

# Node's built-in CAs cover the public clouds; ca-certificates serves caCert files of the image.
RDEPENDS:${PN} += "ledge-common ledge-broker ca-certificates"
