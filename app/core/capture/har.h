// SPDX-License-Identifier: MIT
#pragma once

#include "capture/capturerecords.h"
#include "trace/trace.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QIODevice;

// A connection as an HTTP Archive (HAR 1.2) with the WebSocket messages the way Chrome's DevTools
// export them (`_webSocketMessages`), and HAR files saved by Chrome and Firefox read back as
// read-only connections (docs/captures.md §6).
namespace wsi::capture {

// What the export says beyond the trace.
struct HarInfo
{
    QString creatorVersion; // log.creator.version: the program's version ("0.4.0")
    QString pageTitle;      // when set, one log.pages entry with this title
    QString comment;        // when set, log.comment
};

// The export's limits (docs/captures.md §6.1): the payload octets of all messages together,
// base64 and JSON escapes included, so that the file stays below what readHar() accepts.
inline constexpr qint64 kHarMaxExportPayload = 128ll * 1024 * 1024;

// Writes the trace as a HAR 1.2 log with one entry: the opening handshake as request and
// response, the text and binary messages in `_webSocketMessages`. False with `error` when the
// device fails or the messages are larger than kHarMaxExportPayload. `warnings` (optional): what
// the file cannot show (a message whose octets the trace did not keep, one without its FIN).
bool writeHar(QIODevice &device, const Trace &trace, const HarInfo &info, QString *error,
              QStringList *warnings = nullptr);
// writeHar() to a file, atomically (a temporary file renamed over `path`).
bool saveHar(const QString &path, const Trace &trace, const HarInfo &info, QString *error,
             QStringList *warnings = nullptr);

// The reader's limits (docs/captures.md §6.3).
inline constexpr qint64 kHarMaxFileSize = 256ll * 1024 * 1024;
inline constexpr qint64 kHarMaxEntries = 100'000;
inline constexpr qint64 kHarMaxMessagesPerEntry = 1'000'000;

// One WebSocket entry of a HAR file, as a read-only connection.
struct HarConnection
{
    int entryIndex = 0; // its index in log.entries
    ConnectionRecord connection;
    std::unique_ptr<Trace> trace;
};

struct HarImport
{
    std::vector<HarConnection> connections;
    QStringList warnings; // entries or messages left out, each named by entry and message index
    QString error;        // empty when the file was read; then there is at least one connection
    qint64 entryCount = 0;
};

// Reads a HAR file's WebSocket entries: those Chrome marks with `_resourceType` "websocket", and
// any other entry with a ws:// or wss:// URL, a 101 response or `_webSocketMessages`.
[[nodiscard]] HarImport readHar(QByteArrayView contents);
// readHar() of a file, refused by its size before it is read.
[[nodiscard]] HarImport loadHar(const QString &path);

} // namespace wsi::capture
