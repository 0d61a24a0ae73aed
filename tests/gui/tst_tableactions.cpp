// SPDX-License-Identifier: MIT
// The tables' context menus and Copy (TableActions), the find bar, the column chooser, and the
// detail pane's empty state, highlight and bit table. Traces are built through the core: TX
// frames encoded by encodeFrame() and recorded as the session records them, RX octets parsed by
// the real FrameParser.
#include "cli/cliparser.h"
#include "gui/columnchooser.h"
#include "gui/findbar.h"
#include "gui/framedetailpane.h"
#include "gui/frametablemodel.h"
#include "gui/hexview.h"
#include "gui/messagemodel.h"
#include "gui/tableactions.h"
#include "gui/tracestore.h"
#include "gui/wirelogmodel.h"
#include "protocol/frameparser.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(wsi::Step)

namespace {

// Records a connection the way ClientSession does: a TX frame's record, then its octets; RX
// octets, then the frames the parser completes with them.
class Recorder
{
public:
    explicit Recorder(bool derivedPayloads = true) : m_derived(derivedPayloads)
    {
        trace.setUrl(u"ws://127.0.0.1:9001/chat"_s);
        chunk(Direction::Tx, "GET /chat HTTP/1.1\r\n\r\n");
        chunk(Direction::Rx, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
        m_rxBase = trace.octetCount(Direction::Rx);
    }

    Trace trace{Trace::Limits{}};

    // A frame we send, as sendFrame() records it. Random keys are drawn here (fixed, for tests).
    int tx(FrameSpec s)
    {
        if (s.maskMode == MaskMode::Random)
            s.maskKey = 0x11223344u + quint32(trace.frames().size());
        const QByteArray bytes = encodeFrame(s);
        FrameRecord r = txFrameRecord(s, bytes.size(), ++m_time, trace.octetCount(Direction::Tx));
        const int index = int(trace.frames().size());
        trace.append(TraceRecord(std::move(r)));
        chunk(Direction::Tx, bytes);
        return index;
    }
    // Octets from the server; `kept` < size: only that many are stored (past our close).
    void rx(const QByteArray &octets, qsizetype kept = -1)
    {
        OctetChunk c;
        c.timeNs = ++m_time;
        c.streamOffset = trace.octetCount(Direction::Rx);
        c.size = octets.size();
        c.data = kept < 0 ? octets : octets.left(kept);
        c.direction = Direction::Rx;
        trace.append(TraceRecord(std::move(c)));
        std::vector<DecodedFrame> frames;
        m_parser.feed(octets, frames);
        for (DecodedFrame &f : frames)
            trace.append(TraceRecord(record(f, false)));
    }
    // The connection ends inside the frame being parsed.
    void endInsideFrame()
    {
        DecodedFrame partial = m_parser.partialFrame();
        trace.append(TraceRecord(record(partial, true)));
    }
    static QByteArray serverFrame(FrameSpec s)
    {
        if (s.maskMode == MaskMode::Random)
            s.maskMode = MaskMode::None;
        return encodeFrame(s);
    }

private:
    void chunk(Direction d, const QByteArray &octets)
    {
        OctetChunk c;
        c.timeNs = ++m_time;
        c.streamOffset = trace.octetCount(d);
        c.size = octets.size();
        c.data = octets;
        c.direction = d;
        trace.append(TraceRecord(std::move(c)));
    }
    // The session's record of a parsed frame (rxFrameRecord); this parser keeps every payload,
    // so a data frame the window's session would not keep drops it here.
    FrameRecord record(DecodedFrame &f, bool incomplete)
    {
        const bool derived = m_derived && !isControlOpcode(f.opcode);
        FrameRecord r = rxFrameRecord(DecodedFrame(f), ++m_time, m_rxBase, derived);
        r.incomplete = incomplete;
        if (derived)
            r.payload.clear(); // as the window's sessions record data frames
        return r;
    }

    bool m_derived;
    qint64 m_time = 0;
    qint64 m_rxBase = 0;
    FrameParser m_parser;
};

FrameSpec spec(int opcode, const QByteArray &payload, MaskMode mask = MaskMode::Random)
{
    FrameSpec s;
    s.opcode = opcode;
    s.payload = payload;
    s.maskMode = mask;
    return s;
}

// Splits a command line as sh does for the quoting cliCommandLine() uses: '…' and '\''.
QStringList shellWords(const QString &line)
{
    QStringList words;
    QString word;
    bool inWord = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (c == u'\'') {
            const qsizetype end = line.indexOf(u'\'', i + 1);
            word += line.mid(i + 1, end - i - 1);
            i = end;
            inWord = true;
        } else if (c == u'\\' && i + 1 < line.size()) {
            word += line[++i];
            inWord = true;
        } else if (c == u' ') {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

QTableView *tableFor(QAbstractItemModel *model)
{
    auto *view = new QTableView;
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->resize(900, 400);
    return view;
}

void selectRow(QTableView *view, int row)
{
    view->selectionModel()->setCurrentIndex(view->model()->index(row, 0),
                                            QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
}

} // namespace

class tst_TableActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<wsi::Step>(); }

    // --- FrameRecord → Step ---------------------------------------------------------------------

    // The exact step of a recorded frame encodes to the very octets that went over the wire.
    void exactStepReproducesTheOctets()
    {
        Recorder r;
        QList<int> frames;
        frames << r.tx(spec(1, "Hello"));
        FrameSpec repeated = spec(2, "BAsd7&jh23");
        repeated.repeatLength = 300;
        repeated.lengthEncoding = LengthEncoding::Bits64;
        repeated.chopSize = 7;
        frames << r.tx(repeated);
        FrameSpec odd = spec(11, "x", MaskMode::BitOnly);
        odd.fin = false;
        odd.rsv = 5;
        odd.declaredLength = 9;
        frames << r.tx(odd);
        frames << r.tx(spec(8, QByteArray("\x03\xe8", 2), MaskMode::None));
        const qsizetype rxFirst = qsizetype(r.trace.frames().size());
        r.rx(Recorder::serverFrame(spec(1, "from the server")));
        FrameSpec nonMinimal = spec(2, QByteArray(10, '\x7f'), MaskMode::None);
        nonMinimal.lengthEncoding = LengthEncoding::Bits16;
        FrameSpec maskedByServer = spec(1, "masked", MaskMode::Fixed);
        maskedByServer.maskKey = 0xa1b2c3d4;
        r.rx(Recorder::serverFrame(nonMinimal) + Recorder::serverFrame(maskedByServer));
        for (qsizetype i = rxFirst; i < qsizetype(r.trace.frames().size()); ++i)
            frames << int(i);
        QCOMPARE(frames.size(), 7);

        for (int index : frames) {
            const FrameRecord &frame = r.trace.frames()[size_t(index)];
            QString why;
            const std::optional<Step> step =
                stepForFrame(r.trace, frame, FrameStepUse::Exact, &why);
            QVERIFY2(step, qPrintable(why));
            QCOMPARE(step->kind, Step::Kind::Frame);
            QCOMPARE(encodeFrame(step->frame), r.trace.frameOctets(frame));
            QCOMPARE(step->frame.chopSize, frame.tx ? frame.tx->chopSize : 0);
        }
    }

    void resendStepMasksLikeAClient()
    {
        Recorder r;
        const int ours = r.tx(spec(1, "ours"));
        r.rx(Recorder::serverFrame(spec(1, "theirs")));
        const int theirs = ours + 1;
        const std::optional<Step> again =
            stepForFrame(r.trace, r.trace.frames()[size_t(ours)], FrameStepUse::Resend);
        QVERIFY(again);
        QCOMPARE(again->frame.maskMode, MaskMode::Random); // as it was asked
        QCOMPARE(again->frame.payload, QByteArray("ours"));
        const std::optional<Step> echo =
            stepForFrame(r.trace, r.trace.frames()[size_t(theirs)], FrameStepUse::Resend);
        QVERIFY(echo);
        QCOMPARE(echo->frame.maskMode, MaskMode::Random); // a client's frames are masked
        QCOMPARE(echo->frame.payload, QByteArray("theirs"));
        const std::optional<Step> exact =
            stepForFrame(r.trace, r.trace.frames()[size_t(theirs)], FrameStepUse::Exact);
        QCOMPARE(exact->frame.maskMode, MaskMode::None);
    }

    void incompleteFrameDeclaresItsLength()
    {
        Recorder r;
        const QByteArray whole = Recorder::serverFrame(spec(2, QByteArray(200, 'z')));
        r.rx(whole.left(60));
        r.endInsideFrame();
        const FrameRecord &frame = r.trace.frames().back();
        QVERIFY(frame.incomplete);
        const std::optional<Step> step = stepForFrame(r.trace, frame, FrameStepUse::Exact);
        QVERIFY(step);
        QCOMPARE(step->frame.declaredLength, std::optional<quint64>(200));
        QCOMPARE(step->frame.payload, whole.mid(4, 56)); // the octets that came
        QCOMPARE(encodeFrame(step->frame), whole.left(60));
    }

    void octetsNotKeptGiveNoStep()
    {
        Recorder r;
        // Past our close only the first octets of a read are stored: the payload is gone.
        r.rx(Recorder::serverFrame(spec(1, QByteArray(100, 'q'))), 64);
        const FrameRecord &frame = r.trace.frames().back();
        QVERIFY(frame.payloadDerived);
        QVERIFY(!payloadKept(r.trace, frame));
        QVERIFY(!fullPayload(r.trace, frame));
        QString why;
        QVERIFY(!stepForFrame(r.trace, frame, FrameStepUse::Exact, &why));
        QVERIFY(why.contains(u"not kept"_s));
    }

    // --- formats --------------------------------------------------------------------------------

    void payloadFormats()
    {
        const QByteArray hello("Hello");
        QCOMPARE(formatPayload(hello, PayloadFormat::Text), u"Hello"_s);
        QCOMPARE(formatPayload(hello, PayloadFormat::Hex), u"48 65 6c 6c 6f"_s);
        QCOMPARE(formatPayload(hello, PayloadFormat::Base64), u"SGVsbG8="_s);
        QCOMPARE(
            formatPayload(hello, PayloadFormat::CArray),
            u"static const unsigned char payload[] = {\n    0x48, 0x65, 0x6c, 0x6c, 0x6f\n};"_s);
        // Twelve octets a line.
        const QString wrapped = formatPayload(QByteArray(13, '\0'), PayloadFormat::CArray);
        QCOMPARE(wrapped.count(u'\n'), 3);
        QVERIFY(wrapped.contains(u"0x00,\n    0x00\n};"_s));
        QCOMPARE(formatPayload({}, PayloadFormat::CArray),
                 u"static const unsigned char payload[] = {};"_s);
    }

    // --- TableActions on the frame table ----------------------------------------------------

    void copyRowsAsTabSeparatedText()
    {
        Recorder r;
        r.tx(spec(1, "one"));
        r.rx(Recorder::serverFrame(spec(1, "two")));
        TraceStore store;
        store.reset(std::move(r.trace));
        FrameTableModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Frames, &store);
        QVERIFY(!actions.copyAction()->isEnabled()); // nothing selected
        QCOMPARE(actions.copyAction()->shortcut(), QKeySequence(QKeySequence::Copy));
        QCOMPARE(actions.copyCommandAction()->shortcut(), QKeySequence(u"Ctrl+Shift+C"_s));

        view->selectionModel()->select(QItemSelection(model.index(0, 0), model.index(1, 0)),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(actions.copyAction()->isEnabled());
        view->setColumnHidden(FrameTableModel::KeyColumn, true);
        QSignalSpy status(&actions, &TableActions::statusMessage);
        actions.copyAction()->trigger();
        const QStringList lines =
            QApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        const QStringList header = lines[0].split(u'\t');
        QCOMPARE(header.size(), FrameTableModel::NUM_COLUMNS - 1); // the hidden column left out
        QCOMPARE(header[0], model.headerData(0, Qt::Horizontal).toString());
        QVERIFY(!header.contains(
            model.headerData(FrameTableModel::KeyColumn, Qt::Horizontal).toString()));
        const QStringList first = lines[1].split(u'\t');
        QCOMPARE(first.size(), header.size());
        QCOMPARE(first[FrameTableModel::DirectionColumn], u"TX"_s);
        QCOMPARE(first.last(), model.index(0, FrameTableModel::NUM_COLUMNS - 1).data().toString());
        QVERIFY(lines[1].contains(u"one"_s));
        QVERIFY(lines[2].contains(u"two"_s));
        QCOMPARE(status.size(), 1);
        QCOMPARE(status[0][0].toString(), u"Copied 2 rows."_s);
    }

    void copyPayloadAndCommand()
    {
        Recorder r;
        FrameSpec chopped = spec(1, "a,b 'quoted'\n");
        chopped.chopSize = 3;
        const int tx = r.tx(chopped);
        r.rx(Recorder::serverFrame(spec(2, QByteArray("\x00\xff\x10", 3))));
        r.rx(Recorder::serverFrame(spec(1, QByteArray(100, 'q'))), 64); // not kept
        TraceStore store;
        store.reset(std::move(r.trace));
        FrameTableModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Frames, &store);

        selectRow(view.get(), 1);
        QVERIFY(actions.copyPayloadAction(PayloadFormat::Hex)->isEnabled());
        actions.copyPayloadAction(PayloadFormat::Hex)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"00 ff 10"_s);
        QCOMPARE(QApplication::clipboard()->mimeData()->data(u"application/octet-stream"_s),
                 QByteArray("\x00\xff\x10", 3));
        actions.copyPayloadAction(PayloadFormat::Base64)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"AP8Q"_s);

