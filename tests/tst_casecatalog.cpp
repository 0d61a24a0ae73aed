// SPDX-License-Identifier: MIT
// The case library: the reference's groups, numbering, report strings, the octets the cases send
// (server role, unmasked, docs/cases.md §1.3), the generated UTF-8 cases and selection.
#include "protocol/frame.h"
#include "protocol/utf8validator.h"
#include "suite/cases.h"
#include "testutils.h"

#include <QSet>
#include <QtTest>

#include <algorithm>
#include <thread>
#include <vector>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

const CaseDefinition &get(const QString &id)
{
    const CaseDefinition *def = findCase(id);
    if (!def)
        qFatal("no case %s", qPrintable(id));
    return *def;
}

QStringList ids(const QList<const CaseDefinition *> &cases)
{
    QStringList out;
    for (const CaseDefinition *c : cases)
        out << c->id;
    return out;
}

// The group of a case id: everything before the last dot ("6.4.1" → "6.4", "2.10" → "2").
QString groupOf(const QString &id)
{
    return id.left(id.lastIndexOf(u'.'));
}

QList<const CaseDefinition *> casesOfGroup(const QString &group)
{
    QList<const CaseDefinition *> out;
    for (const CaseDefinition &c : caseLibrary()) {
        if (groupOf(c.id) == group)
            out << &c;
    }
    return out;
}

QString hexSpaced(const QByteArray &octets)
{
    return QString::fromLatin1(octets.toHex(' '));
}

// What the case's steps put on the wire in the server role (no masking), one line per step;
// timers and waits as short words.
QStringList serverScript(const CaseDefinition &def)
{
    QStringList out;
    for (const Step &s : def.steps) {
        switch (s.kind) {
        case Step::Kind::Frame: {
            FrameSpec spec = s.frame;
            spec.maskMode = MaskMode::None;
            out << hexSpaced(encodeFrame(spec));
            break;
        }
        case Step::Kind::Close: {
            FrameSpec spec;
            spec.opcode = 8;
            spec.maskMode = MaskMode::None;
            spec.payload = closePayload(s.closeCode ? std::optional<quint16>(quint16(*s.closeCode))
                                                    : std::nullopt,
                                        s.closeReason);
            out << hexSpaced(encodeFrame(spec));
            break;
        }
        case Step::Kind::Delay:
            out << u"DELAY %1 TAG %2"_s.arg(s.seconds).arg(s.tag.isEmpty() ? u"None"_s : s.tag);
            break;
        case Step::Kind::CloseAfter:
            out << u"CLOSE AFTER %1"_s.arg(s.seconds);
            break;
        case Step::Kind::FailAfter:
            out << u"FAIL AFTER %1"_s.arg(s.seconds);
            break;
        case Step::Kind::TimeoutEvent:
            out << u"TIMEOUT %1"_s.arg(s.tag);
            break;
        case Step::Kind::FrameHeader: {
            FrameSpec spec = s.frame;
            spec.maskMode = MaskMode::None;
            out << u"HEADER "_s + hexSpaced(encodeFrame(spec));
            break;
        }
        case Step::Kind::FrameData:
            out << u"DATA "_s + hexSpaced(s.payload);
            break;
        case Step::Kind::Message:
            out << u"MESSAGE %1 %2 fragments of %3"_s.arg(s.binary ? u"binary"_s : u"text"_s)
                       .arg(s.payload.size())
                       .arg(s.fragmentSize);
            break;
        default:
            out << u"step %1"_s.arg(int(s.kind));
            break;
        }
    }
    return out;
}

QStringList lower(QStringList lines)
{
    for (QString &l : lines)
        l = l.toLower();
    return lines;
}

// sendMessage's fragmentation (docs/sending.md §1.3): pieces of `fragmentSize` while the
// message is longer; a length that is an exact multiple ends with an empty FIN continuation.
struct TxFrame
{
    int opcode;
    qint64 size;
    bool fin;
};

QList<TxFrame> fragmentMessage(qint64 length, bool binary, int fragmentSize)
{
    const int first = binary ? 2 : 1;
    if (fragmentSize <= 0 || length <= fragmentSize)
        return {{first, length, true}};
    QList<TxFrame> out;
    qint64 offset = 0;
    bool last = false;
    while (!last) {
        qint64 end = offset + fragmentSize;
        last = end > length;
        if (last)
            end = length;
        out.append({offset == 0 ? first : 0, end - offset, last});
        offset += fragmentSize;
    }
    return out;
}

bool isTimer(const Step &s)
{
    return s.kind == Step::Kind::CloseAfter || s.kind == Step::Kind::FailAfter;
}

} // namespace

class TestCaseCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstUseFromManyThreads();
    void groupCounts_data();
    void groupCounts();
    void totalAndNumbering();
    void referencePositions_data();
    void referencePositions();
    void lookups();
    void groupTitles_data();
    void groupTitles();
    void everyCaseIsWellFormed();
    void serverRoleOctets_data();
    void serverRoleOctets();
    void transportModes_data();
    void transportModes();
    void fragmentedMessages_data();
    void fragmentedMessages();
    void generatedUtf8Cases();
    void generatedUtf8Sequences();
    void failFast();
    void closeCodes();
    void overridesAndSuppressedClose();
    void limits_data();
    void limits();
    void reportStrings();
    void deflateRows_data();
    void deflateRows();
    void deflateOffers_data();
    void deflateOffers();
    void deflateReportStrings();
    void select_data();
    void select();
    void selectErrors();
};

// Runs first: the library is built once, whichever thread asks first.
void TestCaseCatalog::firstUseFromManyThreads()
{
    constexpr int kThreads = 4;
    const QList<CaseDefinition> *seen[kThreads] = {};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&seen, i] { seen[i] = &caseLibrary(); });
    for (std::thread &t : threads)
        t.join();
    for (int i = 0; i < kThreads; ++i) {
        QCOMPARE(seen[i], &caseLibrary());
        QCOMPARE(seen[i]->size(), 517);
    }
}

void TestCaseCatalog::groupCounts_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("valid"); // 6.5–6.23: cases expecting an echo (the rest expect 1007)

    const struct
    {
        const char *group;
        int count;
        int valid;
    } rows[] = {
        {"1.1", 8, -1},   {"1.2", 8, -1},   {"2", 11, -1},    {"3", 7, -1},     {"4.1", 5, -1},
        {"4.2", 5, -1},   {"5", 20, -1},    {"6.1", 3, -1},   {"6.2", 4, -1},   {"6.3", 2, -1},
        {"6.4", 4, -1},   {"6.5", 5, 5},    {"6.6", 11, 5},   {"6.7", 4, 4},    {"6.8", 2, 0},
        {"6.9", 4, 4},    {"6.10", 3, 0},   {"6.11", 5, 4},   {"6.12", 8, 0},   {"6.13", 5, 0},
        {"6.14", 10, 0},  {"6.15", 1, 0},   {"6.16", 3, 0},   {"6.17", 5, 0},   {"6.18", 5, 0},
        {"6.19", 5, 0},   {"6.20", 7, 0},   {"6.21", 8, 0},   {"6.22", 34, 34}, {"6.23", 7, 7},
        {"7.1", 6, -1},   {"7.3", 6, -1},   {"7.5", 1, -1},   {"7.7", 13, -1},  {"7.9", 9, -1},
        {"7.13", 2, -1},  {"9.1", 6, -1},   {"9.2", 6, -1},   {"9.3", 9, -1},   {"9.4", 9, -1},
        {"9.5", 6, -1},   {"9.6", 6, -1},   {"9.7", 6, -1},   {"9.8", 6, -1},   {"10.1", 1, -1},
        {"12.1", 18, -1}, {"12.2", 18, -1}, {"12.3", 18, -1}, {"12.4", 18, -1}, {"12.5", 18, -1},
        {"13.1", 18, -1}, {"13.2", 18, -1}, {"13.3", 18, -1}, {"13.4", 18, -1}, {"13.5", 18, -1},
        {"13.6", 18, -1}, {"13.7", 18, -1},
    };
    for (const auto &r : rows)
        QTest::newRow(r.group) << QString::fromLatin1(r.group) << r.count << r.valid;
}

