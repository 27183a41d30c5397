SUMMARY = "Ledge IoT edge stack - container management"
DESCRIPTION = "Runs OCI containers on containerd (pull, create, start, stop, restart policies, \
memory limits, logs, bridge networking with port mappings) and models them as Ditto features."

LEDGE_APP = "container-management"

# The bundle, unit and config come from the main layer's files folder.
FILESEXTRAPATHS:prepend := "${THISDIR}/../../../../recipes-ledge/ledge/files:"

inherit ledge-app

SRC_URI += "file://container-management/container-management.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/container-management.json"

RDEPENDS:${PN} += "ledge-common ledge-broker containerd-opencontainers runc-opencontainers cni iptables"
