SUMMARY = "Ledge IoT edge stack - update manager"
DESCRIPTION = "Eclipse Kanto's update manager (wire-compatible): applies a desired state across the update \
agents on the local bus, for the cloud (the UpdateManager feature) and for local tools, and reports the \
device's current state."

LEDGE_APP = "update-manager"

inherit ledge-app

SRC_URI += "file://update-manager/update-manager.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/update-manager.json"

# Its unit runs as root (for the reboot after an update that needs one; see the unit): systemctl is
# systemd's, which the unit needs anyway.
RDEPENDS:${PN} += "ledge-common ledge-broker"
