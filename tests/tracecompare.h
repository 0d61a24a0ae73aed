// SPDX-License-Identifier: MIT
// Field-by-field comparison of trace records and whole traces, for the tests that read a trace
// back (a capture, a case capture) and check it is the one that ran.
#pragma once

#include "trace/trace.h"

#include <QTest>

namespace wsi::test {

inline void compareChunks(const OctetChunk &a, const OctetChunk &b)
{
    QCOMPARE(a.timeNs, b.timeNs);
    QCOMPARE(a.streamOffset, b.streamOffset);
    QCOMPARE(a.size, b.size);
    QCOMPARE(a.data, b.data);
    QCOMPARE(a.direction, b.direction);
    QCOMPARE(a.sync, b.sync);
}

inline void compareEvents(const TraceEvent &a, const TraceEvent &b)
{
    QCOMPARE(a.timeNs, b.timeNs);
    QCOMPARE(a.kind, b.kind);
    QCOMPARE(a.state, b.state);
    QCOMPARE(a.seconds, b.seconds);
    QCOMPARE(a.code, b.code);
    QCOMPARE(a.reason, b.reason);
    QCOMPARE(a.text, b.text);
    QCOMPARE(a.flag, b.flag);
    QCOMPARE(a.tcpEnd, b.tcpEnd);
    QCOMPARE(a.streamOffset, b.streamOffset);
    if (a.kind == TraceEvent::Kind::TraceLimitReached)
        QCOMPARE(a.direction, b.direction);
    QCOMPARE(bool(a.tls), bool(b.tls));
    if (a.tls) {
        QCOMPARE(a.tls->protocol, b.tls->protocol);
        QCOMPARE(a.tls->cipher, b.tls->cipher);
        QCOMPARE(a.tls->chain, b.tls->chain);
        QCOMPARE(a.tls->certificateErrors, b.tls->certificateErrors);
        QCOMPARE(a.tls->errorsIgnored, b.tls->errorsIgnored);
        QCOMPARE(a.tls->sni, b.tls->sni);
        QCOMPARE(a.tls->alpnOffered, b.tls->alpnOffered);
        QCOMPARE(a.tls->alpn, b.tls->alpn);
        QCOMPARE(a.tls->clientCertificate, b.tls->clientCertificate);
        QCOMPARE(a.tls->versionAsked, b.tls->versionAsked);
    }
}

inline void compareFrames(const FrameRecord &a, const FrameRecord &b)
{
    QCOMPARE(a.timeNs, b.timeNs);
    QCOMPARE(a.streamOffset, b.streamOffset);
    QCOMPARE(a.payloadLength, b.payloadLength);
    QCOMPARE(a.payload, b.payload);
    QCOMPARE(a.maskKey, b.maskKey);
    QCOMPARE(a.violations, b.violations);
    QCOMPARE(a.utf8ErrorOffset, b.utf8ErrorOffset);
    QCOMPARE(a.opcode, b.opcode);
    QCOMPARE(a.rsv, b.rsv);
    QCOMPARE(a.extendedLengthSize, b.extendedLengthSize);
    QCOMPARE(a.direction, b.direction);
    QCOMPARE(a.fin, b.fin);
    QCOMPARE(a.masked, b.masked);
    QCOMPARE(a.hasKey, b.hasKey);
    QCOMPARE(a.payloadTruncated, b.payloadTruncated);
    QCOMPARE(a.incomplete, b.incomplete);
    QCOMPARE(a.payloadDerived, b.payloadDerived);
    QCOMPARE(bool(a.tx), bool(b.tx));
    if (a.tx) {
        QCOMPARE(a.tx->basePayloadLength, b.tx->basePayloadLength);
        QCOMPARE(a.tx->repeatLength, b.tx->repeatLength);
        QCOMPARE(a.tx->declaredLength, b.tx->declaredLength);
        QCOMPARE(a.tx->lengthEncoding, b.tx->lengthEncoding);
        QCOMPARE(a.tx->maskMode, b.tx->maskMode);
        QCOMPARE(a.tx->chopSize, b.tx->chopSize);
        QCOMPARE(a.tx->sync, b.tx->sync);
        QCOMPARE(a.tx->encodedSize, b.tx->encodedSize);
    }
}

// The same records in the same order, field by field, and the same octet counts.
inline void compareTraces(const Trace &back, const Trace &live)
{
    QCOMPARE(back.url(), live.url());
    QCOMPARE(back.startedAt(), live.startedAt());
    QCOMPARE(back.entries().size(), live.entries().size());
    QCOMPARE(back.chunks().size(), live.chunks().size());
    QCOMPARE(back.frames().size(), live.frames().size());
    QCOMPARE(back.events().size(), live.events().size());
    for (size_t i = 0; i < live.entries().size(); ++i) {
        QCOMPARE(back.entries()[i].type, live.entries()[i].type);
        QCOMPARE(back.entries()[i].index, live.entries()[i].index);
    }
    for (size_t i = 0; i < live.chunks().size(); ++i) {
        compareChunks(back.chunks()[i], live.chunks()[i]);
        if (QTest::currentTestFailed())
            return;
    }
    for (size_t i = 0; i < live.frames().size(); ++i) {
        compareFrames(back.frames()[i], live.frames()[i]);
        if (QTest::currentTestFailed())
            return;
    }
    for (size_t i = 0; i < live.events().size(); ++i) {
        compareEvents(back.events()[i], live.events()[i]);
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(back.octetCount(Direction::Tx), live.octetCount(Direction::Tx));
    QCOMPARE(back.octetCount(Direction::Rx), live.octetCount(Direction::Rx));
}

} // namespace wsi::test
