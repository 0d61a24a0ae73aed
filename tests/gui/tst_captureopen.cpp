// SPDX-License-Identifier: MIT
// File ▸ Open Capture as a user meets it, offscreen: a large capture's entry is there at once,
// its first frames show while the rest is still read ("loading NN %"), Delete while loading
// stops the reader, and another tool's capture with two TCP streams lists both and opens the
// second as an entry of its own.
#include "capturegen.h"
#include "gui/captureloader.h"
#include "gui/connectionlist.h"
#include "gui/frametablemodel.h"
#include "gui/mainwindow.h"
#include "gui/tracestore.h"

#include <QApplication>
#include <QComboBox>
#include <QInputDialog>
#include <QMessageBox>
#include <QPointer>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kFrames = 4000;
constexpr qint64 kFrameOctets = 60'000; // 240 MB in all

QString stateText(const MainWindow &window, int row)
{
    return window.connections()->index(row, ConnectionListModel::StateColumn).data().toString();
}

QList<QByteArray> shownTexts(const MainWindow &window)
{
    QList<QByteArray> out;
    const Trace &trace = window.store()->trace();
    for (const FrameRecord &f : trace.frames()) {
        if (f.opcode == 1)
            out << trace.framePayload(f);
    }
    return out;
}

} // namespace

class tst_CaptureOpen : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_large;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_large = m_dir.filePath(u"large.pcapng"_s);
        QString error;
        QVERIFY2(test::writeFloodCapture(m_large, kFrames, kFrameOctets, &error),
                 qPrintable(error));
    }

    // The frame table has rows while the entry still says it is loading; then all of them.
    void rowsBeforeTheEnd()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // What the list said when the first frames reached the table.
        QString stateAtFirstRows;
        bool loaderAtFirstRows = false;
        connect(window.frameModel(), &QAbstractItemModel::rowsInserted, this, [&] {
            if (!stateAtFirstRows.isEmpty())
                return;
            stateAtFirstRows = stateText(window, 0);
            loaderAtFirstRows = window.connections()->at(0).loader != nullptr;
        });
        QVERIFY(window.openCaptureFile(m_large));
        QCOMPARE(window.connections()->rowCount(), 1);
        QCOMPARE(window.connections()->current(), 0);
        QVERIFY(window.connections()->at(0).readOnly);
        QVERIFY2(stateText(window, 0).startsWith(u"loading 0 %"_s),
                 qPrintable(stateText(window, 0)));

        QTRY_VERIFY(window.frameModel()->rowCount() > 0);
        QVERIFY(loaderAtFirstRows);
        QVERIFY2(stateAtFirstRows.contains(QRegularExpression(u"^loading \\d+ %"_s)),
                 qPrintable(stateAtFirstRows));
        QVERIFY(!stateAtFirstRows.startsWith(u"loading 100 %"_s));

        QTRY_VERIFY_WITH_TIMEOUT(window.connections()->at(0).loader == nullptr, 120000);
        QTRY_COMPARE(window.frameModel()->rowCount(), int(kFrames));
        QTRY_COMPARE(stateText(window, 0), u"closed, from a file"_s);
        QCOMPARE(window.store()->trace().frameCount(Direction::Rx), kFrames);
        QVERIFY(window.store()->trace().storageStop() == std::nullopt);
    }

    // Delete while loading: the entry goes, the reader with it, nothing arrives afterwards.
    void deleteWhileLoading()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The user presses Delete as soon as the first frames show.
        bool loadingAtDelete = false;
        QMetaObject::Connection first;
        first = connect(window.frameModel(), &QAbstractItemModel::rowsInserted, this, [&] {
            disconnect(first);
            QTimer::singleShot(0, this, [&] {
                loadingAtDelete = window.connections()->at(0).loader != nullptr;
                window.connectionsView()->setFocus();
                QTest::keyClick(window.connectionsView(), Qt::Key_Delete);
            });
        });
        QVERIFY(window.openCaptureFile(m_large));
        QPointer<CaptureLoader> loader = window.connections()->at(0).loader;
        QVERIFY(loader);
        QTRY_COMPARE(window.connections()->rowCount(), 0);
        QVERIFY(loadingAtDelete);
        QVERIFY(loader.isNull()); // its thread was joined
        QCOMPARE(window.connections()->rowCount(), 0);
        QCOMPARE(window.frameModel()->rowCount(), 0);
        QTest::qWait(200); // nothing it posted lands anywhere
        QCOMPARE(window.frameModel()->rowCount(), 0);
        QCOMPARE(window.store()->trace().entries().size(), size_t(0));
    }

    // Two TCP streams: the first is shown, the remarks list the other, and it opens too.
    void secondStreamOpens()
    {
        const QString path = m_dir.filePath(u"two.pcapng"_s);
        QString error;
        QVERIFY(test::writeTwoStreamCapture(path, {"first stream", "second stream"}, &error));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openCaptureFile(path));
        QTRY_VERIFY(window.connections()->at(0).loader == nullptr);
        QCOMPARE(shownTexts(window), QList<QByteArray>{"first stream"});
        QCOMPARE(window.connections()->at(0).streams.size(), 2);
        QCOMPARE(window.connections()->at(0).stream, 0);
        QCOMPARE(window.connections()->at(0).url, u"ws://10.0.0.2/s"_s);
        QMessageBox *remarks = nullptr;
        QTRY_VERIFY((remarks = window.findChild<QMessageBox *>(u"openRemarks"_s)));
        QVERIFY2(remarks->text().contains(u"2 TCP streams"_s), qPrintable(remarks->text()));
        QVERIFY(remarks->text().contains(u"10.0.0.1:40002 → 10.0.0.2:80"_s));
        remarks->close();

        // The stream dialog lists both, client → server; the second is offered.
        QStringList offered;
        QTimer::singleShot(0, qApp, [&offered] {
            QTRY_VERIFY(qobject_cast<QInputDialog *>(QApplication::activeModalWidget()));
            auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
            offered = dialog->comboBoxItems();
            QVERIFY(dialog->textValue().startsWith(u"1: "_s));
            dialog->accept();
        });
        QVERIFY(window.openOtherCaptureStream(0));
        QCOMPARE(offered.size(), 2);
        QVERIFY2(offered[0].startsWith(u"0: 10.0.0.1:40001 → 10.0.0.2:80"_s),
                 qPrintable(offered[0]));
        QVERIFY(offered[1].startsWith(u"1: 10.0.0.1:40002 → 10.0.0.2:80"_s));
        QVERIFY(offered[1].endsWith(u", WebSocket"_s));
        QCOMPARE(window.connections()->rowCount(), 2);
        QCOMPARE(window.connections()->current(), 1);
        QCOMPARE(window.connections()->at(1).name, u"two.pcapng, TCP stream 1"_s);
        QTRY_VERIFY(window.connections()->at(1).loader == nullptr);
        QCOMPARE(window.connections()->at(1).stream, 1);
        QCOMPARE(shownTexts(window), QList<QByteArray>{"second stream"});
        // The first entry still shows its own stream.
        for (QMessageBox *box : window.findChildren<QMessageBox *>())
            box->close();
        window.connectionsView()->selectionModel()->setCurrentIndex(
            window.connections()->index(0, 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(window.connections()->current(), 0);
        QCOMPARE(shownTexts(window), QList<QByteArray>{"first stream"});
    }
};

QTEST_MAIN(tst_CaptureOpen)
#include "tst_captureopen.moc"
