// SPDX-License-Identifier: MIT
#pragma once

#include "trace/trace.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>

// The inspector's own records in a capture file: each one the data of a pcapng custom block
// (docs/captures.md §3), encoded as one CBOR item (RFC 8949), so that it says its own length
// and unknown keys from later versions are skipped. Enumerations are written by name, never by
// their number in the code.
namespace wsi::capture {

// The version of the layout docs/captures.md describes. A reader refuses a file of a later
// major version and reads what it knows of a later minor one.
inline constexpr int kFormatMajor = 1;
inline constexpr int kFormatMinor = 0;

// The first record of a capture: what the connection was.
struct ConnectionRecord
{
    int major = kFormatMajor;
    int minor = kFormatMinor;
    QString application;  // "WebSocket Inspector 0.4.0"
    QString url;          // as the user gave it
    QDateTime startedAt;  // UTC; the records' times are nanoseconds since this
    QString peerAddress;  // "127.0.0.1:9001" once known (also in the Connected event)
    QJsonObject scenario; // the connection settings and steps, as a scenario file has them
};

// The connection record of a trace: its URL and start, the program that writes it (QtCore's
// application version: the executables set it from project()), and the scenario if any.
[[nodiscard]] ConnectionRecord connectionRecordOf(const Trace &trace,
                                                  const QJsonObject &scenario = {});

// One chunk's facts the packets cannot show: its place in the stream, its size, SYNC, and
// whether this packet continues the chunk of the packet before (a chunk larger than one IP
// packet is written as several). An option of the chunk's packets.
struct ChunkFacts
{
    qint64 streamOffset = 0;
    qint64 size = 0;
    bool sync = false;
    int part = 0; // 0: the chunk's first packet
};

// A free-form record from the layer that ran the connection (the case's identity and verdict,
// docs/captures.md §3.4): a kind and a JSON object.
struct AnnotationRecord
{
    QString kind; // "case"
    QJsonObject data;
};

using CaptureRecord = std::variant<ConnectionRecord, FrameRecord, TraceEvent, AnnotationRecord>;

[[nodiscard]] QByteArray encode(const ConnectionRecord &record);
[[nodiscard]] QByteArray encode(const FrameRecord &record);
[[nodiscard]] QByteArray encode(const TraceEvent &record);
[[nodiscard]] QByteArray encode(const AnnotationRecord &record);
[[nodiscard]] QByteArray encode(const ChunkFacts &facts);

// Reads one record from a custom block's data (what follows the CBOR item is padding). An
// error names what is wrong; `error` is left empty for a record of a kind this version does not
// know (then nothing is returned and the block is skipped).
[[nodiscard]] std::optional<CaptureRecord> decodeRecord(QByteArrayView data, QString &error);
[[nodiscard]] std::optional<ChunkFacts> decodeChunkFacts(QByteArrayView data, QString &error);

// Names written to files (and read back): "StateChanged", "OPEN", "PeerFin", …
[[nodiscard]] QString eventKindName(TraceEvent::Kind kind);
[[nodiscard]] std::optional<TraceEvent::Kind> eventKindFromName(QStringView name);

} // namespace wsi::capture
