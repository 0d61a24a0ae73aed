// SPDX-License-Identifier: MIT
#include "capture/capturerecords.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QCoreApplication>

#include <array>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi::capture {

namespace {

// The record kinds: the first element of a record's CBOR array.
enum RecordType : int { Connection = 1, Frame = 2, Event = 3, Annotation = 4 };

// Map keys of each record (small integers: a record per frame stays small). docs/captures.md
// §3 lists them; never renumber one, only add.
namespace key {
// connection
constexpr int Major = 0, Minor = 1, Application = 2, Url = 3, StartedAt = 4, Peer = 5, Scenario = 6;
// frame
constexpr int Time = 0, StreamOffset = 1, PayloadLength = 2, Payload = 3, MaskKey = 4,
              Violations = 5, Utf8Error = 6, Opcode = 7, Rsv = 8, ExtendedLength = 9,
              Direction = 10, Flags = 11, Tx = 12;
// frame tx
constexpr int BaseLength = 0, RepeatLength = 1, DeclaredLength = 2, LengthEncoding = 3,
              MaskMode = 4, ChopSize = 5, Sync = 6, EncodedSize = 7;
// event
constexpr int Kind = 1, State = 2, Seconds = 3, Code = 4, Reason = 5, Text = 6, Flag = 7,
              TcpEnd = 8, EventOffset = 9, EventDirection = 10, Tls = 11;
// tls
constexpr int Protocol = 0, Cipher = 1, Chain = 2, Errors = 3, Ignored = 4, Sni = 5,
              AlpnOffered = 6, Alpn = 7, ClientCertificate = 8, VersionAsked = 9;
constexpr int Subject = 0, Issuer = 1, NotBefore = 2, NotAfter = 3, Sha256 = 4;
// chunk facts
constexpr int ChunkOffset = 0, ChunkSize = 1, ChunkSync = 2, ChunkPart = 3;
// annotation
constexpr int AnnotationKind = 0, AnnotationData = 1;
} // namespace key

enum FrameFlag : int {
    Fin = 1,
    Masked = 2,
    HasKey = 4,
    PayloadTruncated = 8,
    Incomplete = 16,
    PayloadDerived = 32
};

template <typename E>
struct Named
{
    E value;
    QStringView name;
};

constexpr std::array kEventKinds{
    Named<TraceEvent::Kind>{TraceEvent::Kind::StateChanged, u"StateChanged"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::Connected, u"Connected"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::CertificateError, u"CertificateError"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::HandshakeRequest, u"HandshakeRequest"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::HandshakeResponse, u"HandshakeResponse"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::HandshakeFailed, u"HandshakeFailed"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::Delay, u"Delay"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::DelayTimeout, u"DelayTimeout"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::CloseAfter, u"CloseAfter"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::ClosingConnection, u"ClosingConnection"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::FailAfter, u"FailAfter"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::FailingConnection, u"FailingConnection"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::CloseSent, u"CloseSent"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::CloseReceived, u"CloseReceived"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::FailedByMe, u"FailedByMe"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::DroppedByMe, u"DroppedByMe"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::HalfClosed, u"HalfClosed"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::OpenHandshakeTimeout, u"OpenHandshakeTimeout"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::CloseHandshakeTimeout, u"CloseHandshakeTimeout"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::ServerDropTimeout, u"ServerDropTimeout"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::TcpClosed, u"TcpClosed"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::WireLogEnabled, u"WireLogEnabled"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::WireLogSwitched, u"WireLogSwitched"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::Note, u"Note"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::Error, u"Error"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::TraceLimitReached, u"TraceLimitReached"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::TlsHandshakeFailed, u"TlsHandshakeFailed"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::TlsCloseNotify, u"TlsCloseNotify"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::ProxyRequest, u"ProxyRequest"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::ProxyReply, u"ProxyReply"},
    Named<TraceEvent::Kind>{TraceEvent::Kind::ProxyFailed, u"ProxyFailed"},
};
static_assert(kEventKinds.size() == size_t(TraceEvent::Kind::ProxyFailed) + 1,
              "every event kind needs its name in capture files");

constexpr std::array kStates{
    Named<SessionState>{SessionState::Idle, u"IDLE"},
    Named<SessionState>{SessionState::Connecting, u"CONNECTING"},
    Named<SessionState>{SessionState::Open, u"OPEN"},
    Named<SessionState>{SessionState::Closing, u"CLOSING"},
    Named<SessionState>{SessionState::Closed, u"CLOSED"},
};

constexpr std::array kTcpEnds{
    Named<wsi::TcpEnd>{wsi::TcpEnd::Unknown, u"Unknown"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::NoConnection, u"NoConnection"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::PeerFin, u"PeerFin"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::PeerReset, u"PeerReset"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::PeerTls, u"PeerTls"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::OurClose, u"OurClose"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::OurAbort, u"OurAbort"},
    Named<wsi::TcpEnd>{wsi::TcpEnd::SocketError, u"SocketError"},
};

constexpr std::array kLengthEncodings{
    Named<wsi::LengthEncoding>{wsi::LengthEncoding::Auto, u"auto"},
    Named<wsi::LengthEncoding>{wsi::LengthEncoding::Bits7, u"7"},
    Named<wsi::LengthEncoding>{wsi::LengthEncoding::Bits16, u"16"},
    Named<wsi::LengthEncoding>{wsi::LengthEncoding::Bits64, u"64"},
};

constexpr std::array kMaskModes{
    Named<wsi::MaskMode>{wsi::MaskMode::Random, u"random"},
    Named<wsi::MaskMode>{wsi::MaskMode::Fixed, u"fixed"},
    Named<wsi::MaskMode>{wsi::MaskMode::None, u"none"},
    Named<wsi::MaskMode>{wsi::MaskMode::BitOnly, u"bit"},
};

template <typename E, size_t N>
QString nameOf(const std::array<Named<E>, N> &table, E value)
{
    for (const auto &n : table) {
        if (n.value == value)
            return n.name.toString();
    }
    return {};
}

template <typename E, size_t N>
std::optional<E> valueOf(const std::array<Named<E>, N> &table, QStringView name)
{
    for (const auto &n : table) {
        if (n.name == name)
            return n.value;
    }
    return std::nullopt;
}

// ---- writing ------------------------------------------------------------------------------------

// A CBOR map written field by field (QCborStreamWriter needs the count first: the fields are
// gathered, then written).
class MapWriter
{
public:
    void integer(int k, qint64 v) { m_map.insert(k, v); }
    void uinteger(int k, quint64 v)
    {
        // QCborValue holds signed 64-bit integers; a larger value (a declared length of
        // 2^64 − 1) is written as its 8 octets, most significant first.
        if (v > quint64(std::numeric_limits<qint64>::max())) {
            QByteArray b(8, '\0');
            for (int i = 0; i < 8; ++i)
                b[i] = char(v >> (56 - 8 * i));
            m_map.insert(k, b);
        } else {
            m_map.insert(k, qint64(v));
        }
    }
    void real(int k, double v) { m_map.insert(k, v); }
    void boolean(int k, bool v) { m_map.insert(k, v); }
    void text(int k, const QString &v) { m_map.insert(k, v); }
    void bytes(int k, const QByteArray &v) { m_map.insert(k, v); }
    void map(int k, const QCborMap &v) { m_map.insert(k, v); }
    void value(int k, const QCborValue &v) { m_map.insert(k, v); }
    [[nodiscard]] const QCborMap &result() const { return m_map; }

private:
    QCborMap m_map;
};

// CBOR written straight into one buffer (RFC 8949 §3: a head of major type and argument, in the
// shortest form), for the record a flood writes once a frame. The same octets as the map above
// encoded by QCborValue, without a QCborMap to build and search first: a recorded flood of small
// frames ran at a sixth of the window's speed without recording.
class CborOut
{
public:
    void head(quint8 major, quint64 v)
    {
        const char m = char(major << 5);
        if (v < 24) {
            m_out += char(m | char(v));
            return;
        }
        const int size = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
        m_out += char(m | char(size == 1 ? 24 : size == 2 ? 25 : size == 4 ? 26 : 27));
        for (int i = size - 1; i >= 0; --i)
            m_out += char(v >> (8 * i));
    }
    void integer(qint64 v) { v >= 0 ? head(0, quint64(v)) : head(1, quint64(-1 - v)); }
    void uinteger(quint64 v)
    {
        // As MapWriter::uinteger: past qint64, the 8 octets, most significant first.
        if (v <= quint64(std::numeric_limits<qint64>::max())) {
            head(0, v);
            return;
        }
        head(2, 8);
        for (int i = 7; i >= 0; --i)
            m_out += char(v >> (8 * i));
    }
    void bytes(const QByteArray &b)
    {
        head(2, quint64(b.size()));
        m_out += b;
    }
    void text(const QString &t)
    {
        const QByteArray utf8 = t.toUtf8();
        head(3, quint64(utf8.size()));
        m_out += utf8;
    }
    void boolean(bool v) { m_out += char(v ? 0xf5 : 0xf4); }
    void key(int k) { head(0, quint64(k)); }
    [[nodiscard]] QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

QByteArray record(RecordType type, const QCborMap &body)
{
    return QCborArray{int(type), body}.toCborValue().toCbor();
}

QCborMap tlsMap(const TlsInfo &tls)
{
    MapWriter w;
    w.text(key::Protocol, tls.protocol);
    w.text(key::Cipher, tls.cipher);
    QCborArray chain;
    for (const TlsCertificateInfo &c : tls.chain) {
        MapWriter cw;
        cw.text(key::Subject, c.subject);
        cw.text(key::Issuer, c.issuer);
        cw.integer(key::NotBefore, c.notBefore.toMSecsSinceEpoch());
        cw.integer(key::NotAfter, c.notAfter.toMSecsSinceEpoch());
        cw.text(key::Sha256, c.sha256);
        chain.append(cw.result());
    }
    w.value(key::Chain, chain);
    w.value(key::Errors, QCborArray::fromStringList(tls.certificateErrors));
    w.boolean(key::Ignored, tls.errorsIgnored);
    // Absent when empty: a file without them reads as an older one did (none sent, any version).
    const auto optionalText = [&w](int k, const QString &v) {
        if (!v.isEmpty())
            w.text(k, v);
    };
    optionalText(key::Sni, tls.sni);
    if (!tls.alpnOffered.isEmpty())
        w.value(key::AlpnOffered, QCborArray::fromStringList(tls.alpnOffered));
    optionalText(key::Alpn, tls.alpn);
    optionalText(key::ClientCertificate, tls.clientCertificate);
    optionalText(key::VersionAsked, tls.versionAsked);
    return w.result();
}

// ---- reading ------------------------------------------------------------------------------------

// Reads typed fields of a CBOR map; the first wrong type is remembered as the error.
class MapReader
{
public:
    MapReader(const QCborMap &map, QString where) : m_map(map), m_where(std::move(where)) {}

