// SPDX-License-Identifier: MIT
// libFuzzer target for the permessage-deflate inflater and the negotiation.
//
// Input layout: octet 0 chooses the window bits (8..15), context takeover and the size limit;
// octet 1 where the input is split; the rest is cut into messages at every 0xF7 0x7F pair (so a
// corpus can hold several messages of a connection). Besides "no crash, no leak, no UB" it checks
// the inflater's promises: a message never inflates past the limit, and the octets give the same
// output and the same verdict however they are split; the send modes take any payload. The same
// input, read as two HTTP heads cut at its first NUL, goes through negotiateDeflate().
#include "protocol/permessagedeflate.h"

#include <QByteArray>
#include <QList>

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
    std::fprintf(stderr, "fuzz_inflate: %s\n", what);
    std::abort();
}

struct Result
{
    QList<QByteArray> outputs;
    QList<Inflater::Status> statuses;
    QList<qint64> errorOffsets;
};

// Every message fed in two pieces cut at `split` (0..255 of its length).
Result inflateAll(const QList<QByteArray> &messages, int bits, bool noTakeover, qint64 limit,
                  int split)
{
    Result r;
    Inflater inflater(bits, noTakeover, limit);
    for (const QByteArray &m : messages) {
        QByteArray out;
        const qsizetype cut = m.size() * split / 255;
        inflater.feed(QByteArrayView(m).first(cut), out);
        require(out.size() <= limit, "output past the limit after a feed");
        inflater.feed(QByteArrayView(m).sliced(cut), out);
        const Inflater::Status status = inflater.finishMessage(out);
        require(out.size() <= limit, "output past the limit");
        require(inflater.messageOutput() == out.size(), "messageOutput differs from the output");
        require(inflater.messageInput() == m.size(), "messageInput differs from the input");
        require(status != Inflater::Status::Ok || inflater.errorText().isEmpty(),
                "an error text without an error");
        require(status == Inflater::Status::Ok || !inflater.errorText().isEmpty(),
                "an error without a text");
        r.outputs << out;
        r.statuses << status;
        r.errorOffsets << inflater.errorOffset();
    }
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const qint64 limits[] = {0, 1, 100, 64 * 1024};
    const int bits = 8 + (data[0] & 0x7);
    const bool noTakeover = (data[0] & 0x8) != 0;
    const qint64 limit = limits[(data[0] >> 4) & 0x3];
    const QByteArray rest(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    QList<QByteArray> messages;
    qsizetype start = 0;
    for (;;) {
        const qsizetype mark = rest.indexOf("\xf7\x7f", start);
        messages << rest.mid(start, mark < 0 ? -1 : mark - start);
        if (mark < 0)
            break;
        start = mark + 2;
    }

    const Result whole = inflateAll(messages, bits, noTakeover, limit, 255);
    const Result split = inflateAll(messages, bits, noTakeover, limit, data[1]);
    require(whole.outputs == split.outputs, "output depends on the split");
    require(whole.statuses == split.statuses, "status depends on the split");
    require(whole.errorOffsets == split.errorOffsets, "error offset depends on the split");

    // What we compress inflates back, whatever the octets.
    Deflater deflater(bits, noTakeover);
    Inflater inflater(bits, noTakeover, qint64(1) << 30);
    for (const QByteArray &m : messages) {
        QByteArray out;
        inflater.feed(deflater.compressMessage(m), out);
        require(inflater.finishMessage(out) == Inflater::Status::Ok,
                "our deflate does not inflate");
        require(out == m, "round trip differs");
    }

    // Every send mode on any payload: no crash, and the connection's deflater stays usable.
    DeflateAgreement agreement;
    agreement.agreed = true;
    agreement.clientWindowBits = bits;
    agreement.clientNoContextTakeover = noTakeover;
    Deflater sender(bits, noTakeover);
    Inflater receiver(bits, noTakeover, qint64(1) << 30);
    for (DeflateSend mode : deflateSendModes()) {
        const QByteArray wire = deflateForSend(sender, mode, messages.first(), agreement);
        require(mode == DeflateSend::Agreed || !wire.isEmpty() || messages.first().isEmpty(),
                "a send mode wrote nothing");
    }
    if (noTakeover) {
        QByteArray out;
        receiver.feed(deflateForSend(sender, DeflateSend::Agreed, messages.last(), agreement), out);
        require(receiver.finishMessage(out) == Inflater::Status::Ok && out == messages.last(),
                "Agreed after the other modes does not inflate");
    }

    // The negotiation: any two heads, no crash, a failure or an agreement in range.
    const qsizetype nul = rest.indexOf('\0');
    const QByteArrayView request = QByteArrayView(rest).first(nul < 0 ? 0 : nul);
    const QByteArrayView response = QByteArrayView(rest).sliced(nul < 0 ? 0 : nul + 1);
    const DeflateNegotiation n = negotiateDeflate(request, response);
    if (n.agreement.agreed) {
        require(n.ok(), "agreed and failed");
        require(n.agreement.serverWindowBits >= 8 && n.agreement.serverWindowBits <= 15,
                "server window out of range");
        require(n.agreement.clientWindowBits >= 8 && n.agreement.clientWindowBits <= 15,
                "client window out of range");
    }
    QString error;
    (void)parseExtensionList(response, &error);
    return 0;
}
