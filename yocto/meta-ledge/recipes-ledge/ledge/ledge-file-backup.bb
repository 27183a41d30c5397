SUMMARY = "Ledge IoT edge stack - file backup and restore"
DESCRIPTION = "The BackupAndRestore feature: backups of a gateway directory uploaded to HTTP, Amazon S3 \
or Azure Blob storage, and atomic restores (Eclipse Kanto file-backup compatible)."

LEDGE_APP = "file-backup"

# Its unit runs as ledge: /etc/ledge/file-backup.json is root:ledge 0640.
LEDGE_CONFIG_GROUP = "ledge"

inherit ledge-app

SRC_URI += "file://file-backup/file-backup.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/file-backup.json"

RDEPENDS:${PN} += "ledge-common ledge-broker ca-certificates"
