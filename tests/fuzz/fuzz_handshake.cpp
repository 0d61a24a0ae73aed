// SPDX-License-Identifier: MIT
// libFuzzer target for the opening-handshake reader and checker.
//
// Input layout: octet 0 chooses where the stream is split into two feeds, octet 1 the reader's
// head-size limit (so TooLarge is reachable with short inputs), the rest is the server's stream.
// Besides "no crash, no leak, no UB" it checks that the reader's verdict does not depend on the
// split, and that the checker never accepts a head the reader did not complete.
#include "protocol/handshake.h"

#include <QByteArray>
#include <QUrl>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

const wsi::HandshakeOptions &fuzzOptions()
{
    static const wsi::HandshakeOptions options = [] {
        wsi::HandshakeOptions o;
        o.key = "dGhlIHNhbXBsZSBub25jZQ==";
        o.subprotocols = QStringList{QStringLiteral("chat"), QStringLiteral("superchat")};
        o.extensions = QStringList{QStringLiteral("permessage-deflate; client_max_window_bits")};
        return o;
    }();
    return options;
}

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const QByteArray stream(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));
    const qsizetype split = qsizetype(data[0]) * stream.size() / 255;
    const qsizetype maxHeadSize = 1 + qsizetype(data[1]) * 16;

    static const wsi::HandshakeRequest request = wsi::buildHandshakeRequest(
        QUrl(QStringLiteral("ws://example.com/")), fuzzOptions(), QByteArray(16, 'k'));

    wsi::HandshakeResponseReader reader(maxHeadSize);
    wsi::HandshakeResponseReader::Status status = reader.feed(stream.first(split));
    if (status == wsi::HandshakeResponseReader::Status::NeedMore)
        status = reader.feed(stream.sliced(split));
    else
        reader.feed(stream.sliced(split));
    const QByteArray head = reader.head();
    const QByteArray remainder = reader.takeRemainder();

    wsi::HandshakeResponseReader whole(maxHeadSize);
    require(whole.feed(stream) == status);
    require(whole.head() == head);
    require(whole.takeRemainder() == remainder);

    if (status == wsi::HandshakeResponseReader::Status::Complete) {
        require(head.size() <= maxHeadSize && head.endsWith("\r\n\r\n"));
        require(head.size() + remainder.size() == stream.size());
        const wsi::HandshakeResponse response =
            wsi::checkHandshakeResponse(head, request, fuzzOptions());
        if (response.ok()) {
            require(response.statusCode == 101);
            require(response.header("Sec-WebSocket-Accept") == wsi::computeAccept(request.key));
        }
    } else {
        require(head.isEmpty() && remainder.isEmpty());
    }

    // The checker must also survive heads that never ended, and raw requests of any shape.
    const wsi::HandshakeResponse partial =
        wsi::checkHandshakeResponse(stream, request, fuzzOptions());
    require(!partial.ok() || stream.contains("\r\n\r\n"));
    if (!stream.isEmpty()) {
        wsi::HandshakeOptions raw;
        raw.rawRequest = stream;
        const wsi::HandshakeRequest rawRequest = wsi::buildHandshakeRequest(QUrl(), raw, {});
        require(rawRequest.bytes == stream);
        (void)wsi::checkHandshakeResponse(head, rawRequest, raw);
    }
    return 0;
}
