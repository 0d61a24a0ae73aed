// SPDX-License-Identifier: MIT
#include "capture/pcapng.h"

#include <QIODevice>
#include <QtEndian>

#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsi::pcapng {

namespace {

constexpr qsizetype padded(qsizetype n)
{
    return (n + 3) & ~qsizetype(3);
}

template <typename T>
void put(QByteArray &out, T value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof(T)); // host order
}

void putPadded(QByteArray &out, QByteArrayView data)
{
    out.append(data.data(), data.size());
    out.append(padded(data.size()) - data.size(), '\0');
}

QByteArray encodeOptions(const Options &options)
{
    QByteArray out;
    if (options.isEmpty())
        return out;
    for (const Option &o : options) {
        put<quint16>(out, o.code);
        put<quint16>(out, quint16(o.value.size()));
        putPadded(out, o.value);
    }
    put<quint16>(out, kOptEnd);
    put<quint16>(out, 0);
    return out;
}

} // namespace

std::optional<QByteArray> findOption(const Options &options, quint16 code)
{
    for (const Option &o : options) {
        if (o.code == code)
            return o.value;
    }
    return std::nullopt;
}

std::optional<QByteArray> findCustomOption(const Options &options, quint16 code, quint32 pen)
{
    for (const Option &o : options) {
        if (o.code != code || o.value.size() < 4)
            continue;
        quint32 value = 0; // in the host's order: the reader swapped it
        std::memcpy(&value, o.value.constData(), 4);
        if (value == pen)
            return o.value.mid(4);
    }
    return std::nullopt;
}

// ---- Writer -------------------------------------------------------------------------------------

Option Writer::customOption(quint16 code, quint32 pen, QByteArrayView data)
{
    Option o;
    o.code = code;
    put<quint32>(o.value, pen);
    o.value.append(data.data(), data.size());
    return o;
}

bool Writer::block(quint32 type, QByteArrayView body, const Options &options)
{
    return block(type, body, {}, options);
}

bool Writer::block(quint32 type, QByteArrayView head, QByteArrayView tail, const Options &options)
{
    if (!m_error.isEmpty())
        return false;
    const QByteArray opts = encodeOptions(options);
    const qint64 bodySize = qint64(head.size()) + tail.size();
    const qint64 total = 12 + padded(bodySize) + opts.size();
    if (total > qint64(kMaxBlockSize)) {
        m_error = u"a block of %1 octets is over the format's limit here (%2)"_s.arg(total).arg(
            kMaxBlockSize);
        return false;
    }
    // A large tail (a read's octets) goes to the device from where it is, between the block's
    // head and the rest, instead of being copied into one buffer with them first.
    constexpr qsizetype kWrittenWhereItIs = 16 * 1024;
    const bool apart = tail.size() >= kWrittenWhereItIs;
    QByteArray out;
    out.reserve(qsizetype(apart ? total - tail.size() : total));
    put<quint32>(out, type);
    put<quint32>(out, quint32(total));
    out.append(head.data(), head.size());
    const qsizetype rest = out.size(); // where the tail goes when it is written apart
    if (!apart)
        out.append(tail.data(), tail.size());
    out.append(qsizetype(padded(bodySize) - bodySize), '\0');
    out.append(opts);
    put<quint32>(out, quint32(total));
    const auto write = [this](QByteArrayView part) {
        if (m_device->write(part.data(), part.size()) == part.size())
            return true;
        m_error = m_device->errorString();
        if (m_error.isEmpty())
            m_error = u"the file could not be written"_s;
        return false;
    };
    const bool ok = apart ? write(QByteArrayView(out).first(rest)) && write(tail) &&
                                write(QByteArrayView(out).sliced(rest))
                          : write(out);
    if (!ok)
        return false;
    m_written += total;
    return true;
}

bool Writer::sectionHeader(const Options &options)
{
    QByteArray body;
    put<quint32>(body, kByteOrderMagic);
    put<quint16>(body, 1); // major version
    put<quint16>(body, 0); // minor version
    put<qint64>(body, -1); // section length: not known in advance (the file grows as it runs)
    return block(kSectionHeader, body, options);
}

bool Writer::interfaceDescription(quint16 linkType, quint32 snapLength, const Options &options)
{
    QByteArray body;
    put<quint16>(body, linkType);
    put<quint16>(body, 0);
    put<quint32>(body, snapLength);
    return block(kInterfaceDescription, body, options);
}

bool Writer::enhancedPacket(quint32 interfaceId, quint64 timestamp, QByteArrayView captured,
                            qint64 originalLength, const Options &options)
{
    return enhancedPacket(interfaceId, timestamp, captured, {}, originalLength, options);
}

bool Writer::enhancedPacket(quint32 interfaceId, quint64 timestamp, QByteArrayView head,
                            QByteArrayView tail, qint64 originalLength, const Options &options)
{
    const qint64 captured = qint64(head.size()) + tail.size();
    QByteArray body;
    body.reserve(20 + head.size());
    put<quint32>(body, interfaceId);
    put<quint32>(body, quint32(timestamp >> 32));
    put<quint32>(body, quint32(timestamp));
    put<quint32>(body, quint32(captured));
    put<quint32>(body, quint32(std::clamp<qint64>(originalLength, captured,
                                                  std::numeric_limits<quint32>::max())));
    body.append(head.data(), head.size());
    return block(kEnhancedPacket, body, tail, options);
}

