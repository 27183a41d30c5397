SUMMARY = "Ledge IoT edge stack - file upload agent"
DESCRIPTION = "The AutoUploadable feature: uploads of gateway files to HTTP, Amazon S3 or Azure Blob \
storage on request or periodically, resumed after cuts and restarts."

LEDGE_APP = "file-upload"

# Its unit runs as ledge: /etc/ledge/file-upload.json is root:ledge 0640.
LEDGE_CONFIG_GROUP = "ledge"

inherit ledge-app

SRC_URI += "file://file-upload/file-upload.json"
CONFFILES:${PN} = "${sysconfdir}/ledge/file-upload.json"

RDEPENDS:${PN} += "ledge-common ledge-broker ca-certificates"
