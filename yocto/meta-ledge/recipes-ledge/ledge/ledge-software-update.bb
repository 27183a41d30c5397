SUMMARY = "Ledge IoT edge stack - software update agent"
DESCRIPTION = "The hawkBit SoftwareUpdatable feature on the gateway thing: resumable, verified downloads \
and install scripts, with operations kept in /var/lib/ledge/software-update across restarts."

LEDGE_APP = "software-update"

inherit ledge-app

SRC_URI += "file://software-update/software-update.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/software-update.json"

# Install scripts are sh scripts; artifacts may be tar.gz or zip (extracted by the agent itself).
RDEPENDS:${PN} += "ledge-common ledge-broker ca-certificates"
