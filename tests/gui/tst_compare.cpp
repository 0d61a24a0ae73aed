// SPDX-License-Identifier: MIT
// Compare, as a user drives it offscreen: two connections to the embedded echo server, the
// second sending something different; Ctrl+click selects the first beside the shown one, and
// Compare With… shows their frames side by side: the summary, the tinted cells, "Only
// differences", F8 to the next difference and the words for what differs. Without a second
// selected row, Compare With… asks for it.
#include "echo/echoserver.h"
#include "gui/comparewindow.h"
#include "gui/connectionlist.h"
#include "gui/mainwindow.h"
#include "gui/sessioncontroller.h"
#include "gui/tracestore.h"
#include "testutils.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QInputDialog>
#include <QLabel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

using test::textMessage;

// Cells with a background: the ones the view tints as differing or on one side only.
int tintedCells(const QAbstractItemModel *model)
{
    int count = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column) {
            if (model->index(row, column).data(Qt::BackgroundRole).isValid())
                ++count;
        }
    }
    return count;
}

QList<CompareWindow *> compareWindows(const MainWindow &window)
{
    return window.findChildren<CompareWindow *>();
}

} // namespace

class tst_Compare : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_recordings;

    void runConnection(MainWindow &window, const StepList &steps, int textFrames)
    {
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        window.controller()->run(steps);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 5000);
        window.store()->drain();
        const auto texts = [&window] {
            int n = 0;
            for (const FrameRecord &f : window.store()->trace().frames())
                n += f.opcode == 1 ? 1 : 0;
            return n;
        };
        QTRY_COMPARE(texts(), textFrames); // ours and their echoes
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_recordings.isValid());
    }

    void compareTwoConnections()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        SessionController::Recording recording;
        recording.folder = m_recordings.path();
        window.controller()->setRecording(recording);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *compare = window.findChild<QAction *>(u"actionCompareConnections"_s);
        QVERIFY(compare);

        runConnection(window, {textMessage("hello world"), test::closeStep(1000)}, 2);
        QVERIFY(!compare->isEnabled()); // one connection: nothing to compare it with
        runConnection(window,
                      {textMessage("hello World"), textMessage("and more"), test::closeStep(1000)},
                      4);
        QVERIFY(compare->isEnabled());
        QCOMPARE(window.connections()->current(), 1);

        // Ctrl+click the first connection: selected beside the shown one, which stays shown.
        QTableView *list = window.connectionsView();
        const QRect first = list->visualRect(window.connections()->index(0, 0));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::ControlModifier, first.center());
        QCOMPARE(window.connections()->current(), 1);
        QCOMPARE(list->selectionModel()->selectedRows().size(), 2);

        compare->trigger();
        QCOMPARE(compareWindows(window).size(), 1);
        CompareWindow *view = compareWindows(window).first();
        QVERIFY(QTest::qWaitForWindowExposed(view));
        // The older one on the left; both named with their row and start time (one URL).
        QVERIFY2(view->model()->left().name.startsWith(u"1. "_s + echo.url().toString()),
                 qPrintable(view->model()->left().name));
        QVERIFY(view->model()->right().name.startsWith(u"2. "_s + echo.url().toString()));

        // Our text and its echo differ at octet 6, "and more" and its echo are only on the
        // right, the close frames are equal (their random mask keys are no difference).
        QCOMPARE(view->summaryText(), u"2 equal · 2 differing · 0 only left · 2 only right"_s);
        QCOMPARE(view->findChild<QLabel *>(u"compareClosing"_s)->text(), u"Closing: the same."_s);
        QCOMPARE(view->model()->rowCount(), 6);
        // The payload cell on both sides of the two changed frames; all eight cells of the
        // right side of the two added ones.
        QCOMPARE(tintedCells(view->model()), 2 * 2 + 2 * CompareModel::SideColumnCount);
        const QModelIndex payload =
            view->model()->index(0, CompareModel::leftColumn(CompareModel::PayloadColumn));
        QCOMPARE(payload.data().toString(), u"hello world"_s);
        QCOMPARE(view->model()
                     ->index(0, CompareModel::rightColumn(CompareModel::PayloadColumn))
                     .data()
                     .toString(),
                 u"hello World"_s);
        QVERIFY(payload.data(Qt::BackgroundRole).isValid());
        QVERIFY(!view->model()
                     ->index(0, CompareModel::leftColumn(CompareModel::OpcodeColumn))
                     .data(Qt::BackgroundRole)
                     .isValid());

        // F8: the first difference, in words; again: the next one.
        view->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(view));
        QTest::keyClick(view->table(), Qt::Key_F8);
        QVERIFY(view->table()->currentIndex().isValid());
        const int firstDifference = view->table()->currentIndex().row();
        QVERIFY(view->model()->rowAt(firstDifference).isDifference());
        QCOMPARE(view->detailText(),
                 u"TX frame 1 ↔ frame 1: payload differs from octet 6: 0x77 ↔ 0x57."_s);
        QTest::keyClick(view->table(), Qt::Key_F8);
        const int secondDifference = view->table()->currentIndex().row();
        QVERIFY(secondDifference > firstDifference);
        QVERIFY(view->model()->rowAt(secondDifference).isDifference());
        QTest::keyClick(view->table(), Qt::Key_F8, Qt::ShiftModifier);
        QCOMPARE(view->table()->currentIndex().row(), firstDifference);
        // The rows in between that are equal are skipped; past the last, it says so.
        while (view->goToDifference(true)) {
        }
        QCOMPARE(view->detailText(), u"No difference after this row."_s);

        // Only differences: the two equal close frames are hidden; the selection stays.
        view->table()->setCurrentIndex(view->model()->index(firstDifference, 0));
        view->onlyDifferencesBox()->setChecked(true);
        QCOMPARE(view->model()->rowCount(), 4);
        for (int row = 0; row < 4; ++row)
            QVERIFY(view->model()->rowAt(row).isDifference());
        QCOMPARE(view->model()->diffIndexOf(view->table()->currentIndex().row()), firstDifference);
        QCOMPARE(tintedCells(view->model()), 2 * 2 + 2 * CompareModel::SideColumnCount);
        view->onlyDifferencesBox()->setChecked(false);
        QCOMPARE(view->model()->rowCount(), 6);

        // WSI_COMPARE_SCREENSHOT=FILE.png: the view saved to look at, light and dark.
        if (const QString shot = qEnvironmentVariable("WSI_COMPARE_SCREENSHOT"); !shot.isEmpty()) {
            view->onlyDifferencesBox()->setChecked(false);
            view->goToDifference(true);
            QVERIFY(view->grab().save(shot));
            window.applyTheme(MainWindow::Theme::Dark);
            QCoreApplication::processEvents();
            QVERIFY(view->grab().save(QString(shot).replace(u".png"_s, u"-dark.png"_s)));
            window.applyTheme(MainWindow::Theme::System);
        }

        // Without a second row selected, Compare With… asks which one.
        view->close();
        QTRY_COMPARE(compareWindows(window).size(), 0);
        const QRect second = list->visualRect(window.connections()->index(1, 0));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, second.center());
        QCOMPARE(list->selectionModel()->selectedRows().size(), 1);
        bool asked = false;
        QTimer::singleShot(0, qApp, [&asked] {
            QTRY_VERIFY(qobject_cast<QInputDialog *>(QApplication::activeModalWidget()));
            auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            asked = true;
            QVERIFY(dialog->comboBoxItems().size() == 1);
            QVERIFY(dialog->comboBoxItems().first().startsWith(u"1. "_s));
            dialog->accept();
        });
        compare->trigger();
        QVERIFY(asked);
        QCOMPARE(compareWindows(window).size(), 1);
        QCOMPARE(compareWindows(window).first()->summaryText(),
                 u"2 equal · 2 differing · 0 only left · 2 only right"_s);
    }

    void rowsInWords()
    {
        // Hand-built: our frame with a fixed key, the server's echo; the right side flips RSV1
        // of the echo, changes our key and one payload octet, and adds a 16-bit length field.
        const auto ours = [](quint32 key, const QByteArray &payload, LengthEncoding encoding) {
            FrameSpec spec;
            spec.payload = payload;
            spec.maskMode = MaskMode::Fixed;
            spec.maskKey = key;
            spec.lengthEncoding = encoding;
            return txFrameRecord(spec, encodeFrame(spec).size(), 0, 0);
        };
        const auto echo = [](const QByteArray &payload, quint8 rsv) {
            FrameRecord f;
            f.direction = Direction::Rx;
            f.timeNs = 10;
            f.streamOffset = 0;
            f.opcode = 1;
            f.rsv = rsv;
            f.payloadLength = quint64(payload.size());
            f.payload = payload;
            return f;
        };
        const auto traceOf = [](std::vector<FrameRecord> frames) {
            auto trace = std::make_shared<Trace>();
            TraceBatch batch;
            for (FrameRecord &f : frames)
                batch.add(std::move(f));
            trace->append(std::move(batch));
            return std::shared_ptr<const Trace>(trace);
        };
        CompareSide left{u"before"_s,
                         traceOf({ours(0x01020304, "0123456789abAc", LengthEncoding::Auto),
                                  echo("0123456789abAc", 0)}),
                         {}};
        CompareSide right{u"after"_s,
                          traceOf({ours(0xdeadbeef, "0123456789abBc", LengthEncoding::Bits16),
                                   echo("0123456789abAc", 4)}),
                          {}};
        CompareModel model(left, right);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.describe(0), u"TX frame 1 ↔ frame 1: mask key: 01 02 03 04 ↔ de ad be ef; "
                                    u"length encoding: 7-bit ↔ 16-bit; payload differs from "
                                    u"octet 12: 0x41 ↔ 0x42."_s);
        QCOMPARE(model.describe(1), u"RX frame 2 ↔ frame 2: RSV1: 0 ↔ 1."_s);
        // The cells that say so are tinted: mask key, length and payload; RSV.
        QCOMPARE(tintedCells(&model), 2 * 3 + 2 * 1);
        QCOMPARE(
            model.index(0, CompareModel::rightColumn(CompareModel::LengthColumn)).data().toString(),
            u"14 (16-bit)"_s);
        QCOMPARE(model.summaryText(), u"0 equal · 2 differing · 0 only left · 0 only right"_s);

        // A HAR-like trace on the right: its header fields are unknown, not different.
        FrameRecord har = echo("0123456789abAc", 0);
        har.streamOffset = -1;
        FrameRecord harOurs = har;
        harOurs.direction = Direction::Tx;
        harOurs.timeNs = 0;
        CompareSide fromHar{u"browser"_s, traceOf({harOurs, har}), {}};
        CompareModel withHar(left, fromHar);
        QCOMPARE(withHar.summaryText(),
                 u"The 2 frames are the same (2 with fields that cannot be compared)."_s);
        QCOMPARE(
            withHar.index(0, CompareModel::rightColumn(CompareModel::MaskColumn)).data().toString(),
            u"unknown"_s);
        QCOMPARE(tintedCells(&withHar), 0);
        QVERIFY2(withHar.describe(0).startsWith(u"TX frame 1 ↔ frame 1: the same. FIN, RSV, "
                                                u"masking and length encoding are unknown"_s),
                 qPrintable(withHar.describe(0)));
    }
};

QTEST_MAIN(tst_Compare)
#include "tst_compare.moc"