        // The command, split as the shell splits it, parses back to the frame's octets.
        selectRow(view.get(), tx);
        actions.copyCommandAction()->trigger();
        const QString command = QApplication::clipboard()->text();
        QVERIFY2(command.startsWith(u"wsinspector-cli send ws://127.0.0.1:9001/chat --frame '"_s),
                 qPrintable(command));
        QStringList words = shellWords(command);
        QCOMPARE(words.takeFirst(), u"wsinspector-cli"_s);
        const cli::ParseResult parsed = cli::parseCommandLine(words);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        QCOMPARE(parsed.command.send.steps.size(), 1);
        const Step &step = parsed.command.send.steps[0];
        const FrameRecord &frame = store.trace().frames()[size_t(tx)];
        QCOMPARE(encodeFrame(step.frame), store.trace().frameOctets(frame));
        QCOMPARE(step.frame.chopSize, 3);

        // A frame whose octets are gone: nothing to copy or send, and the menu says why.
        selectRow(view.get(), 2);
        QVERIFY(actions.copyAction()->isEnabled());
        QVERIFY(!actions.copyPayloadAction(PayloadFormat::Text)->isEnabled());
        QVERIFY(!actions.copyCommandAction()->isEnabled());
        QVERIFY(!actions.resendAction()->isEnabled());
        QVERIFY(actions.copyPayloadMenu()->title().contains(u"not kept"_s));
        QString why;
        QVERIFY(!actions.currentPayload(&why));
        QVERIFY(why.contains(u"not kept"_s));
    }

    void frameActionsEmitSteps()
    {
        Recorder r;
        r.tx(spec(1, "ours"));
        r.rx(Recorder::serverFrame(spec(1, "theirs")));
        TraceStore store;
        store.reset(std::move(r.trace));
        FrameTableModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Frames, &store);
        QSignalSpy resend(&actions, &TableActions::resendRequested);
        QSignalSpy add(&actions, &TableActions::addToSequenceRequested);
        QSignalSpy edit(&actions, &TableActions::editRequested);

        selectRow(view.get(), 1);
        actions.resendAction()->trigger();
        actions.addToSequenceAction()->trigger();
        actions.editAction()->trigger();
        QCOMPARE(resend.size(), 1);
        QCOMPARE(add.size(), 1);
        QCOMPARE(edit.size(), 1);
        for (QSignalSpy *spy : {&resend, &add, &edit}) {
            const Step step = spy->at(0).at(0).value<Step>();
            QCOMPARE(step.kind, Step::Kind::Frame);
            QCOMPARE(step.frame.payload, QByteArray("theirs"));
            QCOMPARE(step.frame.maskMode, MaskMode::Random);
        }
    }

    // The window swaps the view's model for a filter proxy (and back): the actions follow.
    void followsTheViewsModelSwap()
    {
        Recorder r;
        r.tx(spec(1, "first"));
        r.tx(spec(1, "second"));
        TraceStore store;
        store.reset(std::move(r.trace));
        FrameTableModel model(&store);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setFilterKeyColumn(FrameTableModel::PayloadColumn);
        proxy.setFilterFixedString(u"second"_s);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Frames, &store);
        view->setModel(&proxy);
        QCOMPARE(proxy.rowCount(), 1);
        selectRow(view.get(), 0);
        QTRY_VERIFY(actions.copyPayloadAction(PayloadFormat::Text)->isEnabled());
        QCOMPARE(actions.currentFrame(), 1);
        actions.copyPayloadAction(PayloadFormat::Text)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"second"_s);
    }

    void messageTableActsOnTheWholeMessage()
    {
        Recorder r;
        FrameSpec first = spec(1, "Hel", MaskMode::None);
        first.fin = false;
        FrameSpec rest = spec(0, "lo", MaskMode::None);
        r.rx(Recorder::serverFrame(first) + Recorder::serverFrame(spec(9, "p")) +
             Recorder::serverFrame(rest));
        TraceStore store;
        store.reset(std::move(r.trace));
        MessageModel model(&store);
        QCOMPARE(model.rowCount(), 1);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Messages, &store);
        selectRow(view.get(), 0);
        actions.copyPayloadAction(PayloadFormat::Text)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"Hello"_s);
        QSignalSpy resend(&actions, &TableActions::resendRequested);
        actions.resendAction()->trigger();
        QCOMPARE(resend.size(), 1);
        const Step step = resend[0][0].value<Step>();
        QCOMPARE(step.kind, Step::Kind::Message);
        QCOMPARE(step.payload, QByteArray("Hello"));
        QCOMPARE(step.binary, false);
        QCOMPARE(step.fragmentSize, 3);
        actions.copyCommandAction()->trigger();
        QCOMPARE(QApplication::clipboard()->text(),
                 u"wsinspector-cli send ws://127.0.0.1:9001/chat --message text:Hello:3"_s);
    }

    void wireLogFrameAndOctetLines()
    {
        Recorder r;
        r.tx(spec(1, "abc"));
        TraceStore store;
        store.reset(std::move(r.trace));
        WireLogModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::WireLog, &store);
        int frameRow = -1;
        int requestRow = -1;
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, 0).data(FrameIndexRole).toInt() == 0)
                frameRow = row;
            if (requestRow < 0 && model.index(row, 0).data(ChunkIndexRole).toInt() == 0)
                requestRow = row;
        }
        QVERIFY(frameRow >= 0 && requestRow >= 0);
        selectRow(view.get(), frameRow);
        QVERIFY(actions.resendAction()->isEnabled());
        actions.copyPayloadAction(PayloadFormat::Text)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"abc"_s);
        // An octet line copies its octets; it is no frame to send.
        selectRow(view.get(), requestRow);
        QVERIFY(!actions.resendAction()->isEnabled());
        actions.copyPayloadAction(PayloadFormat::Text)->trigger();
        QCOMPARE(QApplication::clipboard()->text(), u"GET /chat HTTP/1.1\r\n\r\n"_s);
    }

    void contextMenuListsTheActions()
    {
        Recorder r;
        r.tx(spec(1, "menu"));
        TraceStore store;
        store.reset(std::move(r.trace));
        FrameTableModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        TableActions actions(view.get(), TableActions::Table::Frames, &store);
        selectRow(view.get(), 0);
        std::unique_ptr<QMenu> menu(actions.createContextMenu(nullptr));
        QStringList texts;
        for (QAction *a : menu->actions()) {
            if (!a->isSeparator())
                texts << a->text().remove(u'&');
        }
        QCOMPARE(texts,
                 QStringList({u"Copy"_s, u"Copy Payload as"_s, u"Copy as wsinspector-cli Command"_s,
                              u"Resend"_s, u"Add to Sequence"_s, u"Edit in Composer"_s}));
        QCOMPARE(actions.copyPayloadMenu()->actions().size(), 4);
        for (QAction *a : menu->actions())
            QVERIFY(a->isSeparator() || a->isEnabled());
    }

    // --- find bar -----------------------------------------------------------------------------

    void findNextPreviousAndWrap()
    {
        Recorder r;
        r.tx(spec(1, "hello world"));                          // 0
        r.rx(Recorder::serverFrame(spec(1, "nothing here")));  // 1
        r.rx(Recorder::serverFrame(spec(1, "World, world!"))); // 2
        TraceStore store;
        store.reset(std::move(r.trace));
        FindBar bar(&store);
        QSignalSpy found(&bar, &FindBar::frameFound);
        bar.setText(u"world"_s);
        bar.setCaseSensitive(true);
        bar.setCurrentFrame(0);

        bar.findNext(); // after frame 0: frame 2, the lowercase one at 7
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0], QVariantList({2, qint64(7), 5}));
        QVERIFY(!bar.wrapped());
        bar.findNext(); // wraps to frame 0
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[1], QVariantList({0, qint64(6), 5}));
        QVERIFY(bar.wrapped());
        QVERIFY(bar.statusText().contains(u"wrapped"_s));
        bar.findPrevious(); // back over the start: frame 2
        QCOMPARE(found[2], QVariantList({2, qint64(7), 5}));
        QVERIFY(bar.wrapped());

        bar.setCaseSensitive(false);
        bar.setCurrentFrame(1);
        bar.findNext(); // "World" at 0 now matches
        QCOMPARE(found[3], QVariantList({2, qint64(0), 5}));
        bar.findNext(); // the next one in the same frame
        QCOMPARE(found[4], QVariantList({2, qint64(7), 5}));
        bar.findPrevious();
        QCOMPARE(found[5], QVariantList({2, qint64(0), 5}));
    }

    void findHexAndUnicodeCase()
    {
        Recorder r;
        r.rx(Recorder::serverFrame(spec(2, QByteArray("\x01\xde\xad\xbe\xef\x02", 6))));
        r.rx(Recorder::serverFrame(spec(1, "Grüße aus ÄGYPTEN")));
        TraceStore store;
        store.reset(std::move(r.trace));
        FindBar bar(&store);
        QSignalSpy found(&bar, &FindBar::frameFound);
        bar.setMode(FindBar::Mode::Hex);
        bar.setText(u"de ad BE ef"_s);
        bar.findNext();
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0], QVariantList({0, qint64(1), 4}));

        bar.setText(u"de a"_s); // half an octet
        bar.findNext();
        QCOMPARE(found.size(), 1);
        QVERIFY(bar.statusText().contains(u"two digits"_s));

        bar.setMode(FindBar::Mode::Text);
        bar.setCaseSensitive(false);
        bar.setText(u"äGYPTEN"_s);
        bar.findNext();
        QCOMPARE(found.size(), 2);
        // "Grüße aus " is 12 octets in UTF-8, "ÄGYPTEN" 8.
        QCOMPARE(found[1], QVariantList({1, qint64(12), 8}));
    }

    void findNothing()
    {
        Recorder r;
        r.tx(spec(1, "abc"));
        r.rx(Recorder::serverFrame(spec(1, "def")));
        TraceStore store;
        store.reset(std::move(r.trace));
        FindBar bar(&store);
        QSignalSpy found(&bar, &FindBar::frameFound);
        QSignalSpy none(&bar, &FindBar::notFound);
        bar.setText(u"xyz"_s);
        bar.findNext();
        QCOMPARE(found.size(), 0);
        QCOMPARE(none.size(), 1);
        QCOMPARE(bar.statusText(), u"Not found in 2 frames."_s);
        bar.setText(u"ABC"_s);
        bar.setCaseSensitive(true);
        bar.findPrevious();
        QCOMPARE(none.size(), 2);
    }

    // More frames than one slice: the search goes on from the event loop, and finds the one
    // match at the far end.
    void findWalksLargeTracesInSlices()
    {
        Recorder r;
        QByteArray octets;
        const int count = FindBar::kSliceFrames * 2 + 10;
        for (int i = 0; i < count; ++i)
            octets += Recorder::serverFrame(spec(1, i == count - 3 ? "needle" : "hay"));
        r.rx(octets);
        TraceStore store;
        store.reset(std::move(r.trace));
        QCOMPARE(int(store.trace().frames().size()), count);
        FindBar bar(&store);
        QSignalSpy found(&bar, &FindBar::frameFound);
        bar.setText(u"needle"_s);
        bar.findNext();
        QVERIFY(bar.isSearching());
        QVERIFY(found.isEmpty());
        QTRY_COMPARE(found.size(), 1);
        QCOMPARE(found[0][0].toInt(), count - 3);
        QVERIFY(!bar.isSearching());
    }

    void findBarKeys()
    {
        Recorder r;
        r.tx(spec(1, "one two one"));
        TraceStore store;
        store.reset(std::move(r.trace));
        QWidget window;
        auto *bar = new FindBar(&store, &window);
        window.addAction(bar->findAction());
        window.addAction(bar->findNextAction());
        window.addAction(bar->findPreviousAction());
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(bar->isHidden());
        QCOMPARE(bar->findAction()->shortcut(), QKeySequence(QKeySequence::Find));
        QCOMPARE(bar->findNextAction()->shortcut(), QKeySequence(Qt::Key_F3));
        QCOMPARE(bar->findPreviousAction()->shortcut(), QKeySequence(Qt::SHIFT | Qt::Key_F3));
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QVERIFY(bar->isVisible());
        QSignalSpy found(bar, &FindBar::frameFound);
        QWidget *field = QApplication::focusWidget();
        QVERIFY(qobject_cast<QLineEdit *>(field));
        QTest::keyClicks(field, u"one"_s);
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0][1].toLongLong(), 0);
        QTest::keyClick(field, Qt::Key_F3);
        QCOMPARE(found[1][1].toLongLong(), 8);
        QTest::keyClick(field, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(found[2][1].toLongLong(), 0);
        QSignalSpy closed(bar, &FindBar::closed);
        QTest::keyClick(field, Qt::Key_Escape);
        QVERIFY(bar->isHidden());
        QCOMPARE(closed.size(), 1);
    }

    // --- column chooser -------------------------------------------------------------------------

    void columnChooser()
    {
        TraceStore store;
        FrameTableModel model(&store);
        std::unique_ptr<QTableView> view(tableFor(&model));
        ColumnChooser chooser(view->horizontalHeader());
        std::unique_ptr<QMenu> menu(chooser.createMenu(nullptr));
        QCOMPARE(menu->actions().size(), FrameTableModel::NUM_COLUMNS);
        QCOMPARE(menu->actions()[FrameTableModel::KeyColumn]->text(),
                 model.headerData(FrameTableModel::KeyColumn, Qt::Horizontal).toString());
        QVERIFY(menu->actions()[FrameTableModel::KeyColumn]->isChecked());
        menu->actions()[FrameTableModel::KeyColumn]->toggle();
        QVERIFY(view->isColumnHidden(FrameTableModel::KeyColumn));

        // Down to one column: it stays.
        for (int c = 0; c < FrameTableModel::NUM_COLUMNS; ++c) {
            if (c != FrameTableModel::PayloadColumn)
                QVERIFY(chooser.setColumnVisible(c, false));
        }
        QVERIFY(!chooser.setColumnVisible(FrameTableModel::PayloadColumn, false));
        QVERIFY(!view->isColumnHidden(FrameTableModel::PayloadColumn));
        menu.reset(chooser.createMenu(nullptr));
        QVERIFY(!menu->actions()[FrameTableModel::PayloadColumn]->isEnabled());
        QVERIFY(menu->actions()[FrameTableModel::KeyColumn]->isEnabled());
        QVERIFY(chooser.setColumnVisible(FrameTableModel::TimeColumn, true));

        // The state outlives a model swap and comes back in a new view.
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        view->setModel(&proxy);
        QVERIFY(view->isColumnHidden(FrameTableModel::KeyColumn));
        QVERIFY(!view->isColumnHidden(FrameTableModel::TimeColumn));
        const QByteArray state = chooser.saveState();
        std::unique_ptr<QTableView> other(tableFor(&model));
        ColumnChooser restored(other->horizontalHeader());
        QVERIFY(restored.restoreState(state));
        QCOMPARE(restored.visibleColumnCount(), 2);
        QVERIFY(!other->isColumnHidden(FrameTableModel::PayloadColumn));
        QVERIFY(!other->isColumnHidden(FrameTableModel::TimeColumn));
        QVERIFY(other->isColumnHidden(FrameTableModel::NumberColumn));
        QVERIFY(!restored.restoreState("not a header state"));
    }

    // --- detail pane ----------------------------------------------------------------------------

    void detailPaneShowsNothingAndHighlights()
    {
        Recorder r;
        r.tx(spec(1, "find me here"));
        FrameDetailPane pane;
        pane.setFrame(r.trace, 0);
        pane.highlightPayload(5, 2);
        QCOMPARE(pane.payloadHexView()->highlightStart(), 5);
        QCOMPARE(pane.payloadHexView()->highlightLength(), 2);
        QCOMPARE(pane.frameHexView()->highlightStart(), 2 + 4 + 5); // after header and key
        QCOMPARE(pane.maskedHexView()->highlightLength(), 2);
        pane.setFrame(r.trace, 0); // a new frame shown: no stale mark
        QCOMPARE(pane.payloadHexView()->highlightLength(), 0);

        pane.showNothing(u"A handshake line is selected."_s);
        QCOMPARE(pane.frameIndex(), -1);
        QCOMPARE(pane.summaryText(), u"A handshake line is selected."_s);
        QVERIFY(pane.frameHexView()->data().isEmpty());
        QCOMPARE(pane.frameHexView()->placeholderText(), u"A handshake line is selected."_s);
    }

    // The bit table's names are never cut ("R…"): whole when the pane has room (the row labels
    // give way first), their short forms in a very narrow pane.
    void bitTableNamesFitWhenNarrow_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<bool>("whole");
        QTest::newRow("420 px") << 420 << true;
        QTest::newRow("520 px") << 520 << true;
        QTest::newRow("330 px") << 330 << false;
        QTest::newRow("260 px") << 260 << false;
    }
    void bitTableNamesFitWhenNarrow()
    {
        QFETCH(int, width);
        QFETCH(bool, whole);
        Recorder r;
        r.tx(spec(1, "x"));
        FrameDetailPane pane;
        pane.resize(width, 700);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.setFrame(r.trace, 0);
        auto *table = pane.findChild<QTableWidget *>(u"bitsTable"_s);
        QVERIFY(table);
        const QFontMetrics fm(table->font());
        // The item delegate's text margin on each side (QCommonStyle).
        const int margin =
            table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, table) + 1;
        const QStringList names =
            whole ? QStringList{u"FIN"_s, u"RSV1"_s, u"RSV2"_s, u"RSV3"_s, u"MASK"_s}
                  : QStringList{u"FIN"_s, u"R1"_s, u"R2"_s, u"R3"_s, u"M"_s};
        const QList<QTableWidgetItem *> items = {table->item(1, 0), table->item(1, 1),
                                                 table->item(1, 2), table->item(1, 3),
                                                 table->item(3, 0)};
        for (qsizetype i = 0; i < items.size(); ++i) {
            QCOMPARE(items[i]->text(), names[i]);
            const int cell = table->visualItemRect(items[i]).width();
            QVERIFY2(cell >= fm.horizontalAdvance(names[i]) + 2 * margin,
                     qPrintable(u"%1 in %2 px"_s.arg(names[i]).arg(cell)));
        }
        QVERIFY(items[1]->toolTip().contains(u"extensions"_s));
    }
};

QTEST_MAIN(tst_TableActions)
#include "tst_tableactions.moc"