void TestCaseCatalog::groupCounts()
{
    QFETCH(QString, group);
    QFETCH(int, count);
    QFETCH(int, valid);
    const QList<const CaseDefinition *> cases = casesOfGroup(group);
    QCOMPARE(cases.size(), count);
    QVERIFY(!caseGroupTitle(group).isEmpty());
    if (valid < 0)
        return;
    int echoed = 0;
    int failed = 0;
    for (const CaseDefinition *c : cases) {
        if (c->expectedClose.closedByMe)
            ++echoed;
        else if (c->expectedClose.closeCodes == QList<int>{1007})
            ++failed;
    }
    QCOMPARE(echoed, valid);
    QCOMPARE(failed, count - valid);
}

void TestCaseCatalog::totalAndNumbering()
{
    const QList<CaseDefinition> &lib = caseLibrary();
    QCOMPARE(lib.size(), 517); // the reference's current count (docs/cases.md §1.1)
    int generatedUtf8 = 0;
    int compression = 0;
    QSet<QString> unique;
    QString previousGroup;
    int previousNumber = 0;
    for (const CaseDefinition &c : lib) {
        QVERIFY2(!unique.contains(c.id), qPrintable(c.id));
        unique.insert(c.id);
        // Within a group the last part counts up from 1, as the reference names its classes.
        const QString group = groupOf(c.id);
        const int number = c.id.mid(c.id.lastIndexOf(u'.') + 1).toInt();
        QCOMPARE(number, group == previousGroup ? previousNumber + 1 : 1);
        previousGroup = group;
        previousNumber = number;
        if (group.startsWith(u"6."_s) && group.mid(2).toInt() >= 5)
            ++generatedUtf8;
        if (group.startsWith(u"12."_s) || group.startsWith(u"13."_s))
            ++compression;
    }
    QCOMPARE(generatedUtf8, 132);
    QCOMPARE(compression, 216);
}

void TestCaseCatalog::referencePositions_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("position");
    // Autobahn's global case numbers for these groups (the list in case/__init__.py).
    QTest::newRow("1.1.1") << u"1.1.1"_s << 1;
    QTest::newRow("1.2.1") << u"1.2.1"_s << 9;
    QTest::newRow("2.1") << u"2.1"_s << 17;
    QTest::newRow("2.11") << u"2.11"_s << 27;
    QTest::newRow("3.1") << u"3.1"_s << 28;
    QTest::newRow("4.1.1") << u"4.1.1"_s << 35;
    QTest::newRow("4.2.1") << u"4.2.1"_s << 40;
    QTest::newRow("5.1") << u"5.1"_s << 45;
    QTest::newRow("5.20") << u"5.20"_s << 64;
    QTest::newRow("6.1.1") << u"6.1.1"_s << 65;
    QTest::newRow("6.4.4") << u"6.4.4"_s << 77;
    QTest::newRow("6.5.1") << u"6.5.1"_s << 78;
    QTest::newRow("6.23.7") << u"6.23.7"_s << 209;
    QTest::newRow("7.1.1") << u"7.1.1"_s << 210;
    QTest::newRow("7.3.1") << u"7.3.1"_s << 216;
    QTest::newRow("7.5.1") << u"7.5.1"_s << 222;
    QTest::newRow("7.7.1") << u"7.7.1"_s << 223;
    QTest::newRow("7.9.1") << u"7.9.1"_s << 236;
    QTest::newRow("7.13.1") << u"7.13.1"_s << 245;
    QTest::newRow("9.1.1") << u"9.1.1"_s << 247;
    QTest::newRow("9.3.1") << u"9.3.1"_s << 259;
    QTest::newRow("9.7.1") << u"9.7.1"_s << 289;
    QTest::newRow("9.8.6") << u"9.8.6"_s << 300;
    QTest::newRow("10.1.1") << u"10.1.1"_s << 301;
    QTest::newRow("12.1.1") << u"12.1.1"_s << 302;
    QTest::newRow("12.5.18") << u"12.5.18"_s << 391;
    QTest::newRow("13.1.1") << u"13.1.1"_s << 392;
    QTest::newRow("13.7.18") << u"13.7.18"_s << 517;
}

void TestCaseCatalog::referencePositions()
{
    QFETCH(QString, id);
    QFETCH(int, position);
    QCOMPARE(caseIndex(id), position);
    QCOMPARE(caseLibrary().at(position - 1).id, id);
}

void TestCaseCatalog::lookups()
{
    const QList<CaseDefinition> &lib = caseLibrary();
    for (int i = 0; i < lib.size(); ++i) {
        QCOMPARE(caseIndex(lib.at(i).id), i + 1);
        QCOMPARE(findCase(lib.at(i).id), &lib.at(i));
    }
    QCOMPARE(caseIndex(u"1.1.99"_s), 0);
    QCOMPARE(caseIndex(QString()), 0);
    QCOMPARE(caseIndex(u"12.1.19"_s), 0);
    QCOMPARE(caseIndex(u"13.8.1"_s), 0);
    QVERIFY(!findCase(u"9.9.1"_s)); // commented out in the reference
}

void TestCaseCatalog::groupTitles_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("title");
    QTest::newRow("1") << u"1"_s << u"Framing"_s;
    QTest::newRow("1.1") << u"1.1"_s << u"Text Messages"_s;
    QTest::newRow("1.2") << u"1.2"_s << u"Binary Messages"_s;
    QTest::newRow("2") << u"2"_s << u"Pings/Pongs"_s;
    QTest::newRow("3") << u"3"_s << u"Reserved Bits"_s;
    QTest::newRow("4") << u"4"_s << u"Opcodes"_s;
    QTest::newRow("4.1") << u"4.1"_s << u"Non-control Opcodes"_s;
    QTest::newRow("4.2") << u"4.2"_s << u"Control Opcodes"_s;
    QTest::newRow("5") << u"5"_s << u"Fragmentation"_s;
    QTest::newRow("6") << u"6"_s << u"UTF-8 Handling"_s;
    QTest::newRow("6.4") << u"6.4"_s << u"Fail-fast on invalid UTF-8"_s;
    QTest::newRow("6.5") << u"6.5"_s << u"Some valid UTF-8 sequences"_s;
    QTest::newRow("6.6")
        << u"6.6"_s
        << u"All prefixes of a valid UTF-8 string that contains multi-byte code points"_s;
    QTest::newRow("6.15") << u"6.15"_s << u"Concatenation of incomplete sequences"_s;
    QTest::newRow("6.22") << u"6.22"_s << u"Non-character code points (valid UTF-8)"_s;
    QTest::newRow("6.23") << u"6.23"_s << u"Unicode specials (i.e. replacement char)"_s;
    QTest::newRow("7") << u"7"_s << u"Close Handling"_s;
    QTest::newRow("7.13") << u"7.13"_s << u"Informational close information (fuzzer initiated)"_s;
    QTest::newRow("9") << u"9"_s << u"Limits/Performance"_s;
    QTest::newRow("9.6") << u"9.6"_s << u"Binary Text Message (fixed size, increasing chop size)"_s;
    QTest::newRow("10") << u"10"_s << u"Misc"_s;
    QTest::newRow("10.1") << u"10.1"_s << u"Auto-Fragmentation"_s;
    QTest::newRow("12") << u"12"_s << u"WebSocket Compression (different payloads)"_s;
    QTest::newRow("12.1") << u"12.1"_s << u"Large JSON data file (utf8, 194056 bytes)"_s;
    QTest::newRow("12.2") << u"12.2"_s
                          << u"Lena Picture, Bitmap 512x512 bw (binary, 263222 bytes)"_s;
    QTest::newRow("12.3")
        << u"12.3"_s << u"Human readable text, Goethe's Faust I (German) (binary, 222218 bytes)"_s;
    QTest::newRow("12.4") << u"12.4"_s << u"Large HTML file (utf8, 263647 bytes)"_s;
    QTest::newRow("12.5") << u"12.5"_s << u"A larger PDF (binary, 1042328 bytes)"_s;
    QTest::newRow("13") << u"13"_s << u"WebSocket Compression (different parameters)"_s;
    QTest::newRow("13.1") << u"13.1"_s
                          << u"Large JSON data file (utf8, 194056 bytes) - client offers "
                             u"(requestNoContextTakeover, requestMaxWindowBits): [(False, 0)] / "
                             u"server accept (requestNoContextTakeover, requestMaxWindowBits): "
                             u"[(False, 0)]"_s;
    QTest::newRow("13.7") << u"13.7"_s
                          << u"Large JSON data file (utf8, 194056 bytes) - client offers "
                             u"(requestNoContextTakeover, requestMaxWindowBits): [(True, 9), "
                             u"(True, 0), (False, 0)] / server accept (requestNoContextTakeover, "
                             u"requestMaxWindowBits): [(True, 9), (True, 0), (False, 0)]"_s;
    QTest::newRow("no group 12.6") << u"12.6"_s << QString();
    QTest::newRow("no group 8") << u"8"_s << QString();
    QTest::newRow("no group 6.24") << u"6.24"_s << QString();
    QTest::newRow("a case id") << u"1.1.1"_s << QString();
}

