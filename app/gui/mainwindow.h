// SPDX-License-Identifier: MIT
#pragma once

#include "capture/capturerecords.h"
#include "connectionlist.h"
#include "session/session.h"
#include "suite/cases.h"

#include <QHash>
#include <QMainWindow>
#include <QUrl>

#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
namespace Ui {
class MainWindow;
} // namespace Ui
class QAction;
class QLabel;
class QPushButton;
class QLineEdit;
class QComboBox;
class QCheckBox;
class QTabWidget;
class QTableView;
class QTimer;
class QSplitter;
QT_END_NAMESPACE

namespace wsi::cli {
class CaseCaptures;
}
namespace wsi::capture {
struct CaptureLoadResult;
}

namespace wsi::gui {

class CaptureLoader;
class CaseBrowser;
class ClosingModel;
class ConnectionListModel;
class ClosingPanel;
class ColumnChooser;
class ComposerWidget;
class ConnectionBar;
class FrameDetailPane;
class FrameFilterProxy;
class FrameTableModel;
class FindBar;
class HandshakePanel;
class MessageModel;
class SequenceWidget;
class SessionController;
class StatisticsPanel;
class TableActions;
class TraceStore;
class WireLogFilterProxy;
class WireLogModel;

// The inspector's window: connection bar, composer and sequence on the left, the live views
// (frames, messages, wire log) with the detail pane, and the closing / statistics / handshake
// panels on the right. Every view is a projection of one TraceStore.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Theme { System, Light, Dark };

    // `echoUrl`: the embedded echo server's URL, preselected when there is no history.
    explicit MainWindow(const QUrl &echoUrl = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setUrl(const QString &url);
    void connectToServer();
    void disconnectFromServer();

    // For tests and benchmarks: the parts of the window.
    [[nodiscard]] TraceStore *store() const { return m_store; }
    [[nodiscard]] SessionController *controller() const { return m_controller; }
    [[nodiscard]] ConnectionBar *connectionBar() const { return m_connectionBar; }
    [[nodiscard]] ComposerWidget *composer() const { return m_composer; }
    [[nodiscard]] SequenceWidget *sequence() const { return m_sequence; }
    [[nodiscard]] QTableView *frameView() const { return m_frameView; }
    [[nodiscard]] QTableView *wireLogView() const { return m_wireLogView; }
    [[nodiscard]] QTableView *messageView() const { return m_messageView; }
    [[nodiscard]] FrameTableModel *frameModel() const { return m_frameModel; }
    [[nodiscard]] WireLogModel *wireLogModel() const { return m_wireLogModel; }
    [[nodiscard]] MessageModel *messageModel() const { return m_messageModel; }
    [[nodiscard]] ClosingPanel *closingPanel() const { return m_closingPanel; }
    [[nodiscard]] StatisticsPanel *statisticsPanel() const { return m_statisticsPanel; }
    [[nodiscard]] FrameDetailPane *detailPane() const { return m_detailPane; }
    [[nodiscard]] QTabWidget *viewTabs() const { return m_viewTabs; }
    [[nodiscard]] QTabWidget *panelTabs() const { return m_panelTabs; }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] CaseBrowser *caseBrowser() const { return m_caseBrowser; }
    [[nodiscard]] FindBar *findBar() const { return m_findBar; }
    [[nodiscard]] HandshakePanel *handshakePanel() const { return m_handshakePanel; }
    [[nodiscard]] ConnectionListModel *connections() const { return m_connections; }
    [[nodiscard]] QTableView *connectionsView() const { return m_connectionsView; }
    // Opens a capture file as a connection of its own; false (and a message) when it cannot.
    // A capture opens at once and fills as it is read (CaptureLoader); `stream`: of another
    // tool's capture, the TCP stream to open (unset: chosen by the importer).
    bool openCaptureFile(const QString &path, std::optional<int> stream = std::nullopt);
    // Asks which of the TCP streams of `row`'s foreign capture to open, and opens it as an entry
    // of its own. False when cancelled or the entry has no other stream.
    bool openOtherCaptureStream(int row);
    // Saves the shown connection as a capture; false (and a message) when it cannot.
    bool saveCaptureFile(const QString &path);
    // Exports the shown connection as HAR; false (and a message) when it cannot.
    bool exportHarFile(const QString &path);
    // The context menu, Copy and frame actions of one of the three tables.
    [[nodiscard]] TableActions *tableActions(const QTableView *view) const;
    [[nodiscard]] ColumnChooser *columnChooser(const QTableView *view) const;
    // Shows a finished case's trace in the views and panels, with the case's verdicts.
    void showCaseResult(const wsi::CaseResult &result);
    // Loads a library case into the sequence editor as a scenario.
    void openCaseAsScenario(const wsi::CaseDefinition *definition);

