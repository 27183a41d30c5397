SUMMARY = "Ledge IoT edge stack - bootstrapping"
DESCRIPTION = "Obtains the device's provisioning with a bootstrap identity and writes it for the connector \
(Eclipse Kanto suite-bootstrapping compatible); a one-shot service, installed disabled."

LEDGE_APP = "bootstrapping"

# Its unit runs as root: /etc/ledge/bootstrapping.json (it may hold the bootstrap password) is root:root 0640.
LEDGE_CONFIG_GROUP = "root"

inherit ledge-app

# Installed disabled: enabled on gateways provisioned this way (it runs only without /etc/ledge/provisioning.json).
SYSTEMD_AUTO_ENABLE:${PN} = "disable"

SRC_URI += "file://bootstrapping/bootstrapping.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/bootstrapping.json"

RDEPENDS:${PN} += "ledge-common ca-certificates"