void TestCaseCatalog::groupTitles()
{
    QFETCH(QString, group);
    QFETCH(QString, title);
    QCOMPARE(caseGroupTitle(group), title);
}

void TestCaseCatalog::everyCaseIsWellFormed()
{
    for (const CaseDefinition &c : caseLibrary()) {
        const QByteArray where = c.id.toLatin1();
        QVERIFY2(!c.description.isEmpty() && !c.expectation.isEmpty(), where.constData());
        for (const Step &s : c.steps) {
            if (s.kind == Step::Kind::Frame)
                QVERIFY2(s.frame.validate().isEmpty(), where.constData());
            if (s.kind == Step::Kind::Frame || s.kind == Step::Kind::FrameHeader)
                QVERIFY2(s.frame.maskMode == MaskMode::Random,
                         where.constData()); // client role masks all
        }
        if (c.id.startsWith(u"9."_s) || c.id.startsWith(u"12."_s) || c.id.startsWith(u"13."_s)) {
            QVERIFY2(c.steps.isEmpty() && c.expected.isEmpty(), where.constData());
            QVERIFY2(c.logic != CaseLogic::Events, where.constData());
            QCOMPARE(c.logic == CaseLogic::DeflateEchoes, !c.id.startsWith(u"9."_s));
            continue;
        }
        QCOMPARE(c.logic, CaseLogic::Events);
        // One case timer, scheduled last (for 5.19/5.20 and 6.4.x: at the end of the
        // continuation).
        QVERIFY2(!c.steps.isEmpty() && isTimer(c.steps.last()), where.constData());
        QCOMPARE(std::count_if(c.steps.cbegin(), c.steps.cend(), isTimer), 1);
        QVERIFY2(!c.expected.isEmpty() && c.expected.first().verdict == Verdict::Ok,
                 where.constData());
        if (c.expected.size() > 1)
            QCOMPARE(verdictText(c.expected.at(1).verdict), u"NON-STRICT"_s);
        QVERIFY2(c.expected.size() <= 2, where.constData());
        QVERIFY2(!c.reportTime, where.constData());
    }
}

void TestCaseCatalog::serverRoleOctets_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QStringList>("script");

    // docs/cases.md §4.2, §4.3, §4.5, §4.8
    QTest::newRow("2.2 ping") << u"2.2"_s
                              << QStringList{u"89 0D 48 65 6C 6C 6F 2C 20 77 6F 72 6C 64 21"_s,
                                             u"CLOSE AFTER 1"_s};
    QTest::newRow("3.6 binary with RSV 6")
        << u"3.6"_s
        << QStringList{u"E2 0D 48 65 6C 6C 6F 2C 20 77 6F 72 6C 64 21"_s, u"FAIL AFTER 1"_s};
    QTest::newRow("3.7 raw close RSV 7") << u"3.7"_s << QStringList{u"F8 00"_s, u"FAIL AFTER 1"_s};
    const QStringList fragmentsAndPings = {
        u"01 09 66 72 61 67 6D 65 6E 74 31"_s, // T f0 "fragment1"
        u"00 09 66 72 61 67 6D 65 6E 74 32"_s, // C f0 "fragment2"
        u"89 09 70 6F 6E 67 6D 65 20 31 21"_s, // P "pongme 1!"
        u"DELAY 1 TAG None"_s,
        u"00 09 66 72 61 67 6D 65 6E 74 33"_s, // C f0 "fragment3"
        u"00 09 66 72 61 67 6D 65 6E 74 34"_s, // C f0 "fragment4"
        u"89 09 70 6F 6E 67 6D 65 20 32 21"_s, // P "pongme 2!"
        u"80 09 66 72 61 67 6D 65 6E 74 35"_s, // C f1 "fragment5"
        u"CLOSE AFTER 1"_s,
    };
    QTest::newRow("5.19") << u"5.19"_s << fragmentsAndPings;
    QTest::newRow("5.20 same octets") << u"5.20"_s << fragmentsAndPings;
    QTest::newRow("7.1.2 two closes")
        << u"7.1.2"_s << QStringList{u"88 02 03 E8"_s, u"88 00"_s, u"FAIL AFTER 1"_s};
    QTest::newRow("7.3.2 one-octet close")
        << u"7.3.2"_s << QStringList{u"88 01 61"_s, u"FAIL AFTER 1"_s};
    QTest::newRow("7.9.1 code 0") << u"7.9.1"_s << QStringList{u"88 02 00 00"_s, u"FAIL AFTER 1"_s};
    QTest::newRow("7.13.2 code 65535")
        << u"7.13.2"_s << QStringList{u"88 02 FF FF"_s, u"FAIL AFTER 1"_s};
    QTest::newRow("2.7 pong then close")
        << u"2.7"_s << QStringList{u"8A 00"_s, u"88 02 03 E8"_s, u"CLOSE AFTER 1"_s};
    QTest::newRow("5.1 fragmented ping")
        << u"5.1"_s
        << QStringList{u"09 09 66 72 61 67 6D 65 6E 74 31"_s, u"80 09 66 72 61 67 6D 65 6E 74 32"_s,
                       u"FAIL AFTER 1"_s};
    QTest::newRow("6.4.1 frames") << u"6.4.1"_s
                                  << QStringList{u"01 0B CE BA E1 BD B9 CF 83 CE BC CE B5"_s,
                                                 u"DELAY 1 TAG A"_s,
                                                 u"TIMEOUT A"_s,
                                                 u"00 04 F4 90 80 80"_s,
                                                 u"DELAY 1 TAG B"_s,
                                                 u"TIMEOUT B"_s,
                                                 u"80 06 65 64 69 74 65 64"_s,
                                                 u"FAIL AFTER 1"_s};
    QTest::newRow("6.4.2 frames") << u"6.4.2"_s
                                  << QStringList{u"01 0C CE BA E1 BD B9 CF 83 CE BC CE B5 F4"_s,
                                                 u"DELAY 1 TAG A"_s,
                                                 u"TIMEOUT A"_s,
                                                 u"00 01 90"_s,
                                                 u"DELAY 1 TAG B"_s,
                                                 u"TIMEOUT B"_s,
                                                 u"80 08 80 80 65 64 69 74 65 64"_s,
                                                 u"FAIL AFTER 1"_s};
    // One frame declaring 21 octets, its payload in three writes, then endMessage.
    QTest::newRow("6.4.3 chops") << u"6.4.3"_s
                                 << QStringList{u"HEADER 01 15"_s,
                                                u"DATA CE BA E1 BD B9 CF 83 CE BC CE B5"_s,
                                                u"DELAY 1 TAG A"_s,
                                                u"TIMEOUT A"_s,
                                                u"DATA F4 90 80 80"_s,
                                                u"DELAY 1 TAG B"_s,
                                                u"TIMEOUT B"_s,
                                                u"DATA 65 64 69 74 65 64"_s,
                                                u"80 00"_s,
                                                u"FAIL AFTER 1"_s};
    QTest::newRow("6.4.4 chops")
        << u"6.4.4"_s
        << QStringList{u"HEADER 01 15"_s,  u"DATA CE BA E1 BD B9 CF 83 CE BC CE B5 F4"_s,
                       u"DELAY 1 TAG A"_s, u"TIMEOUT A"_s,
                       u"DATA 90"_s,       u"DELAY 1 TAG B"_s,
                       u"TIMEOUT B"_s,     u"DATA 80 80 65 64 69 74 65 64"_s,
                       u"80 00"_s,         u"FAIL AFTER 1"_s};
    QTest::newRow("6.5.1 generated")
        << u"6.5.1"_s << QStringList{u"MESSAGE text 11 fragments of 0"_s, u"FAIL AFTER 0.5"_s};
    QTest::newRow("10.1.1 auto-fragmentation")
        << u"10.1.1"_s
        << QStringList{u"MESSAGE text 65536 fragments of 1300"_s, u"FAIL AFTER 10"_s};
}

