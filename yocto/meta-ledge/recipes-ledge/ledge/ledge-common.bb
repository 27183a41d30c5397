SUMMARY = "Ledge IoT edge stack - command-line tool and common files"
DESCRIPTION = "The ledge command (ledge run hosts every Ledge app in one Node.js process), the ledge \
system user, the apps' local broker accounts (ledge-secrets.service) and the all-in-one unit \
ledge.service, installed disabled: it conflicts with the per-app units."

LEDGE_APP = "ledge"
LEDGE_BIN = "ledge"
LEDGE_UNIT = "ledge.service"

inherit ledge-app useradd

# The all-in-one unit is for gateways that run only ledge-common (README.md "All-in-one").
SYSTEMD_AUTO_ENABLE:${PN} = "disable"

USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system ledge"
USERADD_PARAM:${PN} = "--system --gid ledge --home-dir /var/lib/ledge --no-create-home --shell /sbin/nologin ledge"

# The local broker accounts (README.md "Local bus accounts"): made on the gateway at every boot by
# ledge-secrets.service, never at build time (an image's passwords would be every gateway's). The
# script is written by `npm run yocto:sync` from packaging/lib/secrets.mjs, the same code as the Debian
# postinst. The unit is always on: its symlink sits in the vendor multi-user.target.wants (as systemd's
# own always-on units), not in SYSTEMD_SERVICE, whose enablement here is ledge.service's ("disable").
SRC_URI += "file://ledge/ledge-secrets \
            file://ledge-secrets.service"

do_install:append() {
    install -d ${D}${libexecdir}/ledge
    install -m 0755 ${S}/ledge/ledge-secrets ${D}${libexecdir}/ledge/ledge-secrets
    install -m 0644 ${S}/ledge-secrets.service ${D}${systemd_system_unitdir}/ledge-secrets.service
    sed -i -e 's,/usr/libexec/,${libexecdir}/,g' ${D}${systemd_system_unitdir}/ledge-secrets.service
    install -d ${D}${systemd_system_unitdir}/multi-user.target.wants
    ln -sf ../ledge-secrets.service ${D}${systemd_system_unitdir}/multi-user.target.wants/ledge-secrets.service
}

FILES:${PN} += "${libexecdir}/ledge \
                ${systemd_system_unitdir}/ledge-secrets.service \
                ${systemd_system_unitdir}/multi-user.target.wants/ledge-secrets.service"
