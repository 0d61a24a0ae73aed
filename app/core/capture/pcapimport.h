// SPDX-License-Identifier: MIT
// Captures made by other tools (tcpdump, dumpcap, Wireshark) of a plain ws:// connection,
// opened as a read-only connection rebuilt from the octets (docs/captures.md §5): the file's
// TCP streams listed, one put back in order, and the trace a live session would have recorded
// built from its octets with the session's own frame parser and handshake check.
#pragma once

#include "capture/capturerecords.h"
#include "capture/tcppackets.h"
#include "trace/trace.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace wsi::capture {

// True when the first octets are a classic libpcap file header: magic a1b2c3d4 (microseconds)
// or a1b23c4d (nanoseconds), in either byte order.
[[nodiscard]] bool looksLikePcap(QByteArrayView head);

// One TCP connection of a foreign capture.
struct ImportedStream
{
    TcpStreamSummary summary;
    bool webSocket = false; // the client's first octets are an HTTP GET with Upgrade: websocket
};

// An endpoint as the session's Connected event names its peer: "127.0.0.1:9001" ("::1:9001").
[[nodiscard]] QString endpointText(const TcpEndpoint &endpoint);
// One line of the stream list: "1: 127.0.0.1:41234 → 127.0.0.1:9001, 12 packets, 345 octets
// sent, 678 received, WebSocket".
[[nodiscard]] QString streamDescription(int index, const ImportedStream &stream);

// Progress of a long read: octets done of a total; false stops the read (it is then cancelled).
// Called in the reading thread.
using ImportProgress = std::function<bool(qint64 done, qint64 total)>;

// The TCP streams of a foreign capture (the importer's first pass), in the order of their first
// packet, as Wireshark's tcp.stream numbers them.
struct CaptureStreams
{
    QList<ImportedStream> streams;
    qint64 morePackets = 0; // packets of streams past TcpStreamTracker::kMaxStreams, not listed
    QString damage;         // where damage stopped the reading (empty: the whole file was read)
    QString application;    // the capture's shb_userappl, or the file's format
};
// Nothing, with `error`, when the file is not a pcap or pcapng file (or `progress` stopped it:
// "cancelled").
[[nodiscard]] std::optional<CaptureStreams> listCaptureStreams(const QString &path, QString *error,
                                                               const ImportProgress &progress = {});

struct ImportOptions
{
    // The stream to open, counted from 0 in the order of first appearance in the file (as
    // Wireshark's tcp.stream counts them); unset: the first that looks like WebSocket, else the
    // first.
    std::optional<int> stream;
    Trace::Limits limits; // the trace's budget
    // Both passes on one scale (the listing is the first half); false stops the import.
    ImportProgress progress;
};

struct ImportResult
{
    std::unique_ptr<Trace> trace; // null when nothing could be opened (error says why)
    ConnectionRecord connection;  // url from the Host header and the request target
    QList<ImportedStream> streams;
    int chosen = -1;        // index into streams of the one in the trace
    QStringList warnings;   // damage read up to, octets missing, the other streams, …
    QString error;          // empty when the trace is there
    bool cancelled = false; // the progress callback stopped it
};

// Reads a classic pcap or a pcapng file twice: once to list its TCP streams, once to put the
// chosen one's octets back in order. Memory stays within the trace's budget plus the bound of
// the reassembler (TcpStreamReassembler::kMaxHeldOctets) and one packet.
[[nodiscard]] ImportResult importCapture(const QString &path, const ImportOptions &options = {});

} // namespace wsi::capture
