# With meta-virtualization present, the packagegroup also installs container management.
RDEPENDS:${PN} += "ledge-container-management"
