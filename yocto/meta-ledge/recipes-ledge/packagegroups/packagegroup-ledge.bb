SUMMARY = "Ledge IoT edge stack: every app, one systemd unit each"
LICENSE = "EPL-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/EPL-2.0;md5=2dd765ca47a05140be15ebafddbeadfe"

inherit packagegroup

# Container management (meta-virtualization) is appended by
# dynamic-layers/virtualization-layer/recipes-ledge/packagegroups/packagegroup-ledge.bbappend.
RDEPENDS:${PN} = "ledge-common ledge-broker ledge-connector ledge-software-update ledge-file-upload ledge-file-backup ledge-system-metrics ledge-update-manager ledge-bootstrapping"
