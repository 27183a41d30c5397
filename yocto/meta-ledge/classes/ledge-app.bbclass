# ledge-app: installs one Ledge app from the bundle, unit and config that `npm run yocto:sync` copies into
# recipes-ledge/ledge/files/<app>/ (README.md "Where the files come from"). A recipe sets LEDGE_APP and,
# for a config file, adds it to SRC_URI and CONFFILES.

# The Ledge version (package.json); `npm run yocto:sync` updates this line, packaging/yocto-layer.spec.ts
# checks it.
LEDGE_VERSION = "0.1.0"

LICENSE = "EPL-2.0"
# md5 of poky's meta/files/common-licenses/EPL-2.0 (README.md "License checksum").
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/EPL-2.0;md5=2dd765ca47a05140be15ebafddbeadfe"
SECTION = "net"

PV = "${LEDGE_VERSION}"

# Pure JavaScript: one package for every machine.
inherit allarch systemd

LEDGE_APP ?= ""
LEDGE_BIN ?= "ledge-${LEDGE_APP}"
LEDGE_UNIT ?= "ledge-${LEDGE_APP}.service"

SRC_URI = "file://${LEDGE_APP}/main.js \
           file://${LEDGE_APP}/package.json \
           file://${LEDGE_APP}/${LEDGE_APP}.service"

# scarthgap: file:// sources unpack into WORKDIR.
S = "${WORKDIR}"

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${nonarch_libdir}/ledge/${LEDGE_APP} ${D}${bindir}
    install -m 0755 ${S}/${LEDGE_APP}/main.js ${D}${nonarch_libdir}/ledge/${LEDGE_APP}/main.js
    install -m 0644 ${S}/${LEDGE_APP}/package.json ${D}${nonarch_libdir}/ledge/${LEDGE_APP}/package.json
    # The same wrapper as the Debian package: the system's node runs the bundle.
    printf '#!/bin/sh\nexec %s/node %s/ledge/%s/main.js "$@"\n' '${bindir}' '${nonarch_libdir}' '${LEDGE_APP}' > ${D}${bindir}/${LEDGE_BIN}
    chmod 0755 ${D}${bindir}/${LEDGE_BIN}
    if [ -f ${S}/${LEDGE_APP}/${LEDGE_APP}.json ]; then
        install -d ${D}${sysconfdir}/ledge
        install -m 0644 ${S}/${LEDGE_APP}/${LEDGE_APP}.json ${D}${sysconfdir}/ledge/${LEDGE_APP}.json
    fi
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/${LEDGE_APP}/${LEDGE_APP}.service ${D}${systemd_system_unitdir}/${LEDGE_UNIT}
    sed -i -e 's,/usr/bin/,${bindir}/,g' ${D}${systemd_system_unitdir}/${LEDGE_UNIT}
}

FILES:${PN} = "${nonarch_libdir}/ledge/${LEDGE_APP} \
               ${bindir}/${LEDGE_BIN} \
               ${sysconfdir}/ledge \
               ${systemd_system_unitdir}/${LEDGE_UNIT}"

SYSTEMD_SERVICE:${PN} = "${LEDGE_UNIT}"
SYSTEMD_AUTO_ENABLE:${PN} ?= "enable"

RDEPENDS:${PN} = "nodejs"