    [[nodiscard]] bool has(int k) const { return m_map.contains(k); }
    qint64 integer(int k, qint64 fallback = 0)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return fallback;
        if (!v.isInteger())
            return wrong(k, u"an integer"_s), fallback;
        return v.toInteger();
    }
    quint64 uinteger(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isByteArray() && v.toByteArray().size() == 8) {
            const QByteArray b = v.toByteArray();
            quint64 out = 0;
            for (int i = 0; i < 8; ++i)
                out = (out << 8) | uchar(b[i]);
            return out;
        }
        const qint64 i = integer(k);
        if (i < 0)
            wrong(k, u"a number ≥ 0"_s);
        return quint64(std::max<qint64>(i, 0));
    }
    double real(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return 0;
        if (!v.isDouble() && !v.isInteger())
            return wrong(k, u"a number"_s), 0;
        return v.toDouble();
    }
    bool boolean(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return false;
        if (!v.isBool())
            return wrong(k, u"true or false"_s), false;
        return v.toBool();
    }
    QString text(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return {};
        if (!v.isString())
            return wrong(k, u"text"_s), QString();
        return v.toString();
    }
    QByteArray bytes(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return {};
        if (!v.isByteArray())
            return wrong(k, u"octets"_s), QByteArray();
        return v.toByteArray();
    }
    QCborMap map(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return {};
        if (!v.isMap())
            return wrong(k, u"a map"_s), QCborMap();
        return v.toMap();
    }
    QCborArray array(int k)
    {
        const QCborValue v = m_map.value(k);
        if (v.isUndefined())
            return {};
        if (!v.isArray())
            return wrong(k, u"an array"_s), QCborArray();
        return v.toArray();
    }
    template <typename E, size_t N>
    E named(int k, const std::array<Named<E>, N> &table, E fallback)
    {
        if (!has(k))
            return fallback;
        const QString name = text(k);
        const std::optional<E> v = valueOf(table, name);
        if (!v) {
            wrong(k, u"a known name (not “%1”)"_s.arg(name.left(40)));
            return fallback;
        }
        return *v;
    }
    void wrong(int k, const QString &what)
    {
        if (m_error.isEmpty())
            m_error = u"%1 field %2 should be %3"_s.arg(m_where).arg(k).arg(what);
    }
    [[nodiscard]] const QString &error() const { return m_error; }

private:
    QCborMap m_map;
    QString m_where;
    QString m_error;
};