bool Writer::custom(quint32 type, quint32 pen, QByteArrayView data, const Options &options)
{
    QByteArray body;
    body.reserve(4 + padded(data.size()));
    put<quint32>(body, pen);
    putPadded(body, data);
    return block(type, body, options);
}

// ---- Reader -------------------------------------------------------------------------------------

QString blockPlace(int index, qint64 offset)
{
    return u"block %1 (at octet %2)"_s.arg(index + 1).arg(offset);
}

bool Reader::looksLikePcapng(QByteArrayView head)
{
    if (head.size() < 12)
        return false;
    quint32 type = 0;
    quint32 magic = 0;
    std::memcpy(&type, head.data(), 4);
    std::memcpy(&magic, head.data() + 8, 4);
    return type == kSectionHeader && (magic == kByteOrderMagic || qbswap(magic) == kByteOrderMagic);
}

quint32 Reader::u32(const char *p) const
{
    quint32 v = 0;
    std::memcpy(&v, p, 4);
    return m_swap ? qbswap(v) : v;
}

quint16 Reader::u16(const char *p) const
{
    quint16 v = 0;
    std::memcpy(&v, p, 2);
    return m_swap ? qbswap(v) : v;
}

quint64 Reader::u64(const char *p) const
{
    quint64 v = 0;
    std::memcpy(&v, p, 8);
    return m_swap ? qbswap(v) : v;
}

bool Reader::fail(const QString &what)
{
    m_error = what;
    return false;
}

bool Reader::parseOptions(QByteArrayView area, Options &out)
{
    qsizetype at = 0;
    while (at + 4 <= area.size()) {
        const quint16 code = u16(area.data() + at);
        const quint16 length = u16(area.data() + at + 2);
        at += 4;
        if (code == kOptEnd)
            return true;
        if (at + length > area.size())
            return fail(
                u"option %1 of %2 octets runs past the end of its block"_s.arg(code).arg(length));
        Option o;
        o.code = code;
        o.value = area.sliced(at, length).toByteArray();
        // A custom option starts with its enterprise number, in the section's byte order.
        const bool custom = code == 2988 || code == 2989 || code == 19372 || code == 19373;
        if (custom && o.value.size() >= 4) {
            const quint32 pen = u32(o.value.constData());
            std::memcpy(o.value.data(), &pen, 4);
        }
        out.append(std::move(o));
        at += padded(length);
    }
    // No end-of-options marker: allowed when the options fill the block exactly.
    return true;
}

