SUMMARY = "Ledge IoT edge stack - command-line tool and common files"
DESCRIPTION = "The ledge command (ledge run hosts every Ledge app in one Node.js process), the ledge \
system user and the all-in-one unit ledge.service, installed disabled: it conflicts with the per-app units."

LEDGE_APP = "ledge"
LEDGE_BIN = "ledge"
LEDGE_UNIT = "ledge.service"

inherit ledge-app useradd

# The all-in-one unit is for gateways that run only ledge-common (README.md "All-in-one").
SYSTEMD_AUTO_ENABLE:${PN} = "disable"

USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system ledge"
USERADD_PARAM:${PN} = "--system --gid ledge --home-dir /var/lib/ledge --no-create-home --shell /sbin/nologin ledge"