std::optional<QCborValue> readItem(QByteArrayView data, QString &error)
{
    QCborStreamReader reader(data.toByteArray());
    const QCborValue v = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError) {
        error = u"the record is not valid CBOR (%1)"_s.arg(reader.lastError().toString());
        return std::nullopt;
    }
    return v;
}

TlsInfoPtr readTls(const QCborMap &map, QString &error)
{
    MapReader r(map, u"the TLS facts'"_s);
    auto tls = new TlsInfo;
    TlsInfoPtr out(tls);
    tls->protocol = r.text(key::Protocol);
    tls->cipher = r.text(key::Cipher);
    const QCborArray chain = r.array(key::Chain);
    for (const QCborValue &c : chain) {
        if (!c.isMap()) {
            r.wrong(key::Chain, u"a list of certificates"_s);
            break;
        }
        MapReader cr(c.toMap(), u"a certificate's"_s);
        TlsCertificateInfo info;
        info.subject = cr.text(key::Subject);
        info.issuer = cr.text(key::Issuer);
        info.notBefore = QDateTime::fromMSecsSinceEpoch(cr.integer(key::NotBefore), Qt::UTC);
        info.notAfter = QDateTime::fromMSecsSinceEpoch(cr.integer(key::NotAfter), Qt::UTC);
        info.sha256 = cr.text(key::Sha256);
        if (!cr.error().isEmpty()) {
            error = cr.error();
            return {};
        }
        tls->chain.append(std::move(info));
    }
    for (const QCborValue &e : r.array(key::Errors))
        tls->certificateErrors.append(e.toString());
    tls->errorsIgnored = r.boolean(key::Ignored);
    tls->sni = r.text(key::Sni);
    for (const QCborValue &p : r.array(key::AlpnOffered))
        tls->alpnOffered.append(p.toString());
    tls->alpn = r.text(key::Alpn);
    tls->clientCertificate = r.text(key::ClientCertificate);
    tls->versionAsked = r.text(key::VersionAsked);
    if (!r.error().isEmpty()) {
        error = r.error();
        return {};
    }
    return out;
}

} // namespace

