// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

class QIODevice;

// The pcapng block layer (the PCAP Next Generation capture file format, IETF
// draft-ietf-opsawg-pcapng): the blocks a capture file is made of, written and read with no
// knowledge of what they carry. docs/captures.md §2 says which blocks the inspector writes.
namespace wsi::pcapng {

// Block types.
inline constexpr quint32 kSectionHeader = 0x0A0D0D0A;
inline constexpr quint32 kInterfaceDescription = 0x00000001;
inline constexpr quint32 kSimplePacket = 0x00000003;
inline constexpr quint32 kEnhancedPacket = 0x00000006;
inline constexpr quint32 kCustomCopiable = 0x00000BAD;
inline constexpr quint32 kCustomNoCopy = 0x40000BAD; // "not to be copied" by editing tools
inline constexpr quint32 kByteOrderMagic = 0x1A2B3C4D;

// Option codes.
inline constexpr quint16 kOptEnd = 0;
inline constexpr quint16 kOptComment = 1;
inline constexpr quint16 kShbUserApplication = 4;
inline constexpr quint16 kIfName = 2;
inline constexpr quint16 kIfDescription = 3;
inline constexpr quint16 kIfTsResolution = 9;
inline constexpr quint16 kEpbFlags = 2;
inline constexpr quint16 kOptCustomBinaryNoCopy = 19373;

// The private enterprise number RFC 5612 sets aside for examples and documentation; the
// inspector's custom blocks carry it until a number of its own is registered.
inline constexpr quint32 kExamplePen = 32473;

// epb_flags: the direction bits (0–1).
inline constexpr quint32 kEpbInbound = 1;
inline constexpr quint32 kEpbOutbound = 2;

// Readers refuse blocks larger than this (a corrupt length must not become an allocation).
inline constexpr quint32 kMaxBlockSize = 128u * 1024 * 1024;

struct Option
{
    quint16 code = 0;
    QByteArray value;
};
using Options = QList<Option>;

// The first value of an option, if present.
[[nodiscard]] std::optional<QByteArray> findOption(const Options &options, quint16 code);
// A custom option's value (code 2988/2989/19372/19373) for the given enterprise number.
[[nodiscard]] std::optional<QByteArray> findCustomOption(const Options &options, quint16 code,
                                                         quint32 pen);

// Writes blocks in the host's byte order (the format's rule: readers swap as needed).
class Writer
{
public:
    explicit Writer(QIODevice *device) : m_device(device) {}

    bool sectionHeader(const Options &options);
    bool interfaceDescription(quint16 linkType, quint32 snapLength, const Options &options);
    // timestamp in the interface's resolution (the inspector's: nanoseconds since 1970).
    bool enhancedPacket(quint32 interfaceId, quint64 timestamp, QByteArrayView captured,
                        qint64 originalLength, const Options &options);
    // The same with the captured octets in two parts, `head` then `tail` (a packet's headers and
    // the payload where it is kept): a large tail is written from where it is.
    bool enhancedPacket(quint32 interfaceId, quint64 timestamp, QByteArrayView head,
                        QByteArrayView tail, qint64 originalLength, const Options &options);
    bool custom(quint32 type, quint32 pen, QByteArrayView data, const Options &options = {});

    // A custom option (2988/2989/19372/19373): its enterprise number, then the data.
    [[nodiscard]] static Option customOption(quint16 code, quint32 pen, QByteArrayView data);

    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] qint64 written() const { return m_written; }

private:
    bool block(quint32 type, QByteArrayView body, const Options &options);
    // The body is `head` then `tail`.
    bool block(quint32 type, QByteArrayView head, QByteArrayView tail, const Options &options);

    QIODevice *m_device;
    QString m_error;
    qint64 m_written = 0;
};

// One block as read: its type, where it starts, and its body in the host's byte order for the
// fields the reader understands (the packet data and custom data are raw octets).
struct Block
{
    quint32 type = 0;
    qint64 offset = 0; // of the block's first octet in the file
    int index = 0;     // 0-based count of blocks before it
    // Section header
    quint16 majorVersion = 0;
    quint16 minorVersion = 0;
    // Interface description
    quint16 linkType = 0;
    quint32 snapLength = 0;
    // Enhanced and simple packets
    quint32 interfaceId = 0;
    qint64 timeNs = 0; // the timestamp in nanoseconds since 1970, from the interface's resolution
    qint64 originalLength = 0;
    // Packet data, or a custom block's data after its enterprise number
    QByteArray data;
    // Custom blocks
    quint32 pen = 0;
    Options options;
};

// "block 57 (at octet 10244)": how messages name a block (1-based number, file offset).
[[nodiscard]] QString blockPlace(int index, qint64 offset);

// Reads the blocks of a pcapng file one at a time, in order, from any byte order; sections may
// follow one another. A malformed block stops the reading with an error naming the block (its
// number and offset) and what is wrong; what was read before stays good.
class Reader
{
public:
    explicit Reader(QIODevice *device) : m_device(device) {}

    // The next block, or nothing at the end of the file or on an error (then error() says it).
    [[nodiscard]] std::optional<Block> next();
    [[nodiscard]] const QString &error() const { return m_error; }
    [[nodiscard]] bool atEnd() const { return m_atEnd; }
    // Octets read so far (for progress).
    [[nodiscard]] qint64 position() const { return m_offset; }
    // Blocks read so far: the index of the next one (blockPlace(blockIndex(), position()) names
    // where reading would go on).
    [[nodiscard]] int blockIndex() const { return m_index; }

    // True when the first octets are a pcapng section header (either byte order).
    [[nodiscard]] static bool looksLikePcapng(QByteArrayView head);

private:
    bool fail(const QString &what);
    [[nodiscard]] quint32 u32(const char *p) const;
    [[nodiscard]] quint16 u16(const char *p) const;
    [[nodiscard]] quint64 u64(const char *p) const;
    [[nodiscard]] std::optional<qint64> toNanoseconds(quint32 interfaceId, quint64 ts) const;
    bool parseOptions(QByteArrayView area, Options &out);

    QIODevice *m_device;
    QString m_error;
    qint64 m_offset = 0;
    int m_index = 0;
    bool m_swap = false;
    bool m_inSection = false;
    bool m_atEnd = false;
    QList<quint8> m_tsResolution; // if_tsresol per interface of the current section
};

} // namespace wsi::pcapng
