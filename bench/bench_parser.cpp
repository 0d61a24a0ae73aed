// SPDX-License-Identifier: MIT
// Frame parser throughput against a memcpy baseline measured in the same run.
//   bench_parser            all measurements, a table and one summary line
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "protocol/handshake.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <cstdio>
#include <cstring>
#include <vector>

using namespace wsi;

namespace {

constexpr qint64 MinNanoseconds = 500'000'000; // each measurement runs at least 0.5 s
constexpr qsizetype ChunkSize = 64 * 1024;     // a generous socket read

// Keeps results observable so the compiler cannot drop the measured work.
volatile quint64 g_sink = 0;

struct Measurement
{
    double seconds = 0;
    qint64 octets = 0;
    qint64 frames = 0;
    [[nodiscard]] double gbPerSecond() const { return double(octets) / seconds / 1e9; }
    [[nodiscard]] double framesPerSecond() const { return double(frames) / seconds; }
};

QByteArray makeFrames(int count, qsizetype payloadSize, int opcode, bool masked)
{
    QByteArray stream;
    for (int i = 0; i < count; ++i) {
        FrameSpec spec;
        spec.opcode = opcode;
        spec.maskMode = masked ? MaskMode::Fixed : MaskMode::None;
        spec.maskKey = 0x9e3779b9u * quint32(i + 1);
        QByteArray payload(payloadSize, Qt::Uninitialized);
        for (qsizetype k = 0; k < payloadSize; ++k)
            payload[k] = char('A' + (k + i) % 26); // ASCII, so text frames are valid UTF-8
        spec.payload = payload;
        stream += encodeFrame(spec);
    }
    return stream;
}

Measurement measureMemcpy(const QByteArray &source)
{
    QByteArray target(source.size(), Qt::Uninitialized);
    Measurement m;
    QElapsedTimer timer;
    timer.start();
    do {
        std::memcpy(target.data(), source.constData(), size_t(source.size()));
        g_sink = g_sink + quint8(target[m.octets % target.size()]);
        m.octets += source.size();
    } while (timer.nsecsElapsed() < MinNanoseconds);
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    return m;
}

Measurement measureParser(const QByteArray &stream, const FrameParser::Options &options)
{
    FrameParser parser(options);
    std::vector<DecodedFrame> out;
    out.reserve(8192);
    Measurement m;
    quint64 check = 0;
    QElapsedTimer timer;
    timer.start();
    do {
        for (qsizetype pos = 0; pos < stream.size(); pos += ChunkSize) {
            const qsizetype size = std::min(ChunkSize, stream.size() - pos);
            parser.feed(stream.constData() + pos, size, out);
            for (const DecodedFrame &f : out)
                check += f.payloadLength + quint8(f.payload.isEmpty() ? 0 : f.payload.back()) +
                         f.violations.toInt();
            m.frames += qint64(out.size());
            out.clear();
        }
        m.octets += stream.size();
    } while (timer.nsecsElapsed() < MinNanoseconds);
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    g_sink = g_sink + check;
    return m;
}

// Octets per second of the handshake reader fed one octet at a time, for a head of `size`
// octets. A reader that rescanned its buffer on every feed would be quadratic: the 4× longer head
// would take 16× as long, and the ratio of the two rates would be near 4 instead of 1.
double handshakeOctetsPerSecond(qsizetype size)
{
    const QByteArray stream = QByteArray(size - 4, 'a') + "\r\n\r\n";
    qint64 octets = 0;
    QElapsedTimer timer;
    timer.start();
    do {
        HandshakeResponseReader reader(size);
        for (qsizetype i = 0; i < stream.size(); ++i) {
            if (reader.feed(stream.sliced(i, 1)) != HandshakeResponseReader::Status::NeedMore)
                break;
        }
        g_sink = g_sink + quint64(reader.head().size());
        octets += stream.size();
    } while (timer.nsecsElapsed() < MinNanoseconds);
    return double(octets) / (double(timer.nsecsElapsed()) / 1e9);
}

} // namespace

int main()
{
    // 32 frames of 1 MiB, masked as a client sends them (parsed in server role: no violation).
    const QByteArray bigMasked = makeFrames(32, 1024 * 1024, 2, true);
    const QByteArray bigMaskedText = makeFrames(32, 1024 * 1024, 1, true);
    // 16-octet unmasked text frames (18 octets each on the wire), ~4 MiB of them.
    const QByteArray small = makeFrames(4 * 1024 * 1024 / 18, 16, 1, false);

    FrameParser::Options server;
    server.serverRole = true;
    const FrameParser::Options client;

    const Measurement copy = measureMemcpy(bigMasked);
    const Measurement masked = measureParser(bigMasked, server);
    const Measurement maskedText = measureParser(bigMaskedText, server);
    const Measurement copySmall = measureMemcpy(small);
    const Measurement tiny = measureParser(small, client);

    std::printf("%-44s %10s %12s %10s\n", "measurement", "GB/s", "Mframes/s", "vs memcpy");
    std::printf("%-44s %10.2f %12s %10s\n", "memcpy 32 MiB (baseline)", copy.gbPerSecond(), "-",
                "1.00");
    std::printf("%-44s %10.2f %12.4f %10.2f\n", "parse 1 MiB masked binary frames, 64 KiB reads",
                masked.gbPerSecond(), masked.framesPerSecond() / 1e6,
                masked.gbPerSecond() / copy.gbPerSecond());
    std::printf("%-44s %10.2f %12.4f %10.2f\n", "parse 1 MiB masked text frames (UTF-8 check)",
                maskedText.gbPerSecond(), maskedText.framesPerSecond() / 1e6,
                maskedText.gbPerSecond() / copy.gbPerSecond());
    std::printf("%-44s %10.2f %12s %10s\n", "memcpy 4 MiB (baseline)", copySmall.gbPerSecond(), "-",
                "1.00");
    std::printf("%-44s %10.2f %12.2f %10.2f\n", "parse 16-octet text frames, 64 KiB reads",
                tiny.gbPerSecond(), tiny.framesPerSecond() / 1e6,
                tiny.gbPerSecond() / copySmall.gbPerSecond());
    const double shortHead = handshakeOctetsPerSecond(64 * 1024);
    const double longHead = handshakeOctetsPerSecond(256 * 1024);
    std::printf("%-44s %10.4f %12s %10.2f\n", "handshake head octet by octet, 64/256 KiB",
                longHead / 1e9, "-", shortHead / longHead);
    std::printf("(checksum %llu)\n", static_cast<unsigned long long>(g_sink));
    std::printf("bench_parser: 1MiB-masked %.2f GB/s (target 2.0), 16B-frames %.1f Mframes/s "
                "(target 10.0), handshake reader 64K/256K rate %.2f (linear: about 1)\n",
                masked.gbPerSecond(), tiny.framesPerSecond() / 1e6, shortHead / longHead);
    return 0;
}