std::optional<qint64> Reader::toNanoseconds(quint32 interfaceId, quint64 ts) const
{
    const quint8 resolution = interfaceId < quint32(m_tsResolution.size())
                                  ? m_tsResolution[qsizetype(interfaceId)]
                                  : quint8(6);
    // if_tsresol: the high bit clear, 10^-n seconds; set, 2^-n seconds.
    constexpr qint64 kMax = std::numeric_limits<qint64>::max();
    const int n = resolution & 0x7f;
    if (resolution & 0x80) {
        if (n > 63)
            return std::nullopt;
        const quint64 whole = n == 0 ? ts : ts >> n;
        const quint64 fraction = n == 0 ? 0 : ts & ((quint64(1) << n) - 1);
        if (whole > quint64(kMax / 1'000'000'000 - 1))
            return std::nullopt;
        // The fraction in nanoseconds: exact enough in a double (below one second).
        const double part = std::ldexp(double(fraction), -n) * 1e9;
        return qint64(whole) * 1'000'000'000 + qint64(part);
    }
    if (n > 18)
        return std::nullopt;
    quint64 scale = 1;
    for (int i = n; i < 9; ++i)
        scale *= 10;
    if (n <= 9) {
        if (ts > quint64(kMax) / scale)
            return std::nullopt;
        return qint64(ts * scale);
    }
    quint64 divide = 1;
    for (int i = 9; i < n; ++i)
        divide *= 10;
    return qint64(ts / divide);
}

std::optional<Block> Reader::next()
{
    if (!m_error.isEmpty() || m_atEnd)
        return std::nullopt;
    const auto where = [this] { return blockPlace(m_index, m_offset); };
    char head[12];
    const qint64 got = m_device->read(head, 8);
    if (got == 0) {
        m_atEnd = true;
        if (!m_inSection)
            fail(u"the file is empty: not a pcapng capture"_s);
        return std::nullopt;
    }
    if (got < 8) {
        fail(where() + u": the file ends inside the block's header (truncated)"_s);
        return std::nullopt;
    }
    quint32 rawType = 0;
    std::memcpy(&rawType, head, 4);
    if (rawType == kSectionHeader) {
        // The byte order is the section header's to say: read its magic first.
        if (m_device->read(head + 8, 4) != 4) {
            fail(where() + u": the file ends inside the section header (truncated)"_s);
            return std::nullopt;
        }
        quint32 magic = 0;
        std::memcpy(&magic, head + 8, 4);
        if (magic == kByteOrderMagic)
            m_swap = false;
        else if (qbswap(magic) == kByteOrderMagic)
            m_swap = true;
        else {
            fail(where() + u": the section header's byte-order magic is wrong"_s);
            return std::nullopt;
        }
        m_inSection = true;
        m_tsResolution.clear();
    } else if (!m_inSection) {
        fail(u"not a pcapng capture: it does not start with a section header block"_s);
        return std::nullopt;
    }
    const quint32 type = u32(head);
    const quint32 total = u32(head + 4);
    if (total < 12 || total % 4 != 0) {
        fail(where() +
             u": the block length %1 is impossible (at least 12, a multiple of 4)"_s.arg(total));
        return std::nullopt;
    }
    if (total > kMaxBlockSize) {
        fail(where() + u": the block length %1 is over the limit of %2 octets"_s.arg(total).arg(
                           kMaxBlockSize));
        return std::nullopt;
    }
    const qsizetype already = rawType == kSectionHeader ? 4 : 0;
    QByteArray rest(qsizetype(total) - 8, Qt::Uninitialized);
    if (already)
        std::memcpy(rest.data(), head + 8, 4);
    const qint64 want = rest.size() - already;
    if (m_device->read(rest.data() + already, want) != want) {
        fail(where() +
             u": the file ends inside the block (truncated; %1 octets expected)"_s.arg(total));
        return std::nullopt;
    }
    if (u32(rest.constData() + rest.size() - 4) != total) {
        fail(where() + u": the trailing block length differs from the leading one"_s);
        return std::nullopt;
    }
    Block b;
    b.type = type;
    b.offset = m_offset;
    b.index = m_index;
    m_offset += total;
    ++m_index;
    const QByteArrayView body(rest.constData(), rest.size() - 4);
    const auto bad = [&](const QString &what) {
        m_error = blockPlace(b.index, b.offset) + u": "_s + what;
        return std::nullopt;
    };
    switch (type) {
    case kSectionHeader: {
        if (body.size() < 16)
            return bad(u"the section header is too short"_s);
        b.majorVersion = u16(body.data() + 4);
        b.minorVersion = u16(body.data() + 6);
        if (b.majorVersion != 1)
            return bad(u"pcapng version %1.%2 is not supported (1.x is)"_s.arg(b.majorVersion)
                           .arg(b.minorVersion));
        if (!parseOptions(body.sliced(16), b.options))
            return bad(m_error);
        break;
    }
    case kInterfaceDescription: {
        if (body.size() < 8)
            return bad(u"the interface description is too short"_s);
        b.linkType = u16(body.data());
        b.snapLength = u32(body.data() + 4);
        if (!parseOptions(body.sliced(8), b.options))
            return bad(m_error);
        quint8 resolution = 6;
        if (const auto r = findOption(b.options, kIfTsResolution); r && r->size() == 1)
            resolution = quint8(r->at(0));
        if (m_tsResolution.size() >= 65536)
            return bad(u"more than 65536 interfaces in one section"_s);
        m_tsResolution.append(resolution);
        break;
    }
    case kEnhancedPacket: {
        if (body.size() < 20)
            return bad(u"the packet block is too short"_s);
        b.interfaceId = u32(body.data());
        if (b.interfaceId >= quint32(m_tsResolution.size()))
            return bad(
                u"the packet names interface %1, which is not described"_s.arg(b.interfaceId));
        const quint64 ts = (quint64(u32(body.data() + 4)) << 32) | u32(body.data() + 8);
        const quint32 captured = u32(body.data() + 12);
        b.originalLength = u32(body.data() + 16);
        if (qint64(captured) > body.size() - 20)
            return bad(u"the captured length %1 runs past the end of the block"_s.arg(captured));
        const std::optional<qint64> ns = toNanoseconds(b.interfaceId, ts);
        if (!ns)
            return bad(u"the timestamp is out of range"_s);
        b.timeNs = *ns;
        b.data = body.sliced(20, captured).toByteArray();
        if (!parseOptions(body.sliced(20 + padded(captured)), b.options))
            return bad(m_error);
        break;
    }
    case kSimplePacket: {
        if (body.size() < 4)
            return bad(u"the simple packet block is too short"_s);
        if (m_tsResolution.isEmpty())
            return bad(u"a packet before any interface description"_s);
        b.originalLength = u32(body.data());
        b.data =
            body.sliced(4, std::min<qsizetype>(body.size() - 4, b.originalLength)).toByteArray();
        break;
    }
    case kCustomCopiable:
    case kCustomNoCopy: {
        if (body.size() < 4)
            return bad(u"the custom block is too short"_s);
        b.pen = u32(body.data());
        // The custom data's length is not written: the writer of a known enterprise number
        // says how its data ends (the inspector's data says its own length, docs/captures.md).
        b.data = body.sliced(4).toByteArray();
        break;
    }
    default:
        b.data = body.toByteArray(); // not understood: the caller skips it
        break;
    }
    return b;
}

} // namespace wsi::pcapng
