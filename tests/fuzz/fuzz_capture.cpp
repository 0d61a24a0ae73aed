// SPDX-License-Identifier: MIT
// libFuzzer target for the capture reader (docs/captures.md): any file, however damaged or
// hostile, is read to its end or refused with an error naming a block, never a crash, a hang or
// an allocation past the block limit. Octet 0 chooses what is fuzzed: the whole file reader, the
// record decoder alone, the TCP packet parser, or the HAR reader.
#include "capture/capturefile.h"
#include "capture/capturerecords.h"
#include "capture/har.h"
#include "capture/tcppackets.h"

#include <QBuffer>
#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace wsi;

namespace {

void require(bool condition, const char *what)
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_capture: %s\n", what);
    std::abort();
}

void readFile(const QByteArray &data)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    capture::CaptureReader reader(&buffer);
    if (!reader.open()) {
        require(!reader.error().isEmpty(), "refused without a message");
        return;
    }
    Trace trace;
    int batches = 0;
    while (std::optional<TraceBatch> batch = reader.next(64)) {
        require(!batch->isEmpty(), "an empty batch");
        trace.append(std::move(*batch));
        require(++batches <= data.size(), "more batches than octets");
    }
    require(reader.atEnd() || !reader.error().isEmpty(), "stopped without end or error");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        readFile(input);
        break;
    case 1: {
        // A record that decodes encodes to a form that decodes to the same encoding again.
        QString error;
        const std::optional<capture::CaptureRecord> r = capture::decodeRecord(input, error);
        if (!r)
            break;
        const auto encode = [](const auto &record) { return capture::encode(record); };
        const QByteArray once = std::visit(encode, *r);
        const std::optional<capture::CaptureRecord> again = capture::decodeRecord(once, error);
        require(again.has_value(), "a re-encoded record does not decode");
        require(std::visit(encode, *again) == once, "a record changes when re-encoded");
        break;
    }
    case 3: {
        // Every connection it gives has a trace; a refusal says why.
        const capture::HarImport har = capture::readHar(input);
        if (har.error.isEmpty())
            require(!har.connections.empty(), "a HAR read without a connection or an error");
        for (const capture::HarConnection &c : har.connections)
            require(c.trace != nullptr, "a HAR connection without a trace");
        break;
    }
    default: {
        const quint32 linkType = input.isEmpty() ? 1 : quint32(uchar(input[0]));
        QString why;
        const QByteArrayView packet = QByteArrayView(input).sliced(input.isEmpty() ? 0 : 1);
        const std::optional<TcpSegment> segment = parseTcpPacket(linkType, packet, &why);
        if (segment)
            require(segment->payload.size() <= segment->payloadLength, "payload past its length");
        else
            require(!why.isEmpty(), "a packet refused without a reason");
        break;
    }
    }
    return 0;
}