    void applyTheme(Theme theme);

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildViews();
    // Initial column widths from the fonts and typical cell texts; the preview columns stretch.
    void sizeColumnsToContents();
    void connectActions();
    void onStateChanged(SessionState state);
    void onStoreGrown();
    void refreshPanels();
    void updateActions();
    void updateWindowTitle();
    void followNewRows();
    // Follow New Entries: a view follows while its user has not scrolled away from the bottom.
    void trackFollowing(QTableView *view);
    // The detail pane shows `frame` (or nothing, saying `why`); `fromFrameTable`: it is the frame
    // table's selection, so a filter that hides it empties the pane.
    void showFrameDetail(int frame, const QString &why = {}, bool fromFrameTable = false);
    void onFrameSelected(const QModelIndex &current);
    void onWireLogSelected(const QModelIndex &current);
    void onMessageSelected(const QModelIndex &current);
    void selectWireLogRange(Direction direction, qint64 offset, qint64 size);
    void openScenario();
    void saveScenario();
    // False when nothing was written (cancelled or failed; a failure is told in a message box).
    bool exportReport(bool json);
    void buildCaseBrowser(); // mainwindowcases.cpp
    // mainwindowcases.cpp: a case's identity and verdict in its capture (docs/captures.md §3.4).
    // The annotations a capture of the shown connection carries: the case annotation when the
    // views show a case's trace, else none.
    [[nodiscard]] QList<capture::AnnotationRecord> shownCaseAnnotations() const;
    // After a capture was read into entry `row`: with a case annotation the entry becomes that
    // case's result again (its verdicts in the list and, when shown, the closing panel).
    void adoptCaseAnnotation(int row, const QList<capture::AnnotationRecord> &annotations);
    // mainwindowconnections.cpp: the Connections list (every connection of the session kept).
    void buildConnectionsDock();
    // Moves what the views show into its entry of the list (the store's trace), before the
    // views show another connection; refreshes its row.
    void keepShownConnection();
    // Appends an entry and shows it.
    int addConnection(KeptConnection connection);
    // Shows an entry's trace in the views (asks first when a live connection would end).
    bool showConnection(int row);
    void closeConnection(int row);
    // After the store's trace was replaced by a kept or opened one: badge, title, actions, panels.
    void describeShownTrace();
    // The shown entry's row, refreshed from the store (state, verdict, counts).
    void refreshConnectionRow();
    // Past the memory budget of kept connections, the oldest recorded ones are dropped from
    // memory: they reopen from their capture file when selected.
    void trimKeptConnections();
    // A live connection that is not Closed would end if the views showed something else.
    [[nodiscard]] bool confirmEndingLiveConnection(const QString &action);
    // Ends the running connection at once (TCP dropped): its entry says it ended early.
    void endLiveConnection();
    void openCapture();
    void saveCapture();
    void exportHar();
    void editRecording();
    // Compare With…: the two rows selected in the list (Ctrl+click), else `row` (or the shown
    // one) with an entry the user picks.
    void compareConnections(int row = -1);
    // Opens the Compare view of two entries; false (and a message) when a trace cannot be read.
    bool openComparison(int left, int right);
    // "2. ws://host/ (started 10:42:07)": an entry named where its name alone may be ambiguous.
    [[nodiscard]] QString connectionLabel(int row) const;
    // Shows one imported connection as an entry of its own (read-only).
    void addImportedConnection(const QString &name, const QString &path,
                               const capture::ConnectionRecord &connection, Trace trace);
    // Reads a capture into entry `row` (the loader is open()ed): batches go to the store while
    // the entry is shown, to its kept trace while not.
    void attachCaptureLoader(int row, CaptureLoader *loader);
    void onCaptureBatch(CaptureLoader *loader, const TraceBatchPtr &batch);
    void onCaptureProgress(CaptureLoader *loader, int percent);
    void onCaptureLoaded(CaptureLoader *loader,
                         const std::shared_ptr<capture::CaptureLoadResult> &result);
    [[nodiscard]] int rowOfLoader(const CaptureLoader *loader) const;
    // The closing verdict shown: the opened case's, else the manual session's expectation.
    [[nodiscard]] ClosingVerdict currentClosingVerdict(const ClosingBehavior &closing) const;
    // The strip above the views that says what they show (cleared, paused) with one action.
    void showViewBanner(const QString &text, const QString &button);
    void hideViewBanner();
    void updateViewBanner();
    void styleViewBanner();
    void saveSettings() const;
    void restoreSettings();
    [[nodiscard]] QWidget *filterBar(bool frames);
    // The views show the models directly while no filter is set; a proxy is attached only while
    // filtering, so a flood does not pay for a per-row proxy mapping nobody looks at.
    void updateModelChains();
    [[nodiscard]] QModelIndex frameViewIndex(int frame) const;
    // The table actions' requests: resend now, append to the sequence, load into the composer.
    void connectTableActions(TableActions *actions);
    void loadIntoComposer(const wsi::Step &step);
    // Edit ▸ …: Find, then the actions of the table the views show.
    void fillEditMenu();
    // Find in Payloads found `length` octets at `offset` of `frame`'s payload.
    void showFoundFrame(int frame, qint64 offset, int length);