QString eventKindName(TraceEvent::Kind kind)
{
    return nameOf(kEventKinds, kind);
}

std::optional<TraceEvent::Kind> eventKindFromName(QStringView name)
{
    return valueOf(kEventKinds, name);
}

ConnectionRecord connectionRecordOf(const Trace &trace, const QJsonObject &scenario)
{
    ConnectionRecord c;
    c.application = u"WebSocket Inspector "_s + QCoreApplication::applicationVersion();
    c.url = trace.url();
    c.startedAt = trace.startedAt();
    c.scenario = scenario;
    return c;
}

QByteArray encode(const ConnectionRecord &c)
{
    MapWriter w;
    w.integer(key::Major, c.major);
    w.integer(key::Minor, c.minor);
    w.text(key::Application, c.application);
    w.text(key::Url, c.url);
    // Nanoseconds since 1970 would not fit a date of the far future; milliseconds are what
    // QDateTime keeps.
    w.integer(key::StartedAt, c.startedAt.toMSecsSinceEpoch());
    w.text(key::Peer, c.peerAddress);
    w.map(key::Scenario, QCborMap::fromJsonObject(c.scenario));
    return record(Connection, w.result());
}

QByteArray encode(const FrameRecord &f)
{
    // The keys in the order the other records' maps are written (a reader does not depend on it).
    const bool payload = !f.payload.isEmpty();
    const int entries = 3 + int(payload) + int(f.hasKey) + int(bool(f.violations)) +
                        int(f.utf8ErrorOffset >= 0) + 1 + int(f.rsv != 0) +
                        int(f.extendedLengthSize != 0) + 2 + int(bool(f.tx));
    CborOut w;
    w.head(4, 2); // [type, map]
    w.integer(Frame);
    w.head(5, quint64(entries));
    w.key(key::Time);
    w.integer(f.timeNs);
    w.key(key::StreamOffset);
    w.integer(f.streamOffset);
    w.key(key::PayloadLength);
    w.uinteger(f.payloadLength);
    if (payload) {
        w.key(key::Payload);
        w.bytes(f.payload);
    }
    if (f.hasKey) {
        w.key(key::MaskKey);
        w.integer(f.maskKey);
    }
    if (f.violations) {
        w.key(key::Violations);
        w.integer(qint64(f.violations.toInt()));
    }
    if (f.utf8ErrorOffset >= 0) {
        w.key(key::Utf8Error);
        w.integer(f.utf8ErrorOffset);
    }
    w.key(key::Opcode);
    w.integer(f.opcode);
    if (f.rsv) {
        w.key(key::Rsv);
        w.integer(f.rsv);
    }
    if (f.extendedLengthSize) {
        w.key(key::ExtendedLength);
        w.integer(f.extendedLengthSize);
    }
    w.key(key::Direction);
    w.text(f.direction == Direction::Tx ? u"tx"_s : u"rx"_s);
    const int flags = (f.fin ? Fin : 0) | (f.masked ? Masked : 0) | (f.hasKey ? HasKey : 0) |
                      (f.payloadTruncated ? PayloadTruncated : 0) |
                      (f.incomplete ? Incomplete : 0) | (f.payloadDerived ? PayloadDerived : 0);
    w.key(key::Flags);
    w.integer(flags);
    if (f.tx) {
        const TxFrameInfo &t = *f.tx;
        w.key(key::Tx);
        w.head(5, quint64(4 + int(bool(t.repeatLength)) + int(bool(t.declaredLength)) +
                          int(t.chopSize != 0) + int(t.sync)));
        w.key(key::BaseLength);
        w.integer(t.basePayloadLength);
        if (t.repeatLength) {
            w.key(key::RepeatLength);
            w.integer(*t.repeatLength);
        }
        if (t.declaredLength) {
            w.key(key::DeclaredLength);
            w.uinteger(*t.declaredLength);
        }
        w.key(key::LengthEncoding);
        w.text(nameOf(kLengthEncodings, t.lengthEncoding));
        w.key(key::MaskMode);
        w.text(nameOf(kMaskModes, t.maskMode));
        if (t.chopSize) {
            w.key(key::ChopSize);
            w.integer(t.chopSize);
        }
        if (t.sync) {
            w.key(key::Sync);
            w.boolean(true);
        }
        w.key(key::EncodedSize);
        w.integer(t.encodedSize);
    }
    return w.take();
}