void TestCaseCatalog::serverRoleOctets()
{
    QFETCH(QString, id);
    QFETCH(QStringList, script);
    QCOMPARE(lower(serverScript(get(id))), lower(script));
}

void TestCaseCatalog::transportModes_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("sync");
    QTest::addColumn<int>("chopSize");
    QTest::newRow("1.1.7 plain") << u"1.1.7"_s << false << 0;
    QTest::newRow("1.1.8 chops of 997") << u"1.1.8"_s << false << 997;
    QTest::newRow("1.2.8 chops of 997") << u"1.2.8"_s << false << 997;
    QTest::newRow("2.6 chop1") << u"2.6"_s << false << 1;
    QTest::newRow("2.10 plain") << u"2.10"_s << false << 0;
    QTest::newRow("2.11 chop1") << u"2.11"_s << false << 1;
    QTest::newRow("3.2 plain") << u"3.2"_s << false << 0;
    QTest::newRow("3.3 sync") << u"3.3"_s << true << 0;
    QTest::newRow("3.4 chop1") << u"3.4"_s << false << 1;
    QTest::newRow("4.1.5 chop1") << u"4.1.5"_s << false << 1;
    QTest::newRow("4.2.5 chop1") << u"4.2.5"_s << false << 1;
    QTest::newRow("5.4 sync") << u"5.4"_s << true << 0;
    QTest::newRow("5.5 chop1") << u"5.5"_s << false << 1;
    QTest::newRow("5.7 sync") << u"5.7"_s << true << 0;
    QTest::newRow("5.8 chop1") << u"5.8"_s << false << 1;
    QTest::newRow("5.10 sync") << u"5.10"_s << true << 0;
    QTest::newRow("5.14 chop1") << u"5.14"_s << false << 1;
    QTest::newRow("5.19 plain") << u"5.19"_s << false << 0;
    QTest::newRow("5.20 sync") << u"5.20"_s << true << 0;
}

void TestCaseCatalog::transportModes()
{
    QFETCH(QString, id);
    QFETCH(bool, sync);
    QFETCH(int, chopSize);
    int frames = 0;
    for (const Step &s : get(id).steps) {
        if (s.kind != Step::Kind::Frame)
            continue;
        ++frames;
        QCOMPARE(s.frame.sync, sync);
        QCOMPARE(s.frame.chopSize, chopSize);
    }
    QVERIFY(frames > 0);
}

void TestCaseCatalog::fragmentedMessages_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("frames");
    QTest::addColumn<qint64>("lastFrameSize");
    QTest::newRow("6.2.1 one frame") << u"6.2.1"_s << 1 << qint64(29);
    QTest::newRow("6.2.3 29 + empty FIN") << u"6.2.3"_s << 30 << qint64(0);
    QTest::newRow("6.2.4 11 + empty FIN") << u"6.2.4"_s << 12 << qint64(0);
    QTest::newRow("6.3.1 one frame") << u"6.3.1"_s << 1 << qint64(20);
    QTest::newRow("6.3.2 20 + empty FIN") << u"6.3.2"_s << 21 << qint64(0);
    QTest::newRow("10.1.1 1 + 49 + 1") << u"10.1.1"_s << 51 << qint64(536);
}

void TestCaseCatalog::fragmentedMessages()
{
    QFETCH(QString, id);
    QFETCH(int, frames);
    QFETCH(qint64, lastFrameSize);
    const CaseDefinition &c = get(id);
    QCOMPARE(c.steps.first().kind, Step::Kind::Message);
    const Step &m = c.steps.first();
    QVERIFY(!m.binary);
    const QList<TxFrame> tx = fragmentMessage(m.payload.size(), m.binary, m.fragmentSize);
    QCOMPARE(tx.size(), frames);
    QCOMPARE(tx.last().size, lastFrameSize);
    QVERIFY(tx.last().fin);
    CountMap counts;
    for (const TxFrame &f : tx)
        ++counts[f.opcode];
    if (!c.expectedTxFrames.empty()) {
        // 10.1.1 checks the fuzzer's own frame counts: 50 continuation frames, one text frame.
        QCOMPARE(c.expectedTxFrames, (CountMap{{0, 50}, {1, 1}}));
        QCOMPARE(counts, c.expectedTxFrames);
    }
}

void TestCaseCatalog::generatedUtf8Cases()
{
    for (int group = 5; group <= 23; ++group) {
        for (const CaseDefinition *c : casesOfGroup(u"6.%1"_s.arg(group))) {
            const QByteArray where = c->id.toLatin1();
            QCOMPARE(c->steps.size(), 2);
            const Step &m = c->steps.at(0);
            QCOMPARE(m.kind, Step::Kind::Message);
            QVERIFY2(!m.binary && m.fragmentSize == 0,
                     where.constData()); // one unfragmented text frame
            QCOMPARE(c->steps.at(1).kind, Step::Kind::FailAfter);
            QCOMPARE(c->steps.at(1).seconds, 0.5);
            const bool valid =
                Utf8Validator::firstInvalidOffset(m.payload.constData(), m.payload.size()) < 0;
            const QString payloadLine =
                u"<br><br>Payload: 0x"_s + QString::fromLatin1(m.payload.toHex());
            QCOMPARE(c->expected.size(), 1);
            if (valid) {
                QCOMPARE(
                    c->description,
                    u"Send a text message with payload which is valid UTF-8 in one fragment."_s +
                        payloadLine);
                QCOMPARE(c->expectation, u"The message is echo'ed back to us."_s);
                QCOMPARE(c->expected.first().events, PeerEventList{PeerEvent::message(m.payload)});
                QVERIFY2(c->expectedClose.closedByMe && c->expectedClose.requireClean,
                         where.constData());
                QCOMPARE(c->expectedClose.closeCodes, QList<int>{1000});
                QVERIFY2(!c->expectedClose.closedByWrongEndpointIsFatal, where.constData());
            } else {
                QCOMPARE(c->description,
                         u"Send a text message with payload which is not valid UTF-8 in one "
                         u"fragment."_s +
                             payloadLine);
                QCOMPARE(c->expectation,
                         u"The connection is failed immediately, since the payload is not valid "
                         u"UTF-8."_s);
                QVERIFY2(c->expected.first().events.isEmpty(), where.constData());
                QVERIFY2(!c->expectedClose.closedByMe && !c->expectedClose.requireClean,
                         where.constData());
                QCOMPARE(c->expectedClose.closeCodes, QList<int>{1007});
                QVERIFY2(c->expectedClose.closedByWrongEndpointIsFatal, where.constData());
            }
        }
    }
}

