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
# Group of /etc/ledge/<app>.json (root:<group> 0640): the group of the user the app's unit runs as.
LEDGE_CONFIG_GROUP ?= "root"

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
        # 0640: it may hold credentials once edited (cloud, registry, storage keys); the group comes in
        # pkg_postinst below.
        install -m 0640 ${S}/${LEDGE_APP}/${LEDGE_APP}.json ${D}${sysconfdir}/ledge/${LEDGE_APP}.json
    fi
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/${LEDGE_APP}/${LEDGE_APP}.service ${D}${systemd_system_unitdir}/${LEDGE_UNIT}
    sed -i -e 's,/usr/bin/,${bindir}/,g' ${D}${systemd_system_unitdir}/${LEDGE_UNIT}
}

# /etc/ledge/<app>.json is root:${LEDGE_CONFIG_GROUP}, so the app's unit (user ledge) can read it. The group
# ledge is allocated when the image is made (ledge-common's useradd), so its ID is looked up in the
# image's /etc/group ($D at rootfs time), as the Debian postinst does under DPKG_ROOT.
pkg_postinst:${PN}() {
    if [ "${LEDGE_CONFIG_GROUP}" != "root" ] && [ -f $D${sysconfdir}/ledge/${LEDGE_APP}.json ]; then
        gid=$(sed -n 's/^${LEDGE_CONFIG_GROUP}:[^:]*:\([0-9][0-9]*\):.*$/\1/p' $D${sysconfdir}/group)
        [ -n "$gid" ] || { echo "ledge: no group ${LEDGE_CONFIG_GROUP} in $D${sysconfdir}/group" >&2; exit 1; }
        chgrp "$gid" $D${sysconfdir}/ledge/${LEDGE_APP}.json
        chmod 0640 $D${sysconfdir}/ledge/${LEDGE_APP}.json
    fi
}

FILES:${PN} = "${nonarch_libdir}/ledge/${LEDGE_APP} \
               ${bindir}/${LEDGE_BIN} \
               ${sysconfdir}/ledge \
               ${systemd_system_unitdir}/${LEDGE_UNIT}"

SYSTEMD_SERVICE:${PN} = "${LEDGE_UNIT}"
SYSTEMD_AUTO_ENABLE:${PN} ?= "enable"

RDEPENDS:${PN} = "nodejs"