QByteArray encode(const TraceEvent &e)
{
    MapWriter w;
    w.integer(key::Time, e.timeNs);
    w.text(key::Kind, eventKindName(e.kind));
    if (e.kind == TraceEvent::Kind::StateChanged)
        w.text(key::State, nameOf(kStates, e.state));
    if (e.seconds != 0)
        w.real(key::Seconds, e.seconds);
    if (e.code)
        w.integer(key::Code, *e.code);
    if (!e.reason.isEmpty())
        w.bytes(key::Reason, e.reason);
    if (!e.text.isEmpty())
        w.text(key::Text, e.text);
    if (e.flag)
        w.boolean(key::Flag, true);
    if (e.tcpEnd != wsi::TcpEnd::Unknown)
        w.text(key::TcpEnd, nameOf(kTcpEnds, e.tcpEnd));
    if (e.streamOffset >= 0)
        w.integer(key::EventOffset, e.streamOffset);
    if (e.kind == TraceEvent::Kind::TraceLimitReached)
        w.text(key::EventDirection, e.direction == Direction::Tx ? u"tx"_s : u"rx"_s);
    if (e.tls)
        w.map(key::Tls, tlsMap(*e.tls));
    return record(Event, w.result());
}

QByteArray encode(const AnnotationRecord &a)
{
    MapWriter w;
    w.text(key::AnnotationKind, a.kind);
    w.map(key::AnnotationData, QCborMap::fromJsonObject(a.data));
    return record(Annotation, w.result());
}