void TestCaseCatalog::generatedUtf8Sequences()
{
    auto payload = [](const char *id) {
        return get(QString::fromLatin1(id)).steps.first().payload;
    };
    using test::hex;
    QCOMPARE(payload("6.5.1"), "hello$world"_ba);
    QCOMPARE(payload("6.5.4"), "hello"_ba + hex("f0 a4 ad a2") + "world"_ba);
    // 6.6: the 11 prefixes of κόσμε; those ending on a code point are the valid ones.
    for (int i = 1; i <= 11; ++i) {
        const CaseDefinition &c = get(u"6.6.%1"_s.arg(i));
        QCOMPARE(c.steps.first().payload, hex("ce ba e1 bd b9 cf 83 ce bc ce b5").left(i));
        QCOMPARE(c.expectedClose.closedByMe, i == 2 || i == 5 || i == 7 || i == 9 || i == 11);
    }
    QCOMPARE(payload("6.7.1"), hex("00"));
    QCOMPARE(payload("6.8.2"), hex("fc 84 80 80 80 80"));
    QCOMPARE(payload("6.11.5"), hex("f4 90 80 80"));
    QByteArray run;
    for (int c = 0x80; c <= 0xbe; ++c)
        run.append(char(c));
    QCOMPARE(payload("6.12.8"), run);
    QCOMPARE(payload("6.12.8").size(), 63);
    QCOMPARE(payload("6.13.1").size(), 62); // C0 … DE, each followed by a space
    QVERIFY(payload("6.13.1").startsWith(hex("c0 20 c1 20")));
    QVERIFY(payload("6.13.1").endsWith(hex("de 20")));
    QCOMPARE(payload("6.13.2").size(), 30); // E0 … EE
    QCOMPARE(payload("6.13.3").size(), 14); // F0 … F6
    QCOMPARE(payload("6.13.4"), hex("f8 20 f9 20 fa 20"));
    QCOMPARE(payload("6.13.5"), hex("fc 20"));
    QByteArray concatenated;
    for (int i = 1; i <= 10; ++i)
        concatenated += get(u"6.14.%1"_s.arg(i)).steps.first().payload;
    QCOMPARE(payload("6.15.1"), concatenated);
    QCOMPARE(payload("6.16.3"), hex("fe fe ff ff"));
    QCOMPARE(payload("6.19.1"), hex("c0 80"));
    QCOMPARE(payload("6.21.8"), hex("ed af bf ed bf bf"));
    QCOMPARE(payload("6.22.1"), hex("ef bf be"));
    QCOMPARE(payload("6.22.3"), hex("f0 9f bf be")); // F0 8F … is overlong and left out
    QCOMPARE(payload("6.22.9"), hex("f1 8f bf be"));
    QCOMPARE(payload("6.22.33"), hex("f4 8f bf be"));
    QCOMPARE(payload("6.22.34"), hex("f4 8f bf bf"));
    QCOMPARE(payload("6.23.5"), hex("ef bf bd"));
    QCOMPARE(get(u"6.7.1"_s).description,
             u"Send a text message with payload which is valid UTF-8 in one fragment.<br><br>"
             u"Payload: 0x00"_s);
}

void TestCaseCatalog::failFast()
{
    const QByteArray whole =
        test::hex("ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64");
    for (const char *id : {"6.4.1", "6.4.2", "6.4.3", "6.4.4"}) {
        const CaseDefinition &c = get(QString::fromLatin1(id));
        QCOMPARE(c.expected.size(), 2);
        QCOMPARE(c.expected.at(0).events, PeerEventList{PeerEvent::timeout("A")});
        QCOMPARE(c.expected.at(1).events,
                 (PeerEventList{PeerEvent::timeout("A"), PeerEvent::timeout("B")}));
        QVERIFY(!c.expectedClose.closedByMe && !c.expectedClose.requireClean);
        QCOMPARE(c.expectedClose.closeCodes, QList<int>{1007});
        QVERIFY(c.expectedClose.closedByWrongEndpointIsFatal);
        // The three parts make up the 21-octet message.
        QByteArray sent;
        for (const Step &s : c.steps) {
            if (s.kind == Step::Kind::Frame)
                sent += s.frame.payload;
            else if (s.kind == Step::Kind::FrameData)
                sent += s.payload;
            else if (s.kind == Step::Kind::FrameHeader)
                QCOMPARE(s.frame.declaredLength, std::optional<quint64>(21));
        }
        QCOMPARE(sent, whole);
    }
    QVERIFY(get(u"6.4.1"_s)
                .description.endsWith(u"<br><br>MESSAGE PARTS:<br>\nPART1 = "
                                      u"cebae1bdb9cf83cebcceb5<br>\nPART2 = f4908080<br>\n"
                                      u"PART3 = 656469746564<br>\n"_s));
    QVERIFY(
        get(u"6.4.2"_s)
            .description.endsWith(
                u"PART1 = cebae1bdb9cf83cebcceb5f4<br>\nPART2 = 90<br>\nPART3 = 8080656469746564<br>\n"_s));
    // The reference prints PART3 of 6.4.4 from an empty slice.
    QVERIFY(get(u"6.4.4"_s)
                .description.endsWith(
                    u"PART1 = cebae1bdb9cf83cebcceb5f4<br>\nPART2 = 90<br>\nPART3 = <br>\n"_s));
    QVERIFY(get(u"6.4.3"_s).expectation.startsWith(u"The first chop is accepted"_s));
    QVERIFY(get(u"6.4.1"_s).expectation.startsWith(u"The first frame is accepted"_s));
}

