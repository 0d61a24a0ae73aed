// SPDX-License-Identifier: MIT
#pragma once

#include "trace/trace.h"

#include <QJsonArray>
#include <QString>

#include <optional>
#include <vector>

namespace wsi {

// The wire-log entry kinds of docs/reports.md §4.1.
enum class WireLogKind : quint8 {
    RxOctets,          // RO  "RX OCTETS"
    TxOctets,          // TO  "TX OCTETS"
    RxFrame,           // RF  "RX FRAME "
    TxFrame,           // TF  "TX FRAME "
    Delay,             // CT  "DELAY %f sec for TAG %s"
    DelayTimeout,      // CTE "DELAY TIMEOUT on TAG %s"
    CloseAfter,        // TI  "CLOSE CONNECTION AFTER %f sec"
    ClosingConnection, // TIE "CLOSING CONNECTION"
    FailAfter,         // KL  "FAIL CONNECTION AFTER %f sec"
    FailingConnection, // KLE "FAILING CONNECTION"
    WireLogMarker,     // WLM "WIRELOG ENABLED/DISABLED"
    TcpDroppedByMe,    // the synthesized last line
    TcpDroppedByPeer,
    // Ours, not the reference's: "STORAGE STOPPED at RX octet N: …" (TraceLimitReached). Only
    // where asked for (a free session's text report, the window); never in Autobahn's JSON or
    // in a case's report, so those stay the reference's.
    StorageStopped,
    // Ours too, under the same condition: "TX FIN (half-close): …" where we shut down our sending
    // side (a HalfClose step). The reference has no half-close; without this line a user sees
    // nothing of our FIN.
    HalfClosed,
    // Ours too, under the same condition: the proxy leg before the server's octets
    // (docs/proxies.md): what we asked the proxy, what it answered, why it failed.
    ProxyRequest,
    ProxyReply,
    ProxyFailed,
};

// The short tag used in Autobahn's JSON ("RO", "TO", "RF", "TF", "CT", …); empty for the TCP line.
[[nodiscard]] QString wireLogTag(WireLogKind kind);
// "RX OCTETS", "TX FRAME", "DELAY", … (report strings).
[[nodiscard]] QString wireLogKindName(WireLogKind kind);

struct WireLogLine
{
    WireLogKind kind;
    quint32 entry; // index into Trace::entries()
};

// The wire-log kind of one trace entry, or nullopt when the entry is not part of the wire log
// (state changes, notes, close bookkeeping). A TcpClosed event maps to TCP DROPPED BY ME when a
// DroppedByMe event precedes it, else BY PEER; none when there was no connection. Zero-length
// octet chunks are not logged. (It looks at one entry: the createWirelog switches of 9.x cases
// are applied by wireLog() and WireLogClassifier only.)
// `storageLine`: our own lines too, as WireLogClassifier(true) classifies them.
[[nodiscard]] std::optional<WireLogKind> wireLogKindOf(const Trace &trace, quint32 entry,
                                                       bool storageLine = false);

// The one wire-log classifier: it reads a trace's entries in order, each once, and keeps what a
// later line depends on (a DroppedByMe before the TcpClosed, the createWirelog switch, the first
// TcpClosed). wireLog() and the window's wire-log model both use it, so they cannot disagree.
// A TcpClosed of a connection that never existed (TcpEnd::NoConnection) prints no TCP line:
// nothing was dropped.
class WireLogClassifier
{
public:
    // `storageLine`: classify the TraceLimitReached event as WireLogKind::StorageStopped, the
    // HalfClosed event as WireLogKind::HalfClosed and the proxy events as the Proxy… kinds (the
    // lines that are ours, not the reference's).
    explicit WireLogClassifier(bool storageLine = false) : m_storageLine(storageLine) {}

    // The kind of entries()[entry], which must follow the previous call's entry.
    [[nodiscard]] std::optional<WireLogKind> next(const Trace &trace, quint32 entry);

private:
    bool m_droppedByMe = false;
    bool m_tcpClosed = false;
    bool m_wireLogOn = true;
    bool m_storageLine = false;
};

// All wire-log lines of a trace, in order. Octets and frames recorded while the case switched the
// wire log off (WireLogEnabled/WireLogSwitched with flag false) are left out, as in the reference.
// `storageLine`: with our own lines, STORAGE STOPPED and TX FIN (see WireLogKind::StorageStopped).
[[nodiscard]] std::vector<WireLogLine> wireLog(const Trace &trace, bool storageLine = false);

// Whether the wire log was switched on when the trace ended (createWirelog: a case's
// WireLogEnabled/WireLogSwitched events; true when it never switched).
[[nodiscard]] bool wireLogEnabledAtEnd(const Trace &trace);

// Hex of octets with the reference client's 60/64 rule ("binLogData", docs/reports.md §4.3): longer
// than 60 octets → the first 64 as hex + " ...". `totalSize` is the real size when `data` was cut.
[[nodiscard]] QString binLogData(const QByteArray &data, qint64 totalSize = -1);
// Text rendering of a payload ("asciiLogData"): the same rule, then strict UTF-8, else "0x" + hex.
[[nodiscard]] QString asciiLogData(const QByteArray &data, qint64 totalSize = -1);

// One line as the text report prints it, without the "NNN " index and without wrapping, e.g.
// "TX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, MASK=6130f52a, PAYLOAD-REPEAT-LEN=None,
// CHOPSIZE=None, SYNC=False". Frame payload text is returned separately by wireLogPayloadText().
[[nodiscard]] QString wireLogText(const Trace &trace, const WireLogLine &line);
// Payload text line(s) of RX/TX FRAME entries (asciiLogData of the payload); empty otherwise or
// when the payload is empty.
[[nodiscard]] QString wireLogPayloadText(const Trace &trace, const WireLogLine &line);
// The Autobahn per-case JSON form of one line, e.g. ["TO", [8, "8882bebe1af6bd56"], false];
// nullopt for the synthesized TCP line (it is not in Autobahn's JSON).
[[nodiscard]] std::optional<QJsonArray> wireLogJson(const Trace &trace, const WireLogLine &line);

} // namespace wsi