QByteArray encode(const ChunkFacts &c)
{
    MapWriter w;
    w.integer(key::ChunkOffset, c.streamOffset);
    w.integer(key::ChunkSize, c.size);
    if (c.sync)
        w.boolean(key::ChunkSync, true);
    if (c.part)
        w.integer(key::ChunkPart, c.part);
    return w.result().toCborValue().toCbor();
}

std::optional<ChunkFacts> decodeChunkFacts(QByteArrayView data, QString &error)
{
    const std::optional<QCborValue> v = readItem(data, error);
    if (!v)
        return std::nullopt;
    if (!v->isMap()) {
        error = u"the chunk facts are not a CBOR map"_s;
        return std::nullopt;
    }
    MapReader r(v->toMap(), u"the chunk facts'"_s);
    ChunkFacts c;
    c.streamOffset = r.integer(key::ChunkOffset, -1);
    c.size = r.integer(key::ChunkSize, -1);
    c.sync = r.boolean(key::ChunkSync);
    c.part = int(std::clamp<qint64>(r.integer(key::ChunkPart), 0, 1 << 30));
    if (r.error().isEmpty() && (c.streamOffset < 0 || c.size < 0))
        r.wrong(key::ChunkOffset, u"a stream offset and a size ≥ 0"_s);
    if (!r.error().isEmpty()) {
        error = r.error();
        return std::nullopt;
    }
    return c;
}