    std::unique_ptr<::Ui::MainWindow> m_ui;
    TraceStore *m_store = nullptr;
    SessionController *m_controller = nullptr;
    ConnectionBar *m_connectionBar = nullptr;
    ComposerWidget *m_composer = nullptr;
    SequenceWidget *m_sequence = nullptr;
    FrameTableModel *m_frameModel = nullptr;
    FrameFilterProxy *m_frameProxy = nullptr;
    WireLogModel *m_wireLogModel = nullptr;
    WireLogFilterProxy *m_wireLogProxy = nullptr;
    MessageModel *m_messageModel = nullptr;
    QTableView *m_frameView = nullptr;
    QTableView *m_wireLogView = nullptr;
    QTableView *m_messageView = nullptr;
    FindBar *m_findBar = nullptr;
    QHash<const QTableView *, TableActions *> m_tableActions;
    QHash<const QTableView *, ColumnChooser *> m_columnChoosers;
    QAction *m_stopSequenceAction = nullptr;
    QTabWidget *m_viewTabs = nullptr;
    QTabWidget *m_panelTabs = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_leftSplitter = nullptr;
    QSplitter *m_rightSplitter = nullptr; // the panels, the Connections list
    bool m_splitterPlaced = false;
    FrameDetailPane *m_detailPane = nullptr;
    ClosingPanel *m_closingPanel = nullptr;
    StatisticsPanel *m_statisticsPanel = nullptr;
    HandshakePanel *m_handshakePanel = nullptr;
    QLabel *m_statusCounters = nullptr;
    ExpectedCloseOverride m_closeOverride; // from the scenario run on this connection
    QTimer *m_panelTimer = nullptr;        // panels refresh at most every 100 ms
    QTimer *m_followTimer = nullptr;       // auto-scroll at most every 100 ms
    QUrl m_echoUrl;
    Theme m_theme = Theme::System;
    bool m_syncingSelection = false;
    // Per view (frames, wire log, messages): the user left it at the bottom, so it follows.
    QHash<const QTableView *, bool> m_following;
    bool m_autoScrolling = false; // our own scrolling does not count as the user's
    int m_detailFrame = -1;       // what the detail pane shows
    bool m_detailFromFrameTable = false;
    QString m_detailReason; // why it shows nothing
    QWidget *m_viewBanner = nullptr;
    QLabel *m_viewBannerText = nullptr;
    QPushButton *m_viewBannerButton = nullptr;
    CaseBrowser *m_caseBrowser = nullptr;
    ConnectionListModel *m_connections = nullptr;
    QTableView *m_connectionsView = nullptr;
    std::optional<CaseResult> m_openedCase; // a case result shown instead of a live session
    // The recording of the case browser's last run (mainwindowcases.cpp): a capture per case.
    std::shared_ptr<cli::CaseCaptures> m_caseCaptures;
};

} // namespace wsi::gui