void TestCaseCatalog::closeCodes()
{
    const int valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                         1010, 1011, 3000, 3999, 4000, 4999};
    for (int i = 0; i < 13; ++i) {
        const CaseDefinition &c = get(u"7.7.%1"_s.arg(i + 1));
        QCOMPARE(c.steps.first().kind, Step::Kind::Close);
        QCOMPARE(c.steps.first().closeCode, std::optional<int>(valid[i]));
        QVERIFY(c.steps.first().closeReason.isEmpty());
        QCOMPARE(c.description, u"Send close with valid close code %1"_s.arg(valid[i]));
        QCOMPARE(c.expectation, u"Clean close with normal or echoed code"_s);
        QVERIFY(c.expectedClose.closedByMe && c.expectedClose.requireClean);
        QCOMPARE(c.expectedClose.closeCodes, (QList<int>{1000, valid[i]}));
        QCOMPARE(c.steps.last().kind, Step::Kind::FailAfter);
    }
    const int invalid[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
    for (int i = 0; i < 9; ++i) {
        const CaseDefinition &c = get(u"7.9.%1"_s.arg(i + 1));
        QCOMPARE(c.steps.first().closeCode, std::optional<int>(invalid[i]));
        QCOMPARE(c.description, u"Send close with invalid close code %1"_s.arg(invalid[i]));
        QCOMPARE(c.expectation, u"Clean close with protocol error code or drop TCP"_s);
        QVERIFY(c.expectedClose.closedByMe && !c.expectedClose.requireClean);
        QCOMPARE(c.expectedClose.closeCodes, QList<int>{1002});
    }
    const int informational[] = {5000, 65535};
    for (int i = 0; i < 2; ++i) {
        const CaseDefinition &c = get(u"7.13.%1"_s.arg(i + 1));
        QCOMPARE(c.steps.first().closeCode, std::optional<int>(informational[i]));
        QCOMPARE(c.expectedClose.closeCodes, (QList<int>{1000, informational[i], 1002}));
        QVERIFY(!c.expectedClose.requireClean);
        QCOMPARE(c.expectation, u"Actual events are undefined by the spec."_s);
    }
    QCOMPARE(get(u"7.13.2"_s).description, u"Send close with close code 65536"_s); // sic
    // 7.3: close payload lengths 0, 1, 2, 14, 125, 126
    const int lengths[] = {0, 1, 2, 14, 125, 126};
    for (int i = 0; i < 6; ++i) {
        const Step &s = get(u"7.3.%1"_s.arg(i + 1)).steps.first();
        QCOMPARE(s.kind, Step::Kind::Close);
        QCOMPARE((s.closeCode ? 2 : 0) + s.closeReason.size(), lengths[i]);
    }
    QCOMPARE(get(u"7.3.2"_s).expectedClose.closeCodes, QList<int>{1002});
    QCOMPARE(get(u"7.3.6"_s).expectedClose.closeCodes, QList<int>{1002});
    QCOMPARE(get(u"7.5.1"_s).expectedClose.closeCodes, (QList<int>{1002, 1007}));
    QCOMPARE(get(u"7.5.1"_s).steps.first().closeReason,
             test::hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"));
    // 7.1.6: 256 KiB from a 10-octet pattern, then "Hello World!", close 1000, an empty ping.
    const CaseDefinition &big = get(u"7.1.6"_s);
    QCOMPARE(big.steps.size(), 5);
    QCOMPARE(big.steps.at(0).frame.payload, "BAsd7&jh23"_ba);
    QCOMPARE(big.steps.at(0).frame.repeatLength, std::optional<qint64>(262144));
    QCOMPARE(big.steps.at(2).closeCode, std::optional<int>(1000));
    QCOMPARE(big.steps.at(3).frame.opcode, 9);
    QCOMPARE(big.expected.size(), 2);
    QCOMPARE(big.expected.at(0).events, PeerEventList{PeerEvent::message("Hello World!")});
    QVERIFY(big.expected.at(1).events.isEmpty());
}

void TestCaseCatalog::overridesAndSuppressedClose()
{
    for (const CaseDefinition &c : caseLibrary()) {
        const QString group = groupOf(c.id);
        CaseOverride expected = CaseOverride::None;
        bool suppress = false;
        if (group == u"7.1"_s) {
            expected =
                c.id == u"7.1.6"_s ? CaseOverride::Informational716 : CaseOverride::WrongCodeFails;
            suppress = c.id != u"7.1.1"_s;
        } else if (group == u"7.3"_s || group == u"7.5"_s) {
            expected = CaseOverride::WrongCodeFails;
            suppress = true;
        } else if (group == u"7.7"_s || group == u"7.9"_s) {
            expected = CaseOverride::WrongCodeFails;
        } else if (group == u"7.13"_s) {
            expected = CaseOverride::Undefined;
            suppress = true;
        }
        QVERIFY2(c.override == expected, qPrintable(c.id));
        QVERIFY2(c.suppressClose == suppress, qPrintable(c.id));
    }
}

void TestCaseCatalog::limits_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("logic");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("fragmentSize");
    QTest::addColumn<int>("chopSize");
    QTest::addColumn<int>("roundTrips");
    QTest::addColumn<int>("waitSeconds");

    const int timed = int(CaseLogic::TimedEcho);
    const QByteArray textPattern = "BAsd7&jh23"_ba;
    const QByteArray binaryPattern = test::hex("00 fe 23 fa f0");
    const qint64 KiB = 1024;
    const qint64 MiB = 1024 * KiB;
    const qint64 sizes[] = {64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB};
    const int textWaits[] = {10, 10, 100, 100, 100, 100};
    const int binaryWaits[] = {10, 10, 10, 10, 100, 100};
    for (int i = 0; i < 6; ++i) {
        QTest::addRow("9.1.%d", i + 1) << u"9.1.%1"_s.arg(i + 1) << timed << false << textPattern
                                       << sizes[i] << 0 << 0 << 0 << textWaits[i];
        QTest::addRow("9.2.%d", i + 1) << u"9.2.%1"_s.arg(i + 1) << timed << true << binaryPattern
                                       << sizes[i] << 0 << 0 << 0 << binaryWaits[i];
    }
    const int fragments[] = {64,       256,       KiB,      4 * KiB,     16 * KiB,
                             64 * KiB, 256 * KiB, int(MiB), int(4 * MiB)};
    for (int i = 0; i < 9; ++i) {
        QTest::addRow("9.3.%d", i + 1) << u"9.3.%1"_s.arg(i + 1) << timed << false << "*"_ba
                                       << 4 * MiB << fragments[i] << 0 << 0 << 100;
        // 9.4.1 sends 0xFE octets; the reference's 9.4.2–9.4.9 override the payload with '*'.
        QTest::addRow("9.4.%d", i + 1)
            << u"9.4.%1"_s.arg(i + 1) << timed << true << (i == 0 ? "\xfe"_ba : "*"_ba) << 4 * MiB
            << fragments[i] << 0 << 0 << 100;
    }
    const int chops[] = {64, 128, 256, 512, 1024, 2048};
    for (int i = 0; i < 6; ++i) {
        QTest::addRow("9.5.%d", i + 1) << u"9.5.%1"_s.arg(i + 1) << timed << false << textPattern
                                       << MiB << 0 << chops[i] << 0 << 1000;
        QTest::addRow("9.6.%d", i + 1) << u"9.6.%1"_s.arg(i + 1) << timed << true << binaryPattern
                                       << MiB << 0 << chops[i] << 0 << 1000;
    }
    const int rtt = int(CaseLogic::RoundTrips);
    const int rttSizes[] = {0, 16, 64, 256, 1024, 4096};
    const int rttWaits[] = {60, 60, 60, 120, 240, 480};
    for (int i = 0; i < 6; ++i) {
        QTest::addRow("9.7.%d", i + 1) << u"9.7.%1"_s.arg(i + 1) << rtt << false << "*"_ba
                                       << qint64(rttSizes[i]) << 0 << 0 << 1000 << rttWaits[i];
        QTest::addRow("9.8.%d", i + 1) << u"9.8.%1"_s.arg(i + 1) << rtt << true << "\xfe"_ba
                                       << qint64(rttSizes[i]) << 0 << 0 << 1000 << rttWaits[i];
    }
}

void TestCaseCatalog::limits()
{
    QFETCH(QString, id);
    QFETCH(int, logic);
    QFETCH(bool, binary);
    QFETCH(QByteArray, pattern);
    QFETCH(qint64, length);
    QFETCH(int, fragmentSize);
    QFETCH(int, chopSize);
    QFETCH(int, roundTrips);
    QFETCH(int, waitSeconds);
    const CaseDefinition &c = get(id);
    QCOMPARE(int(c.logic), logic);
    QCOMPARE(c.messageBinary, binary);
    QCOMPARE(c.messagePattern, pattern);
    QCOMPARE(c.messageLength, length);
    QCOMPARE(c.fragmentSize, fragmentSize);
    QCOMPARE(c.chopSize, chopSize);
    QCOMPARE(c.roundTrips, roundTrips);
    QCOMPARE(c.waitSeconds, waitSeconds);
    QVERIFY(c.reportTime);
    QVERIFY(c.steps.isEmpty());
    QVERIFY(c.expected.isEmpty());
    QVERIFY(c.expectedClose.closedByMe && c.expectedClose.requireClean);
    QCOMPARE(c.expectedClose.closeCodes, QList<int>{1000});
    QVERIFY(c.messagePattern.size() <= 10); // never materialised to megabytes
}