std::optional<CaptureRecord> decodeRecord(QByteArrayView data, QString &error)
{
    error.clear();
    const std::optional<QCborValue> v = readItem(data, error);
    if (!v)
        return std::nullopt;
    const QCborArray a = v->toArray();
    if (!v->isArray() || a.size() < 2 || !a.at(0).isInteger() || !a.at(1).isMap()) {
        error = u"the record is not [kind, map]"_s;
        return std::nullopt;
    }
    const qint64 type = a.at(0).toInteger();
    const QCborMap body = a.at(1).toMap();
    switch (type) {
    case Connection: {
        MapReader r(body, u"the connection record's"_s);
        ConnectionRecord c;
        c.major = int(r.integer(key::Major, -1));
        c.minor = int(r.integer(key::Minor, 0));
        c.application = r.text(key::Application);
        c.url = r.text(key::Url);
        c.startedAt = QDateTime::fromMSecsSinceEpoch(r.integer(key::StartedAt), Qt::UTC);
        c.peerAddress = r.text(key::Peer);
        c.scenario = r.map(key::Scenario).toJsonObject();
        if (!r.error().isEmpty()) {
            error = r.error();
            return std::nullopt;
        }
        return c;
    }
    case Frame: {
        MapReader r(body, u"a frame record's"_s);
        FrameRecord f;
        f.timeNs = r.integer(key::Time);
        f.streamOffset = r.integer(key::StreamOffset, -1);
        f.payloadLength = r.uinteger(key::PayloadLength);
        f.payload = r.bytes(key::Payload);
        f.maskKey = quint32(r.integer(key::MaskKey));
        f.violations = Violations::fromInt(int(r.integer(key::Violations)));
        f.utf8ErrorOffset = qint32(std::clamp<qint64>(r.integer(key::Utf8Error, -1), -1,
                                                      std::numeric_limits<qint32>::max()));
        const qint64 opcode = r.integer(key::Opcode);
        const qint64 rsv = r.integer(key::Rsv);
        const qint64 ext = r.integer(key::ExtendedLength);
        if (opcode < 0 || opcode > 15)
            r.wrong(key::Opcode, u"0–15"_s);
        if (rsv < 0 || rsv > 7)
            r.wrong(key::Rsv, u"0–7"_s);
        if (ext != 0 && ext != 2 && ext != 8)
            r.wrong(key::ExtendedLength, u"0, 2 or 8"_s);
        f.opcode = quint8(opcode);
        f.rsv = quint8(rsv);
        f.extendedLengthSize = quint8(ext);
        const QString direction = r.text(key::Direction);
        if (direction != u"tx"_s && direction != u"rx"_s)
            r.wrong(key::Direction, u"tx or rx"_s);
        f.direction = direction == u"tx"_s ? Direction::Tx : Direction::Rx;
        const qint64 flags = r.integer(key::Flags);
        f.fin = flags & Fin;
        f.masked = flags & Masked;
        f.hasKey = flags & HasKey;
        f.payloadTruncated = flags & PayloadTruncated;
        f.incomplete = flags & Incomplete;
        f.payloadDerived = flags & PayloadDerived;
        if (r.has(key::Tx)) {
            MapReader t(r.map(key::Tx), u"a sent frame's"_s);
            TxFrameInfo info;
            info.basePayloadLength = t.integer(key::BaseLength);
            if (t.has(key::RepeatLength))
                info.repeatLength = t.integer(key::RepeatLength);
            if (t.has(key::DeclaredLength))
                info.declaredLength = t.uinteger(key::DeclaredLength);
            info.lengthEncoding =
                t.named(key::LengthEncoding, kLengthEncodings, wsi::LengthEncoding::Auto);
            info.maskMode = t.named(key::MaskMode, kMaskModes, wsi::MaskMode::Random);
            info.chopSize = int(std::clamp<qint64>(t.integer(key::ChopSize), 0, 1 << 30));
            info.sync = t.boolean(key::Sync);
            info.encodedSize = t.integer(key::EncodedSize);
            if (!t.error().isEmpty()) {
                error = t.error();
                return std::nullopt;
            }
            f.tx = makeTxInfo(info);
        }
        if (!r.error().isEmpty()) {
            error = r.error();
            return std::nullopt;
        }
        return f;
    }
    case Event: {
        MapReader r(body, u"an event record's"_s);
        TraceEvent e;
        e.timeNs = r.integer(key::Time);
        const QString kindName = r.text(key::Kind);
        const std::optional<TraceEvent::Kind> kind = eventKindFromName(kindName);
        if (!kind) {
            // An event kind of a later version: a note, so that nothing is silently lost.
            e.kind = TraceEvent::Kind::Note;
            e.text = u"(an event this version does not know: %1)"_s.arg(kindName.left(60));
            return e;
        }
        e.kind = *kind;
        e.state = r.named(key::State, kStates, SessionState::Idle);
        e.seconds = r.real(key::Seconds);
        if (r.has(key::Code))
            e.code = int(std::clamp<qint64>(r.integer(key::Code), -1, 65535));
        e.reason = r.bytes(key::Reason);
        e.text = r.text(key::Text);
        e.flag = r.boolean(key::Flag);
        e.tcpEnd = r.named(key::TcpEnd, kTcpEnds, wsi::TcpEnd::Unknown);
        e.streamOffset = r.integer(key::EventOffset, -1);
        e.direction = r.text(key::EventDirection) == u"tx"_s ? Direction::Tx : Direction::Rx;
        if (r.has(key::Tls)) {
            e.tls = readTls(r.map(key::Tls), error);
            if (!error.isEmpty())
                return std::nullopt;
        }
        if (!r.error().isEmpty()) {
            error = r.error();
            return std::nullopt;
        }
        return e;
    }
    case Annotation: {
        MapReader r(body, u"an annotation's"_s);
        AnnotationRecord a;
        a.kind = r.text(key::AnnotationKind);
        a.data = r.map(key::AnnotationData).toJsonObject();
        if (!r.error().isEmpty()) {
            error = r.error();
            return std::nullopt;
        }
        return a;
    }
    default:
        return std::nullopt; // a kind of a later version: skipped, error left empty
    }
}

} // namespace wsi::capture