void TestCaseCatalog::reportStrings()
{
    // A sample of the reference's report strings, typos included.
    QCOMPARE(get(u"1.1.1"_s).description, u"Send text message with payload 0."_s);
    QCOMPARE(get(u"1.2.8"_s).description,
             u"Send binary message message with payload of length 65536. Sent out data in chops "
             u"of 997 octets."_s);
    QCOMPARE(
        get(u"1.2.1"_s).expectation,
        u"Receive echo'ed binary message (with empty payload). Clean close with normal code."_s);
    QCOMPARE(get(u"2.5"_s).expectation,
             u"Connection is failed immediately (1002/Protocol Error), since control frames are "
             u"only allowed to have payload up to and including 125 octets.."_s);
    QCOMPARE(get(u"3.3"_s).description,
             u"Send small text message, then send again with <b>RSV = 3</b>, then send Ping. "
             u"Octets are sent in frame-wise chops. Octets are sent in octet-wise chops."_s);
    QCOMPARE(get(u"3.6"_s).description, u"Send Ping with <b>RSV = 6</b>."_s);
    QCOMPARE(get(u"4.2.4"_s).description,
             u"Send small text message, then send frame with reserved control <b>Opcode = 14</b> "
             u"and non-empty payload, then send Ping."_s);
    QCOMPARE(get(u"5.13"_s).description,
             u"Send unfragmented Text Message after Continuation Frame with FIN = false, where "
             u"there is nothing to continue, sent in per-frame chops."_s);
    QVERIFY(get(u"5.19"_s).description.startsWith(
        u"A fragmented text message is sent in multiple frames. After\n   sending"_s));
    QCOMPARE(
        get(u"6.2.2"_s).description,
        u"Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point "
        u"boundary.<br><br>MESSAGE FRAGMENT 1:<br>Hello-µ@ßöä<br>48656c6c6f2dc2b540c39fc3b6c3a4"
        u"<br><br>MESSAGE FRAGMENT 2:<br>üàá-UTF-8!!<br>c3bcc3a0c3a12d5554462d382121"_s);
    QCOMPARE(get(u"6.3.1"_s).description,
             u"Send invalid UTF-8 text message unfragmented.<br><br>MESSAGE:<br>"
             u"cebae1bdb9cf83cebcceb5eda080656469746564"_s);
    QCOMPARE(get(u"7.1.6"_s).expectation.right(27), u"may only be partially recieved."_s.right(27));
    QCOMPARE(get(u"9.1.6"_s).description,
             u"Send text message message with payload of length 16 * 2**20 (16M)."_s);
    QCOMPARE(get(u"9.2.5"_s).description,
             u"Send binary message message with payload of length 8 * 2**20 (16M)."_s);
    QCOMPARE(get(u"9.3.9"_s).description,
             u"Send fragmented text message message with message payload of length 4 * 2**20 (8M). "
             u"Sent out in fragments of 4M."_s);
    QCOMPARE(get(u"9.4.9"_s).description,
             u"Send fragmented binary message message with message payload of length 4 * 2**20 "
             u"(4M). Sent out in fragments of 4M."_s);
    QCOMPARE(get(u"9.6.1"_s).expectation,
             u"Receive echo'ed binary message (with payload as sent)."_s);
    QCOMPARE(get(u"9.6.2"_s).expectation,
             u"Receive echo'ed text message (with payload as sent)."_s);
    QCOMPARE(
        get(u"9.8.6"_s).description,
        u"Send 1000 binary messages of payload size 4096 to measure implementation/network RTT "
        u"(round trip time) / latency."_s);
    QCOMPARE(
        get(u"9.7.4"_s).expectation,
        u"Receive echo'ed text messages (with payload as sent). Timeout case after 120 secs."_s);
    QCOMPARE(get(u"10.1.1"_s).description,
             u"Send text message with payload of length 65536 auto-fragmented with "
             u"<b>autoFragmentSize = 1300</b>."_s);
}

void TestCaseCatalog::deflateRows_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("waitSeconds");
    QTest::addColumn<int>("autoFragmentSize");
    // The reference's (LEN, WAITSECS, AUTOFRAG) rows, the same in every group of 12 and 13.
    const int rows[][3] = {{16, 60, 0},         {64, 60, 0},         {256, 120, 0},
                           {1024, 240, 0},      {4096, 480, 0},      {8192, 480, 0},
                           {16384, 480, 0},     {32768, 480, 0},     {65536, 480, 0},
                           {131072, 480, 0},    {8192, 480, 256},    {16384, 480, 256},
                           {32768, 480, 256},   {65536, 480, 256},   {131072, 480, 256},
                           {131072, 480, 1024}, {131072, 480, 4096}, {131072, 480, 32768}};
    for (int i = 0; i < 18; ++i) {
        QTest::addRow("row %d", i + 1) << i + 1 << rows[i][0] << rows[i][1] << rows[i][2];
    }
}

void TestCaseCatalog::deflateRows()
{
    QFETCH(int, row);
    QFETCH(int, length);
    QFETCH(int, waitSeconds);
    QFETCH(int, autoFragmentSize);
    // The corpus of each group and whether it goes as binary messages.
    const struct
    {
        const char *group;
        const char *corpus;
        bool binary;
    } groups[] = {{"12.1", "data1.json", false},         {"12.2", "lena512.bmp", true},
                  {"12.3", "pg2229.txt", true},          {"12.4", "data1.html", false},
                  {"12.5", "10.1.1.105.5439.pdf", true}, {"13.1", "data1.json", false},
                  {"13.2", "data1.json", false},         {"13.3", "data1.json", false},
                  {"13.4", "data1.json", false},         {"13.5", "data1.json", false},
                  {"13.6", "data1.json", false},         {"13.7", "data1.json", false}};
    for (const auto &g : groups) {
        const CaseDefinition &c = get(QString::fromLatin1(g.group) + u".%1"_s.arg(row));
        const QByteArray where = c.id.toLatin1();
        QCOMPARE(c.logic, CaseLogic::DeflateEchoes);
        QCOMPARE(c.corpus, QString::fromLatin1(g.corpus));
        QVERIFY2(c.messageBinary == g.binary, where.constData());
        QCOMPARE(c.messageLength, qint64(length));
        QCOMPARE(c.waitSeconds, waitSeconds);
        QCOMPARE(c.fragmentSize, autoFragmentSize);
        QCOMPARE(c.roundTrips, 1000);
        QVERIFY2(c.reportTime && c.reportCompressionRatio, where.constData());
        QVERIFY2(c.messagePattern.isEmpty() && c.chopSize == 0, where.constData());
        // We close with 1000 after the last echo (or at once when UNIMPLEMENTED).
        QVERIFY2(c.expectedClose.closedByMe && c.expectedClose.requireClean, where.constData());
        QCOMPARE(c.expectedClose.closeCodes, QList<int>{1000});
        QVERIFY2(c.expected.isEmpty() && c.steps.isEmpty(), where.constData());
        QVERIFY2(!c.suppressClose && c.override == CaseOverride::None, where.constData());
    }
}

void TestCaseCatalog::deflateOffers_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<QStringList>("offers");
    const QString base =
        u"permessage-deflate; client_no_context_takeover; client_max_window_bits"_s;
    for (int j = 1; j <= 5; ++j)
        QTest::addRow("12.%d default", j) << u"12.%1"_s.arg(j) << QStringList{base};
    QTest::newRow("13.1 (F, 0)") << u"13.1"_s << QStringList{base};
    QTest::newRow("13.2 (T, 0)") << u"13.2"_s
                                 << QStringList{base + u"; server_no_context_takeover"_s};
    QTest::newRow("13.3 (F, 9)") << u"13.3"_s
                                 << QStringList{base + u"; server_max_window_bits=9"_s};
    QTest::newRow("13.4 (F, 15)") << u"13.4"_s
                                  << QStringList{base + u"; server_max_window_bits=15"_s};
    QTest::newRow("13.5 (T, 9)")
        << u"13.5"_s
        << QStringList{base + u"; server_no_context_takeover; server_max_window_bits=9"_s};
    QTest::newRow("13.6 (T, 15)")
        << u"13.6"_s
        << QStringList{base + u"; server_no_context_takeover; server_max_window_bits=15"_s};
    // Three offers in preference order: one Sec-WebSocket-Extensions header, comma-joined.
    QTest::newRow("13.7 [(T, 9), (T, 0), (F, 0)]")
        << u"13.7"_s
        << QStringList{base + u"; server_no_context_takeover; server_max_window_bits=9"_s,
                       base + u"; server_no_context_takeover"_s, base};
}

void TestCaseCatalog::deflateOffers()
{
    QFETCH(QString, group);
    QFETCH(QStringList, offers);
    const QList<const CaseDefinition *> cases = casesOfGroup(group);
    QCOMPARE(cases.size(), 18);
    for (const CaseDefinition *c : cases)
        QCOMPARE(c->extensionOffers, offers);
    // No other case offers an extension.
    if (group == u"12.1"_s) {
        for (const CaseDefinition &c : caseLibrary()) {
            if (!c.id.startsWith(u"12."_s) && !c.id.startsWith(u"13."_s))
                QVERIFY2(c.extensionOffers.isEmpty() && !c.reportCompressionRatio,
                         qPrintable(c.id));
        }
    }
}

void TestCaseCatalog::deflateReportStrings()
{
    QCOMPARE(get(u"12.1.1"_s).description,
             u"Send 1000 compressed messages each of payload size 16, auto-fragment to 0 octets. "
             u"Use default permessage-deflate offer."_s);
    QCOMPARE(get(u"12.5.18"_s).description,
             u"Send 1000 compressed messages each of payload size 131072, auto-fragment to 32768 "
             u"octets. Use default permessage-deflate offer."_s);
    QCOMPARE(get(u"12.2.3"_s).expectation,
             u"Receive echo'ed messages (with payload as sent). Timeout case after 120 secs."_s);
    QCOMPARE(get(u"13.3.11"_s).description,
             u"Send 1000 compressed messages each of payload size 8192, auto-fragment to 256 "
             u"octets. Use permessage-deflate client offers (requestNoContextTakeover, "
             u"requestMaxWindowBits): [(False, 9)]"_s);
    QCOMPARE(get(u"13.7.1"_s).description,
             u"Send 1000 compressed messages each of payload size 16, auto-fragment to 0 octets. "
             u"Use permessage-deflate client offers (requestNoContextTakeover, "
             u"requestMaxWindowBits): [(True, 9), (True, 0), (False, 0)]"_s);
    QCOMPARE(get(u"13.7.18"_s).expectation,
             u"Receive echo'ed messages (with payload as sent). Timeout case after 480 secs."_s);
}

void TestCaseCatalog::select_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QStringList>("excludes");
    QTest::addColumn<QStringList>("expected"); // ids, or {"<count>"} for long lists

    QStringList framing;
    for (int g = 1; g <= 2; ++g)
        for (int n = 1; n <= 8; ++n)
            framing << u"1.%1.%2"_s.arg(g).arg(n);
    QTest::newRow("1.*") << QStringList{u"1.*"_s} << QStringList() << framing;
    QTest::newRow("overlapping patterns, no duplicates")
        << QStringList{u"1.2.*"_s, u"1.*"_s, u"1.1.1"_s} << QStringList() << framing;
    QTest::newRow("9.*.2") << QStringList{u"9.*.2"_s} << QStringList()
                           << QStringList{u"9.1.2"_s, u"9.2.2"_s, u"9.3.2"_s, u"9.4.2"_s,
                                          u"9.5.2"_s, u"9.6.2"_s, u"9.7.2"_s, u"9.8.2"_s};
    QTest::newRow("exact id") << QStringList{u"6.4.1"_s} << QStringList()
                              << QStringList{u"6.4.1"_s};
    QTest::newRow("library order, not pattern order")
        << QStringList{u"10.1.1"_s, u"2.1"_s, u" 1.1.1 "_s} << QStringList()
        << QStringList{u"1.1.1"_s, u"2.1"_s, u"10.1.1"_s};
    QTest::newRow("excludes") << QStringList{u"2.*"_s} << QStringList{u"2.1*"_s}
                              << QStringList{u"2.2"_s, u"2.3"_s, u"2.4"_s, u"2.5"_s,
                                             u"2.6"_s, u"2.7"_s, u"2.8"_s, u"2.9"_s};
    QTest::newRow("7 without 7.7 and 7.9")
        << QStringList{u"7.*"_s} << QStringList{u"7.7.*"_s, u"7.9.*"_s} << QStringList{u"15"_s};
    QTest::newRow("*") << QStringList{u"*"_s} << QStringList() << QStringList{u"517"_s};
    QTest::newRow("nothing given = all") << QStringList() << QStringList() << QStringList{u"517"_s};
    QTest::newRow("all but 9, 12, 13 and 6.5+")
        << QStringList{u"*"_s}
        << QStringList{u"9.*"_s,   u"6.5.*"_s,  u"6.6.*"_s,  u"6.7.*"_s, u"6.8.*"_s,
                       u"6.9.*"_s, u"6.1?.*"_s, u"6.2?.*"_s, u"12.*"_s,  u"13.*"_s}
        << QStringList{u"115"_s};
    QTest::newRow("12 and 13") << QStringList{u"12.*"_s, u"13.*"_s} << QStringList()
                               << QStringList{u"216"_s};
    QTest::newRow("row 18 of every deflate group")
        << QStringList{u"1?.*.18"_s} << QStringList()
        << QStringList{u"12.1.18"_s, u"12.2.18"_s, u"12.3.18"_s, u"12.4.18"_s,
                       u"12.5.18"_s, u"13.1.18"_s, u"13.2.18"_s, u"13.3.18"_s,
                       u"13.4.18"_s, u"13.5.18"_s, u"13.6.18"_s, u"13.7.18"_s};
    QTest::newRow("excluding everything")
        << QStringList{u"1.1.1"_s} << QStringList{u"*"_s} << QStringList{u"0"_s};
}

void TestCaseCatalog::select()
{
    QFETCH(QStringList, patterns);
    QFETCH(QStringList, excludes);
    QFETCH(QStringList, expected);
    QString error = u"stale"_s;
    const QList<const CaseDefinition *> chosen = selectCases(patterns, excludes, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    bool isCount = false;
    const int count = expected.size() == 1 ? expected.first().toInt(&isCount) : 0;
    if (isCount)
        QCOMPARE(chosen.size(), count);
    else
        QCOMPARE(ids(chosen), expected);
    for (qsizetype i = 1; i < chosen.size(); ++i)
        QVERIFY(caseIndex(chosen.at(i - 1)->id) < caseIndex(chosen.at(i)->id));
}

void TestCaseCatalog::selectErrors()
{
    QString error;
    QVERIFY(selectCases({u"1.1.99"_s}, {}, &error).isEmpty());
    QCOMPARE(error,
             u"no case matches \"1.1.99\"; close matches: 1.1.1, 1.1.2, 1.1.3, 1.1.4, 1.1.5"_s);

    // Any include that matches nothing fails the whole selection.
    QVERIFY(selectCases({u"1.*"_s, u"6.4.9"_s}, {}, &error).isEmpty());
    QVERIFY2(error.startsWith(u"no case matches \"6.4.9\"; close matches: 6.4."_s),
             qPrintable(error));

    // A group without its wildcard is not a case id.
    QVERIFY(selectCases({u"7.13"_s}, {}, &error).isEmpty());
    QVERIFY2(error.contains(u"7.13.1"_s), qPrintable(error));

    // Excludes that match nothing are not an error; a null error pointer is allowed.
    QCOMPARE(selectCases({u"3.*"_s}, {u"99.*"_s}, nullptr).size(), 7);
    QVERIFY(selectCases({u"14.*"_s}, {}, nullptr).isEmpty());
}

QTEST_GUILESS_MAIN(TestCaseCatalog)
#include "tst_casecatalog.moc"
