// SPDX-License-Identifier: MIT
#include "mainwindow.h"
#include "monospacefont.h"

#include "closingpanel.h"
#include "columnchooser.h"
#include "composerwidget.h"
#include "connectionbar.h"
#include "findbar.h"
#include "format.h"
#include "framedetailpane.h"
#include "framefilterproxy.h"
#include "frametablemodel.h"
#include "handshakepanel.h"
#include "messagemodel.h"
#include "modelroles.h"
#include "sequencewidget.h"
#include "sessioncontroller.h"
#include "statisticspanel.h"
#include "stepdescription.h"
#include "suite/casereport.h"
#include "suite/scenario.h"
#include "tableactions.h"
#include "theme.h"
#include "trace/report.h"
#include "tracestore.h"
#include "wheelguard.h"
#include "wirelogmodel.h"

#include "ui_mainwindow.h"

#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// The action after `action` in `menu` (nullptr: it is the last), to insert beside it.
QAction *nextActionAfter(const QMenu *menu, const QAction *action)
{
    const QList<QAction *> actions = menu->actions();
    const qsizetype at = actions.indexOf(action);
    return at >= 0 && at + 1 < actions.size() ? actions[at + 1] : nullptr;
}

QTableView *makeTableView(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(false);
    view->setWordWrap(false);
    view->setShowGrid(false);
    view->verticalHeader()->hide();
    // Fixed row heights keep a million rows scrolling smoothly (no per-row size queries).
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    return view;
}

// The preview column (a frame's payload, a message's text, a wire-log line's details) is what
// people read most, as Wireshark's Info and DevTools' Data: it takes the width the other columns
// leave, and never less than about 24 characters (then the table scrolls sideways instead of
// squeezing it to a few pixels). It is moved to the right end, so a column after it in the model
// (the violations' icon) stays next to the short columns.
class PreviewSizer final : public QObject
{
public:
    PreviewSizer(QTableView *view, int column) : QObject(view), m_view(view), m_column(column)
    {
        QHeaderView *header = view->horizontalHeader();
        header->setStretchLastSection(false);
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        header->moveSection(header->visualIndex(column), header->count() - 1);
        view->viewport()->installEventFilter(this);
        connect(header, &QHeaderView::sectionResized, this, [this](int section) {
            if (section != m_column)
                fit();
        });
        connect(header, &QHeaderView::sectionCountChanged, this, &PreviewSizer::fit);
    }

    void fit()
    {
        QHeaderView *header = m_view->horizontalHeader();
        if (m_column >= header->count() || header->isSectionHidden(m_column))
            return;
        int others = 0;
        for (int i = 0; i < header->count(); ++i)
            if (i != m_column && !header->isSectionHidden(i))
                others += header->sectionSize(i);
        const int least = m_view->fontMetrics().averageCharWidth() * 24;
        const int width = std::max(least, m_view->viewport()->width() - others);
        if (header->sectionSize(m_column) != width)
            header->resizeSection(m_column, width);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Resize || event->type() == QEvent::Show)
            fit();
        return QObject::eventFilter(watched, event);
    }

private:
    QTableView *m_view;
    int m_column;
};

void keepPreviewWide(QTableView *view, int column)
{
    if (view->property("wsiPreviewColumn").isValid())
        return; // sized once; its sizer keeps it so
    view->setProperty("wsiPreviewColumn", column);
    (new PreviewSizer(view, column))->fit();
}

// One column's initial width: its header, or the widest of `samples` (typical cell texts) in the
// column's font, whichever is wider. The view then opens with every column showing its contents.
struct ColumnSample
{
    int column;
    QStringList samples;
    bool fixedFont = false;
    bool icon = false; // a decoration (the violations' warning icon) precedes the text
};

void sizeColumns(QTableView *view, const QList<ColumnSample> &columns, int stretchColumn)
{
    QHeaderView *header = view->horizontalHeader();
    const QFontMetrics proportional(view->font());
    const QFontMetrics fixed(monospaceFont());
    QStyle *style = view->style();
    // QStyledItemDelegate's text margin on each side, and a little air against eliding.
    const int margins = 2 * (style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1) +
                        proportional.averageCharWidth();
    const int icon = style->pixelMetric(QStyle::PM_SmallIconSize, nullptr, view) + 4;
    for (const ColumnSample &c : columns) {
        const QFontMetrics &fm = c.fixedFont ? fixed : proportional;
        int width = 0;
        for (const QString &sample : c.samples)
            width = std::max(width, fm.horizontalAdvance(sample));
        width += margins + (c.icon ? icon : 0);
        view->setColumnWidth(c.column, std::max(width, header->sectionSizeHint(c.column)));
    }
    if (stretchColumn >= 0)
        keepPreviewWide(view, stretchColumn);
}

} // namespace

ClosingVerdict MainWindow::currentClosingVerdict(const ClosingBehavior &closing) const
{
    // An opened case result keeps the case's own verdict (its expectation, its overrides).
    if (m_openedCase)
        return m_openedCase->verdict.closing;
    // A free session: judged by RFC 6455 from what was done (docs/closing.md), once closed.
    return sessionClosingVerdict(m_store->trace(), closing, m_closeOverride,
                                 m_controller->sessionClockNs());
}

MainWindow::MainWindow(const QUrl &echoUrl, QWidget *parent)
    : QMainWindow(parent), m_ui(std::make_unique<::Ui::MainWindow>()), m_echoUrl(echoUrl)
{
    m_ui->setupUi(this);
    m_store = new TraceStore(this);
    m_controller = new SessionController(m_store, this);
    m_panelTimer = new QTimer(this);
    m_panelTimer->setSingleShot(true);
    m_panelTimer->setInterval(100);
    m_followTimer = new QTimer(this);
    m_followTimer->setInterval(100);
    buildViews();
    buildCaseBrowser();
    buildConnectionsDock();
    connectActions();
    // Scrolling the composer (or any pane) never turns a spin box or combo box under the mouse.
    guardWheel(this);
    restoreSettings();
    // The embedded echo server's URL is preselected (a new port each start), so a new user can
    // press Connect and see frames at once; `wsinspector URL` replaces it.
    if (echoUrl.isValid())
        m_connectionBar->setUrl(echoUrl.toString());
    onStateChanged(SessionState::Idle);
    refreshPanels();
    showFrameDetail(-1, tr("No frame selected."));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildViews()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_connectionBar = new ConnectionBar(central);
    layout->addWidget(m_connectionBar);

    auto *mainSplitter = new QSplitter(Qt::Horizontal, central);
    m_mainSplitter = mainSplitter;
    layout->addWidget(mainSplitter, 1);

    // Left: what to send.
    auto *left = new QSplitter(Qt::Vertical, mainSplitter);
    m_leftSplitter = left;
    m_composer = new ComposerWidget(left);
    m_sequence = new SequenceWidget(left);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 2);

    // Middle: what crossed the wire, and the selected frame.
    auto *middle = new QSplitter(Qt::Vertical, mainSplitter);
    auto *viewsBox = new QWidget(middle);
    m_viewTabs = new QTabWidget(viewsBox);
    m_frameModel = new FrameTableModel(m_store, this);
    m_frameProxy = new FrameFilterProxy(this);
    m_wireLogModel = new WireLogModel(m_store, this);
    m_wireLogProxy = new WireLogFilterProxy(this);
    m_messageModel = new MessageModel(m_store, this);

    // Above the views: what they show when it is not everything (cleared, paused).
    m_viewBanner = new QWidget(viewsBox);
    m_viewBanner->setObjectName(u"viewBanner"_s);
    m_viewBanner->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(m_viewBanner);
    bannerLayout->setContentsMargins(8, 4, 4, 4);
    m_viewBannerText = new QLabel(m_viewBanner);
    m_viewBannerText->setObjectName(u"viewBannerText"_s);
    m_viewBannerText->setWordWrap(true);
    bannerLayout->addWidget(m_viewBannerText, 1);
    m_viewBannerButton = new QPushButton(m_viewBanner);
    m_viewBannerButton->setObjectName(u"viewBannerButton"_s);
    bannerLayout->addWidget(m_viewBannerButton);
    m_viewBanner->hide();
    styleViewBanner();
    auto *viewsLayout = new QVBoxLayout(viewsBox);
    viewsLayout->setContentsMargins(0, 0, 0, 0);
    viewsLayout->setSpacing(0);
    viewsLayout->addWidget(m_viewBanner);
    viewsLayout->addWidget(m_viewTabs, 1);

    auto *framesPage = new QWidget(m_viewTabs);
    auto *framesLayout = new QVBoxLayout(framesPage);
    framesLayout->setContentsMargins(2, 2, 2, 2);
    framesLayout->addWidget(filterBar(true));
    // Wireshark's Ctrl+F: hidden until Edit ▸ Find in Payloads.
    m_findBar = new FindBar(m_store, framesPage);
    m_findBar->setObjectName(u"findBar"_s);
    m_findBar->hide();
    framesLayout->addWidget(m_findBar);
    m_frameView = makeTableView(m_frameModel, framesPage);
    m_frameView->setObjectName(u"frameView"_s);
    framesLayout->addWidget(m_frameView);
    m_viewTabs->addTab(framesPage, tr("&Frames"));

    m_messageView = makeTableView(m_messageModel, m_viewTabs);
    m_messageView->setObjectName(u"messageView"_s);
    m_viewTabs->addTab(m_messageView, tr("&Messages"));

    auto *wirePage = new QWidget(m_viewTabs);
    auto *wireLayout = new QVBoxLayout(wirePage);
    wireLayout->setContentsMargins(2, 2, 2, 2);
    wireLayout->addWidget(filterBar(false));
    m_wireLogView = makeTableView(m_wireLogModel, wirePage);
    m_wireLogView->setObjectName(u"wireLogView"_s);
    m_wireLogView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    wireLayout->addWidget(m_wireLogView);
    m_viewTabs->addTab(wirePage, tr("&Wire Log"));

    // The detail pane scrolls when the window is short (1280x800): the frame table keeps its
    // share of the height instead of giving it to the pane's minimum.
    auto *detailScroll = new QScrollArea(middle);
    detailScroll->setObjectName(u"detailScroll"_s);
    detailScroll->setWidgetResizable(true);
    detailScroll->setFrameShape(QFrame::NoFrame);
    // Narrower than the pane's minimum (the Cases dock open at 1280x800): it scrolls sideways
    // rather than cutting the hex dump off.
    m_detailPane = new FrameDetailPane(detailScroll);
    detailScroll->setWidget(m_detailPane);
    middle->setStretchFactor(0, 5);
    middle->setStretchFactor(1, 3);

    // Right: how it ended, the statistics, the handshake; below them the Connections list.
    m_rightSplitter = new QSplitter(Qt::Vertical, mainSplitter);
    m_panelTabs = new QTabWidget(m_rightSplitter);
    m_closingPanel = new ClosingPanel(m_panelTabs);
    m_statisticsPanel = new StatisticsPanel(m_panelTabs);
    m_handshakePanel = new HandshakePanel(m_panelTabs);
    m_panelTabs->addTab(m_closingPanel, tr("Closing"));
    m_panelTabs->addTab(m_statisticsPanel, tr("Statistics"));
    m_panelTabs->addTab(m_handshakePanel, tr("Handshake"));

    // Explicit minimums (they override the children's size hints) let the split below apply.
    // The sequence editor's buttons in one row each, in either language.
    left->setMinimumWidth(std::max(300, m_sequence->minimumSizeHint().width()));
    middle->setMinimumWidth(360);
    m_panelTabs->setMinimumWidth(300);
    m_rightSplitter->setMinimumWidth(300);
    mainSplitter->setStretchFactor(0, 0);
    mainSplitter->setStretchFactor(1, 1);
    mainSplitter->setStretchFactor(2, 0);
    setCentralWidget(central);

    m_statusCounters = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusCounters);

    for (QTableView *view : {m_frameView, m_wireLogView, m_messageView}) {
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        trackFollowing(view);
    }
    sizeColumnsToContents();
    // Context menus, Copy and the frame actions; a right click on a header chooses the columns.
    m_tableActions.insert(m_frameView,
                          new TableActions(m_frameView, TableActions::Table::Frames, m_store));
    m_tableActions.insert(m_messageView,
                          new TableActions(m_messageView, TableActions::Table::Messages, m_store));
    m_tableActions.insert(m_wireLogView,
                          new TableActions(m_wireLogView, TableActions::Table::WireLog, m_store));
    for (QTableView *view : {m_frameView, m_wireLogView, m_messageView})
        m_columnChoosers.insert(view, new ColumnChooser(view->horizontalHeader()));
    // Shown at first, as Wireshark's default columns: what a frame is and its payload; the mask
    // key and the delta times are a right click on the header away (restoreSettings() brings
    // back the user's own choice).
    m_columnChoosers.value(m_frameView)->setColumnVisible(FrameTableModel::KeyColumn, false);
    m_columnChoosers.value(m_frameView)->setColumnVisible(FrameTableModel::DeltaTimeColumn, false);
    m_columnChoosers.value(m_messageView)->setColumnVisible(MessageModel::DeltaTimeColumn, false);
}

TableActions *MainWindow::tableActions(const QTableView *view) const
{
    return m_tableActions.value(view);
}

ColumnChooser *MainWindow::columnChooser(const QTableView *view) const
{
    return m_columnChoosers.value(view);
}

void MainWindow::connectTableActions(TableActions *actions)
{
    connect(actions, &TableActions::resendRequested, this, [this](const Step &step) {
        const SessionState state = m_controller->state();
        const bool connected = state == SessionState::Open || state == SessionState::Closing;
        if (!connected || m_store->closing().halfClosed) {
            statusBar()->showMessage(
                tr("Not sent: connect first (Add to Sequence keeps the step for later)."), 5000);
            return;
        }
        m_controller->run({step});
        statusBar()->showMessage(tr("Sent again: %1").arg(StepDescription::describe(step)), 5000);
    });
    connect(actions, &TableActions::addToSequenceRequested, this, [this](const Step &step) {
        m_sequence->appendStep(step);
        if (!m_ui->actionShowComposer->isChecked())
            m_ui->actionShowComposer->setChecked(true);
        statusBar()->showMessage(
            tr("Added to the sequence: %1").arg(StepDescription::describe(step)), 5000);
    });
    connect(actions, &TableActions::editRequested, this, &MainWindow::loadIntoComposer);
    connect(actions, &TableActions::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 5000); });
}

void MainWindow::loadIntoComposer(const Step &step)
{
    if (!m_composer->loadStep(step)) {
        statusBar()->showMessage(tr("This step cannot be loaded into the composer."), 5000);
        return;
    }
    if (!m_ui->actionShowComposer->isChecked())
        m_ui->actionShowComposer->setChecked(true);
    statusBar()->showMessage(tr("Loaded into the composer: change it and send it."), 5000);
}

void MainWindow::fillEditMenu()
{
    QMenu *menu = m_ui->menuEdit;
    menu->clear();
    menu->addAction(m_findBar->findAction());
    menu->addAction(m_findBar->findNextAction());
    menu->addAction(m_findBar->findPreviousAction());
    // The table the views show; its actions keep their table-wide shortcuts.
    const QWidget *page = m_viewTabs->currentWidget();
    for (QTableView *view : {m_frameView, m_messageView, m_wireLogView}) {
        if (view != page && !page->isAncestorOf(view))
            continue;
        menu->addSeparator();
        TableActions *actions = m_tableActions.value(view);
        actions->updateActions();
        actions->addActionsTo(menu);
    }
}

void MainWindow::showFoundFrame(int frame, qint64 offset, int length)
{
    m_viewTabs->setCurrentWidget(m_frameView->parentWidget());
    const QModelIndex index = frameViewIndex(frame);
    if (index.isValid()) {
        m_frameView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
        m_frameView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    }
    if (m_detailFrame != frame)
        showFrameDetail(frame); // hidden by the filter or cleared: the pane shows it all the same
    m_detailPane->highlightPayload(offset, length);
}

void MainWindow::sizeColumnsToContents()
{
    // Sized from typical contents, not from the rows (there are none yet, and a million later):
    // row numbers and times of a long session, the longest names each column shows.
    const QString number = u"9999999"_s;
    const QString time = format::millisecondsCell(999'999'999'999); // "999999.999" ms
    const QStringList directions = {FrameTableModel::directionText(Direction::Tx),
                                    FrameTableModel::directionText(Direction::Rx), u"—"_s};
    const QString length = QString::number(16'777'216);
    using F = FrameTableModel;
    QStringList opcodes;
    for (int opcode = 0; opcode < 16; ++opcode)
        opcodes << F::opcodeText(opcode);
    const QStringList yesNo = {FrameTableModel::tr("yes"), FrameTableModel::tr("no")};
    sizeColumns(m_frameView,
                {{F::NumberColumn, {number}},
                 {F::TimeColumn, {time}},
                 {F::DirectionColumn, directions},
                 {F::OpcodeColumn, opcodes},
                 {F::FinColumn, yesNo},
                 {F::RsvColumn, {F::rsvText(0)}}, // set bits are rare; the tooltip spells them
                 {F::MaskColumn, QStringList{FrameTableModel::tr("bit-only")} + yesNo},
                 {F::KeyColumn, {u"00000000"_s}, true},
                 {F::LengthColumn, {length}},
                 // As wide as its header: the warning icon shows there is something, the tooltip
                 // lists every broken rule.
                 {F::ViolationsColumn, {}, false, true}},
                F::PayloadColumn);

    using M = MessageModel;
    const QString text = MessageModel::tr("Text");
    const QString binary = MessageModel::tr("Binary");
    sizeColumns(m_messageView,
                {{M::NumberColumn, {number}},
                 {M::TimeColumn, {time}},
                 {M::DirectionColumn, directions},
                 {M::TypeColumn,
                  {MessageModel::tr("%1 (interrupted)").arg(binary),
                   MessageModel::tr("%1 (incomplete)").arg(binary),
                   MessageModel::tr("%1 (interrupted)").arg(text),
                   MessageModel::tr("%1 (incomplete)").arg(text),
                   MessageModel::tr("%1 · %2").arg(
                       text, MessageModel::tr("compressed %1").arg(format::ratioPercent(0.999)))}},
                 {M::FramesColumn, {u"99999"_s}},
                 {M::SizeColumn, {length}},
                 {M::Utf8Column, {MessageModel::tr("yes"), MessageModel::tr("no")}}},
                M::PreviewColumn);

    using W = WireLogModel;
    QStringList kinds;
    for (int kind = int(WireLogKind::RxOctets); kind <= int(WireLogKind::ProxyFailed); ++kind)
        kinds << wireLogKindName(WireLogKind(kind));
    sizeColumns(m_wireLogView,
                {{W::IndexColumn, {number}},
                 {W::TimeColumn, {time}},
                 {W::DirectionColumn, directions},
                 {W::KindColumn, kinds},
                 {W::SizeColumn, {QString::number(65'536)}}},
                W::DetailsColumn);
}

QWidget *MainWindow::filterBar(bool frames)
{
    auto *bar = new QWidget(this);
    auto *h = new QHBoxLayout(bar);
    h->setContentsMargins(0, 0, 0, 0);
    auto *direction = new QComboBox(bar);
    direction->addItem(tr("TX and RX"));
    direction->addItem(tr("TX only"));
    direction->addItem(tr("RX only"));
    direction->setToolTip(tr("Show what was sent, received, or both"));
    h->addWidget(direction);
    auto *text = new QLineEdit(bar);
    text->setClearButtonEnabled(true);
    text->setPlaceholderText(tr("Filter text…"));
    if (frames) {
        direction->setObjectName(u"frameDirectionFilter"_s);
        text->setObjectName(u"frameTextFilter"_s);
        auto *opcodes = new QComboBox(bar);
        opcodes->setObjectName(u"frameOpcodeFilter"_s);
        opcodes->addItem(tr("All opcodes"), int(FrameFilterProxy::kAllOpcodes));
        opcodes->addItem(tr("Data frames"), int(FrameFilterProxy::kDataOpcodes));
        opcodes->addItem(tr("Control frames"), int(FrameFilterProxy::kControlOpcodes));
        for (int op = 0; op < 16; ++op)
            opcodes->addItem(FrameTableModel::opcodeText(op), int(FrameFilterProxy::opcodeBit(op)));
        h->addWidget(opcodes);
        auto *violations = new QCheckBox(tr("Violations only"), bar);
        violations->setObjectName(u"frameViolationsFilter"_s);
        h->addWidget(violations);
        connect(direction, &QComboBox::currentIndexChanged, this, [this](int i) {
            m_frameProxy->setDirectionFilter(DirectionFilter(i));
            updateModelChains();
        });
        connect(opcodes, &QComboBox::currentIndexChanged, this, [this, opcodes](int) {
            m_frameProxy->setOpcodeMask(quint16(opcodes->currentData().toInt()));
            updateModelChains();
        });
        connect(violations, &QCheckBox::toggled, this, [this](bool on) {
            m_frameProxy->setViolationsOnly(on);
            updateModelChains();
        });
        connect(text, &QLineEdit::textChanged, this, [this](const QString &t) {
            m_frameProxy->setTextFilter(t);
            updateModelChains();
        });
    } else {
        direction->setObjectName(u"wireDirectionFilter"_s);
        text->setObjectName(u"wireTextFilter"_s);
        auto *kinds = new QComboBox(bar);
        kinds->setObjectName(u"wireKindFilter"_s);
        using G = WireLogModel::KindGroup;
        using Gs = WireLogModel::KindGroups;
        kinds->addItem(tr("All entries"),
                       int(Gs(G::Octets) | G::Frames | G::Timers | G::Connection));
        kinds->addItem(tr("Octets"), int(Gs(G::Octets) | G::Connection));
        kinds->addItem(tr("Frames"), int(Gs(G::Frames) | G::Connection));
        kinds->addItem(tr("Timers"), int(Gs(G::Timers) | G::Connection));
        h->addWidget(kinds);
        connect(direction, &QComboBox::currentIndexChanged, this, [this](int i) {
            m_wireLogProxy->setDirectionFilter(DirectionFilter(i));
            updateModelChains();
        });
        connect(kinds, &QComboBox::currentIndexChanged, this, [this, kinds](int) {
            m_wireLogProxy->setKindGroups(WireLogModel::KindGroups(kinds->currentData().toInt()));
            updateModelChains();
        });
        connect(text, &QLineEdit::textChanged, this, [this](const QString &t) {
            m_wireLogProxy->setTextFilter(t);
            updateModelChains();
        });
    }
    h->addWidget(text, 1);
    return bar;
}

void MainWindow::connectActions()
{
    auto *ui = m_ui.get();
    connect(ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(ui->actionConnect, &QAction::triggered, this, &MainWindow::connectToServer);
    connect(ui->actionDisconnect, &QAction::triggered, this, &MainWindow::disconnectFromServer);
    connect(ui->actionConnectionSettings, &QAction::triggered, m_connectionBar,
            &ConnectionBar::openSettingsDialog);
    connect(m_connectionBar, &ConnectionBar::connectRequested, this, &MainWindow::connectToServer);
    connect(m_connectionBar, &ConnectionBar::disconnectRequested, this,
            &MainWindow::disconnectFromServer);
    connect(ui->actionSendFrame, &QAction::triggered, m_composer, &ComposerWidget::send);
    m_composer->setOwnSendShortcut(false); // Send Frame's Ctrl+Return works everywhere here
    connect(ui->actionRunSequence, &QAction::triggered, m_sequence, &SequenceWidget::run);
    const auto runOne = [this](Step::Kind kind) {
        return [this, kind] {
            Step s = Step::makeKind(kind);
            if (kind == Step::Kind::Close)
                s.closeCode = 1000;
            m_controller->run({s});
        };
    };
    connect(ui->actionClose, &QAction::triggered, this, runOne(Step::Kind::Close));
    connect(ui->actionFail, &QAction::triggered, this, runOne(Step::Kind::Fail));
    connect(ui->actionDrop, &QAction::triggered, this, runOne(Step::Kind::Drop));
    connect(ui->actionHalfClose, &QAction::triggered, this, runOne(Step::Kind::HalfClose));
    connect(m_composer, &ComposerWidget::sendRequested, this,
            [this](const Step &step) { m_controller->run({step}); });
    // Add to sequence, edit a step in the composer, update or cancel the edit.
    connectComposerToSequence(m_composer, m_sequence);
    // The running step marked, Stop, Connect and Run.
    connectSequenceToController(m_sequence, m_controller);
    connect(m_sequence, &SequenceWidget::runRequested, this, [this](const StepList &steps) {
        // A scenario's expectClose states what this connection's close should be.
        if (const auto expected = m_sequence->scenario().expectedClose)
            m_closeOverride = ExpectedCloseOverride::from(*expected);
        m_controller->runSequence(steps);
    });
    connect(m_sequence, &SequenceWidget::connectAndRunRequested, this,
            [this](const StepList &steps) {
                connectToServer(); // may be refused (a bad URL) or cancelled
                if (m_controller->state() != SessionState::Connecting)
                    return;
                // After connectToServer(), which forgets the last connection's expectation.
                if (const auto expected = m_sequence->scenario().expectedClose)
                    m_closeOverride = ExpectedCloseOverride::from(*expected);
                m_controller->runSequence(steps);
            });
    m_stopSequenceAction = new QAction(tr("S&top Sequence"), this);
    m_stopSequenceAction->setObjectName(u"actionStopSequence"_s);
    m_stopSequenceAction->setToolTip(tr("Stop the running sequence: the steps not yet run are "
                                        "dropped"));
    ui->menuSend->insertAction(nextActionAfter(ui->menuSend, ui->actionRunSequence),
                               m_stopSequenceAction);
    connect(m_stopSequenceAction, &QAction::triggered, m_controller, &SessionController::stopSteps);
    connect(m_controller, &SessionController::sequenceStarted, this, &MainWindow::updateActions);
    connect(m_controller, &SessionController::sequenceFinished, this, &MainWindow::updateActions);
    connect(m_sequence, &SequenceWidget::scenarioLoaded, this, [this](const Scenario &s) {
        if (!s.settings.url.isEmpty())
            m_connectionBar->setSettings(s.settings);
    });
    connect(ui->actionOpenScenario, &QAction::triggered, this, &MainWindow::openScenario);
    connect(ui->actionSaveScenario, &QAction::triggered, this, &MainWindow::saveScenario);
    connect(ui->actionExportReport, &QAction::triggered, this, [this] { exportReport(false); });
    connect(ui->actionExportJson, &QAction::triggered, this, [this] { exportReport(true); });
    // Clear and pause touch the views only: the recording (panels, reports) keeps everything.
    connect(ui->actionClear, &QAction::triggered, this, [this] {
        m_store->clearViews();
        updateViewBanner();
    });
    connect(ui->actionPauseViews, &QAction::toggled, this, [this](bool on) {
        m_store->setViewsPaused(on);
        updateViewBanner();
    });
    connect(m_store, &TraceStore::hiddenByPauseChanged, this, [this] { updateViewBanner(); });
    connect(m_viewBannerButton, &QPushButton::clicked, this, [this] {
        if (m_store->viewsPaused())
            m_ui->actionPauseViews->setChecked(false);
        else if (m_store->viewsCleared())
            m_store->undoClearViews();
        updateViewBanner();
    });
    ui->actionFollow->setChecked(true);
    connect(ui->actionFollow, &QAction::toggled, this, [this](bool on) {
        if (!on)
            return;
        // Switched on: every view goes to its newest row and follows from there.
        for (QTableView *view : {m_frameView, m_wireLogView, m_messageView})
            m_following.insert(view, true);
        followNewRows();
    });
    // The side panes fold away for room (at 1280×800 the views want all the width they can get).
    const auto showPane = [this](int pane, bool on) {
        m_mainSplitter->widget(pane)->setVisible(on);
        QList<int> sizes = m_mainSplitter->sizes();
        if (on && sizes.value(pane) == 0) {
            // It was dragged shut: it comes back at its minimum, taken from the views.
            const int want = m_mainSplitter->widget(pane)->minimumWidth();
            sizes[pane] = want;
            sizes[1] = std::max(0, sizes[1] - want);
            m_mainSplitter->setSizes(sizes);
        }
    };
    connect(ui->actionShowComposer, &QAction::toggled, this,
            [showPane](bool on) { showPane(0, on); });
    connect(ui->actionShowPanels, &QAction::toggled, this,
            [showPane](bool on) { showPane(2, on); });
    // Dragged shut, a pane is hidden as if by its action (so the action brings it back).
    connect(m_mainSplitter, &QSplitter::splitterMoved, this, [this] {
        const QList<int> sizes = m_mainSplitter->sizes();
        if (sizes.value(0) == 0 && m_mainSplitter->widget(0)->isVisible())
            m_ui->actionShowComposer->setChecked(false);
        if (sizes.value(2) == 0 && m_mainSplitter->widget(2)->isVisible())
            m_ui->actionShowPanels->setChecked(false);
    });
    connect(ui->actionAbout, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About WebSocket Inspector"),
                           tr("<h3>WebSocket Inspector %1</h3><p>Debug WebSocket servers by "
                              "hand: craft any frame, valid or deliberately broken, and see "
                              "exactly what crossed the wire and how the server closed.</p>"
                              "<p>The closing behaviour, wire statistics and wire log mean what "
                              "the Autobahn test suite's reports mean.</p>")
                               .arg(QApplication::applicationVersion()));
    });
    auto *themes = new QActionGroup(this);
    for (QAction *a : {ui->actionThemeSystem, ui->actionThemeLight, ui->actionThemeDark})
        themes->addAction(a);
    connect(ui->actionThemeSystem, &QAction::triggered, this,
            [this] { applyTheme(Theme::System); });
    connect(ui->actionThemeLight, &QAction::triggered, this, [this] { applyTheme(Theme::Light); });
    connect(ui->actionThemeDark, &QAction::triggered, this, [this] { applyTheme(Theme::Dark); });

    connect(m_controller, &SessionController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_store, &TraceStore::grown, this, &MainWindow::onStoreGrown);
    connect(m_store, &TraceStore::resetDone, this, [this] {
        for (QTableView *view : {m_frameView, m_wireLogView, m_messageView})
            m_following.insert(view, true); // a new trace is followed from its first row
        showFrameDetail(-1, tr("No frame selected."));
        m_ui->actionPauseViews->setChecked(false); // a new recording is shown live
        updateViewBanner();
        refreshPanels();
    });
    connect(m_panelTimer, &QTimer::timeout, this, &MainWindow::refreshPanels);
    connect(m_followTimer, &QTimer::timeout, this, &MainWindow::followNewRows);
    m_followTimer->start();

    updateModelChains();
    connect(m_messageView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onMessageSelected);

    for (TableActions *actions : std::as_const(m_tableActions))
        connectTableActions(actions);
    // Find in Payloads: its shortcuts work everywhere in the window; the Edit menu lists them
    // with the actions of the table shown (rebuilt each time it opens, emptied after it closed
    // so the table-wide shortcuts stay with their table).
    addActions(
        {m_findBar->findAction(), m_findBar->findNextAction(), m_findBar->findPreviousAction()});
    connect(m_ui->menuEdit, &QMenu::aboutToShow, this, &MainWindow::fillEditMenu);
    connect(m_ui->menuEdit, &QMenu::aboutToHide, this, [this] {
        QTimer::singleShot(0, m_ui->menuEdit, [this] {
            if (!m_ui->menuEdit->isVisible())
                m_ui->menuEdit->clear();
        });
    });
    connect(m_findBar, &FindBar::frameFound, this, &MainWindow::showFoundFrame);
    connect(m_findBar, &FindBar::closed, this, [this] { m_frameView->setFocus(); });
    connect(m_detailPane, &FrameDetailPane::octetRangeSelected, this,
            &MainWindow::selectWireLogRange);
}

void MainWindow::updateModelChains()
{
    const auto recheck = qScopeGuard([this] {
        // A filter that hides the frame the pane shows leaves nothing selected: the pane says so
        // instead of showing a frame the table no longer lists.
        if (m_detailFromFrameTable && m_detailFrame >= 0 &&
            !frameViewIndex(m_detailFrame).isValid())
            showFrameDetail(-1, tr("The selected frame is hidden by the filter."));
    });
    const auto chain = [this](QTableView *view, QAbstractProxyModel *proxy,
                              QAbstractItemModel *source, bool filtering,
                              void (MainWindow::*onCurrent)(const QModelIndex &)) {
        QAbstractItemModel *wanted = filtering ? static_cast<QAbstractItemModel *>(proxy) : source;
        if (view->model() != wanted) {
            if (filtering)
                proxy->setSourceModel(source);
            view->setModel(wanted); // comes with a new selection model
            if (!filtering)
                proxy->setSourceModel(nullptr);
        }
        connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, onCurrent,
                Qt::UniqueConnection);
    };
    chain(m_frameView, m_frameProxy, m_frameModel, m_frameProxy->isFiltering(),
          &MainWindow::onFrameSelected);
    chain(m_wireLogView, m_wireLogProxy, m_wireLogModel, m_wireLogProxy->isFiltering(),
          &MainWindow::onWireLogSelected);
}

QModelIndex MainWindow::frameViewIndex(int frame) const
{
    const int row = m_frameModel->rowOfFrame(frame); // -1 when cleared from the views
    if (row < 0)
        return {};
    const QModelIndex source = m_frameModel->index(row, 0);
    return m_frameView->model() == m_frameProxy ? m_frameProxy->mapFromSource(source) : source;
}

void MainWindow::setUrl(const QString &url)
{
    m_connectionBar->setUrl(url);
}

void MainWindow::connectToServer()
{
    const QString error = m_connectionBar->urlError();
    if (!error.isEmpty()) {
        statusBar()->showMessage(error, 5000);
        return;
    }
    // The echo server's port changes every start: its URL is not worth remembering.
    if (QUrl(m_connectionBar->url()) != m_echoUrl)
        m_connectionBar->addToHistory(m_connectionBar->url());
    // The connection shown so far (a finished one, a case's, a capture) stays in the
    // Connections list; a running one ends first, with what it recorded kept.
    endLiveConnection();
    keepShownConnection();
    const SessionSettings settings = m_connectionBar->settings();
    m_closeOverride = {}; // a new connection: nothing stated about its close yet
    m_sequence->setSessionSettings(settings);
    m_openedCase.reset();
    KeptConnection live;
    live.source = KeptConnection::Source::Live;
    live.name = settings.url.toString();
    live.url = live.name;
    live.started = QDateTime::currentDateTimeUtc();
    const int row = addConnection(std::move(live));
    m_controller->connectTo(settings);
    m_connections->at(row).capturePath = m_controller->recordingPath();
}

void MainWindow::disconnectFromServer()
{
    m_controller->disconnectFromServer();
}

void MainWindow::onStateChanged(SessionState state)
{
    m_connectionBar->setState(state, m_controller->isTls());
    updateWindowTitle();
    updateActions();
    refreshPanels();
}

void MainWindow::updateWindowTitle()
{
    if (m_openedCase)
        return; // the case's own title (showCaseResult)
    if (const int row = m_connections->current();
        row >= 0 && m_connections->at(row).source == KeptConnection::Source::Capture) {
        setWindowTitle(
            tr("%1 (from a file) — WebSocket Inspector").arg(m_connections->at(row).name));
        return;
    }
    const SessionState state = m_controller->state();
    // The state as the badge says it, translated ("OFFEN", "half-closed" appended).
    QString name = m_connectionBar->stateText();
    if (m_connectionBar->isHalfClosed())
        name = tr("%1, half-closed").arg(name);
    const QString title =
        state == SessionState::Idle
            ? tr("WebSocket Inspector")
            : tr("%1 — %2 — WebSocket Inspector").arg(m_connectionBar->url(), name);
    if (windowTitle() != title)
        setWindowTitle(title);
}

void MainWindow::updateActions()
{
    const SessionState state = m_controller->state();
    const bool idle = state == SessionState::Idle || state == SessionState::Closed;
    const bool connected = state == SessionState::Open || state == SessionState::Closing;
    // After our half-close (TCP FIN) nothing more can be sent: only dropping TCP is left.
    const bool halfClosed = connected && m_store->closing().halfClosed;
    const bool canSend = connected && !halfClosed;
    m_composer->setSendEnabled(canSend);
    m_sequence->setRunEnabled(canSend, canSend      ? QString()
                                       : halfClosed ? tr("Our sending side is shut down")
                                                    : tr("Connect first"));
    m_ui->actionConnect->setEnabled(idle);
    m_ui->actionDisconnect->setEnabled(!idle);
    m_ui->actionConnectionSettings->setEnabled(idle);
    m_ui->actionSendFrame->setEnabled(canSend);
    m_ui->actionRunSequence->setEnabled(canSend && !m_controller->isSequenceRunning());
    m_stopSequenceAction->setEnabled(m_controller->isSequenceRunning());
    m_ui->actionClose->setEnabled(state == SessionState::Open && !halfClosed);
    m_ui->actionFail->setEnabled(canSend);
    m_ui->actionDrop->setEnabled(!idle);
    m_ui->actionHalfClose->setEnabled(canSend);
    m_ui->actionClear->setEnabled(!m_store->trace().entries().empty());
    m_ui->actionExportReport->setEnabled(!m_store->trace().entries().empty());
    m_ui->actionExportJson->setEnabled(!m_store->trace().entries().empty());
    m_ui->actionSaveCapture->setEnabled(!m_store->trace().entries().empty());
    m_ui->actionExportHar->setEnabled(!m_store->trace().entries().empty());
}

void MainWindow::onStoreGrown()
{
    if (!m_panelTimer->isActive())
        m_panelTimer->start();
}

QString MainWindow::statusText() const
{
    const Trace &t = m_store->trace();
    const qint64 elapsedMs = t.lastTimeNs() / 1000000;
    const auto frames = [](qint64 n) {
        return format::resolvePlural(tr("%1 frame(s)", nullptr, format::pluralCount(n)), n)
            .arg(QLocale().toString(n));
    };
    return tr("TX %1, %2   RX %3, %4   %5 s")
        .arg(format::dataSize(t.octetCount(Direction::Tx)), frames(t.frameCount(Direction::Tx)),
             format::dataSize(t.octetCount(Direction::Rx)), frames(t.frameCount(Direction::Rx)),
             QLocale().toString(elapsedMs / 1000.0, 'f', 1));
}

void MainWindow::refreshPanels()
{
    refreshConnectionRow();
    const Trace &trace = m_store->trace();
    const ClosingBehavior &closing = m_store->closing();
    const ClosingProgress progress = closingProgress(closing, m_controller->sessionClockNs());
    m_closingPanel->setClosing(closing, currentClosingVerdict(closing), progress);
    // While a timer runs, its "320 of 1000 ms" counts on.
    if (progress.timeoutMs > 0 && !m_panelTimer->isActive())
        m_panelTimer->start();
    m_statisticsPanel->setStatistics(trace.statistics());
    m_statisticsPanel->setStorageStop(trace.storageStop(), trace.limits());
    const TraceInflation &inflation = m_store->inflation();
    m_statisticsPanel->setDeflate(inflation.agreement(), inflation.statistics());
    m_composer->setDeflateAgreement(inflation.agreement());
    m_handshakePanel->setTrace(trace);
    // The badge: the TLS version once known, "half-closed" after our FIN.
    m_connectionBar->setTlsInfo(tlsInfo(trace));
    const bool halfClosed = closing.halfClosed && m_controller->isConnected();
    if (m_connectionBar->isHalfClosed() != halfClosed) {
        m_connectionBar->setHalfClosed(halfClosed);
        updateWindowTitle();
    }
    m_statusCounters->setText(statusText());
    updateActions();
}

void MainWindow::trackFollowing(QTableView *view)
{
    m_following.insert(view, true);
    QScrollBar *bar = view->verticalScrollBar();
    // Rows arriving change the range, not the value: only the user's (or a reset's) moves
    // change whether the view follows. Back at the bottom, it follows again.
    connect(bar, &QScrollBar::valueChanged, this, [this, view, bar](int value) {
        if (!m_autoScrolling)
            m_following.insert(view, value >= bar->maximum() - 1);
    });
}

void MainWindow::followNewRows()
{
    if (!m_ui->actionFollow->isChecked())
        return;
    // Reading older rows is never interrupted: a view the user scrolled up stays where it is.
    for (QTableView *view : {m_frameView, m_wireLogView, m_messageView}) {
        QScrollBar *bar = view->verticalScrollBar();
        if (!m_following.value(view, true) || bar->value() >= bar->maximum())
            continue;
        m_autoScrolling = true;
        view->scrollToBottom();
        m_autoScrolling = false;
    }
}

void MainWindow::showFrameDetail(int frame, const QString &why, bool fromFrameTable)
{
    m_detailFrame = frame;
    m_detailFromFrameTable = fromFrameTable && frame >= 0;
    if (frame >= 0)
        m_detailPane->setFrame(m_store->trace(), frame, &m_store->inflation());
    else
        m_detailPane->showNothing(why);
    m_detailReason = why;
}

void MainWindow::onFrameSelected(const QModelIndex &current)
{
    if (!current.isValid()) {
        showFrameDetail(-1, tr("No frame selected."));
        return;
    }
    const int frame = current.data(FrameIndexRole).toInt();
    showFrameDetail(frame, {}, true);
    m_findBar->setCurrentFrame(frame); // Find Next goes on from the selected frame
    if (m_syncingSelection)
        return;
    const auto direction = Direction(current.data(DirectionRole).toInt());
    const qint64 offset = current.data(StreamOffsetRole).toLongLong();
    const qint64 size = current.data(StreamSizeRole).toLongLong();
    if (offset >= 0)
        selectWireLogRange(direction, offset, size);
}

void MainWindow::onMessageSelected(const QModelIndex &current)
{
    if (!current.isValid())
        return;
    const int frame = current.data(FirstFrameRole).toInt();
    showFrameDetail(frame, frame < 0 ? tr("This message has no frame to show.") : QString());
}

// Selecting a wire-log line selects its frame (a frame line) or the first frame whose octets it
// carries (an octet line) in the frame table.
void MainWindow::onWireLogSelected(const QModelIndex &current)
{
    if (!current.isValid() || m_syncingSelection)
        return;
    int frame = current.data(FrameIndexRole).toInt();
    if (frame < 0 && current.data(StreamOffsetRole).toLongLong() >= 0) {
        const auto direction = Direction(current.data(DirectionRole).toInt());
        const qint64 from = current.data(StreamOffsetRole).toLongLong();
        const qint64 to = from + current.data(StreamSizeRole).toLongLong();
        frame = m_frameModel->firstFrameOverlapping(direction, from, to); // O(log n)
    }
    if (frame < 0) {
        // The handshake's octets, a timer, the TCP line: no frame to show.
        const auto kind = WireLogKind(current.data(WireLogModel::KindRole).toInt());
        const bool octets = kind == WireLogKind::TxOctets || kind == WireLogKind::RxOctets;
        showFrameDetail(-1, octets ? tr("No frame holds these octets (the opening handshake is "
                                        "in the Handshake tab).")
                                   : tr("This line is not a frame."));
        return;
    }
    m_syncingSelection = true;
    // The frame's row starts at the view floor (View ▸ Clear); -1 when it is not shown.
    const QModelIndex source = m_frameModel->index(m_frameModel->rowOfFrame(frame), 0);
    const QModelIndex proxy =
        m_frameView->model() == m_frameProxy ? m_frameProxy->mapFromSource(source) : source;
    if (proxy.isValid()) {
        m_frameView->selectionModel()->setCurrentIndex(proxy, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
        m_frameView->scrollTo(proxy);
        showFrameDetail(frame, {}, true);
    } else {
        showFrameDetail(frame); // hidden by the frame filter: the pane shows it all the same
    }
    m_syncingSelection = false;
}

// Highlights, in the wire log, every line whose octets overlap [offset, offset + size) of one
// direction's stream, plus the frame's own FRAME line.
void MainWindow::selectWireLogRange(Direction direction, qint64 offset, qint64 size)
{
    m_syncingSelection = true;
    QItemSelection selection;
    QModelIndex first;
    QAbstractItemModel *model = m_wireLogView->model();
    // Binary searches over the stream offsets (O(log n) plus the lines found), then each line
    // through the filter, if one is set.
    for (const int row : m_wireLogModel->rowsOverlapping(direction, offset, size)) {
        QModelIndex idx = m_wireLogModel->index(row, 0);
        if (model == m_wireLogProxy)
            idx = m_wireLogProxy->mapFromSource(idx);
        if (!idx.isValid())
            continue;
        selection.select(idx, model->index(idx.row(), WireLogModel::NUM_COLUMNS - 1));
        if (!first.isValid())
            first = idx;
    }
    m_wireLogView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (first.isValid())
        m_wireLogView->scrollTo(first);
    m_syncingSelection = false;
}

void MainWindow::styleViewBanner()
{
    // A tint of the highlight colour over the window colour, in either palette: readable on
    // light and on dark, and the button keeps the palette's own colours.
    const QPalette base = palette();
    QPalette p = base;
    p.setColor(QPalette::Window, theme::bannerBackground(base, base.color(QPalette::Highlight)));
    m_viewBanner->setPalette(p);
}

void MainWindow::showViewBanner(const QString &text, const QString &button)
{
    m_viewBannerText->setText(text);
    m_viewBannerButton->setText(button);
    m_viewBanner->show();
}

void MainWindow::updateViewBanner()
{
    if (m_store->viewsPaused()) {
        const qint64 hidden = m_store->framesHiddenByPause();
        showViewBanner(
            format::resolvePlural(tr("Live views paused: %1 new frame(s) recorded, not shown "
                                     "yet.",
                                     nullptr, format::pluralCount(hidden)),
                                  hidden)
                .arg(QLocale().toString(hidden)),
            tr("&Resume"));
    } else if (m_store->viewsCleared()) {
        const qint64 before = qint64(m_store->viewFloor().frames);
        showViewBanner(
            format::resolvePlural(tr("Views cleared: %1 earlier frame(s) are still recorded "
                                     "(the panels and reports use them).",
                                     nullptr, format::pluralCount(before)),
                                  before)
                .arg(QLocale().toString(before)),
            tr("Show &All"));
    } else {
        hideViewBanner();
    }
}

void MainWindow::hideViewBanner()
{
    m_viewBanner->hide();
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_viewBanner)
        styleViewBanner();
}

void MainWindow::openScenario()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Scenario"), QString(),
                                                      tr("Scenarios (*.json);;All files (*)"));
    if (!path.isEmpty())
        m_sequence->loadFrom(path);
}

void MainWindow::saveScenario()
{
    m_sequence->setSessionSettings(m_connectionBar->settings());
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Scenario"), QString(),
                                                      tr("Scenarios (*.json)"));
    if (!path.isEmpty())
        m_sequence->saveTo(path);
}

bool MainWindow::exportReport(bool json)
{
    const QString path =
        QFileDialog::getSaveFileName(this, json ? tr("Export JSON") : tr("Export Report"),
                                     QString(), json ? tr("JSON (*.json)") : tr("Text (*.txt)"));
    if (path.isEmpty())
        return false;
    m_store->drain(); // the report covers everything received so far
    ReportInput input;
    if (m_openedCase) {
        input = reportInputFor(*m_openedCase);
    } else {
        input.trace = &m_store->trace();
        input.closing = m_store->closing();
        input.closingVerdict = currentClosingVerdict(input.closing);
        // The agent is the server's name, as in the CLI; the URL when it sent none.
        input.agent = serverHeaderOf(m_store->trace());
        if (input.agent.isEmpty())
            input.agent = m_connectionBar->url();
        input.durationMs = input.closing.durationMs();
    }
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(json ? QJsonDocument(jsonReport(input)).toJson() : textReport(input).toUtf8());
        if (file.commit()) {
            statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
            return true;
        }
    }
    QMessageBox::warning(this, tr("Export failed"),
                         tr("Could not write %1: %2").arg(path, file.errorString()));
    return false;
}

void MainWindow::applyTheme(Theme theme)
{
    m_theme = theme;
    m_ui->actionThemeSystem->setChecked(theme == Theme::System);
    m_ui->actionThemeLight->setChecked(theme == Theme::Light);
    m_ui->actionThemeDark->setChecked(theme == Theme::Dark);
    if (theme == Theme::System) {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    const QPalette standard = QApplication::style()->standardPalette();
    QApplication::setPalette(theme == Theme::Dark ? gui::theme::darkPalette(standard) : standard);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    settings.setValue(u"window/splitter"_s, m_mainSplitter->saveState());
    settings.setValue(u"window/theme"_s, int(m_theme));
    settings.setValue(u"window/follow"_s, m_ui->actionFollow->isChecked());
    settings.setValue(u"window/showComposer"_s, m_ui->actionShowComposer->isChecked());
    settings.setValue(u"window/showPanels"_s, m_ui->actionShowPanels->isChecked());
    settings.setValue(u"composer/state"_s, m_composer->saveState());
    settings.setValue(u"window/frameColumns"_s, m_columnChoosers.value(m_frameView)->saveState());
    settings.setValue(u"window/messageColumns"_s,
                      m_columnChoosers.value(m_messageView)->saveState());
    settings.setValue(u"window/wireLogColumns"_s,
                      m_columnChoosers.value(m_wireLogView)->saveState());
    m_connectionBar->saveSettings(settings);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());
    m_ui->actionFollow->setChecked(settings.value(u"window/follow"_s, true).toBool());
    SessionController::Recording recording;
    recording.enabled = settings.value(u"recording/enabled"_s, true).toBool();
    recording.folder = settings.value(u"recording/folder"_s).toString();
    recording.maxOctets =
        std::max<qint64>(settings.value(u"recording/maxMiB"_s, 1024).toLongLong(), 1) * 1024 * 1024;
    m_controller->setRecording(recording);
    m_ui->actionShowComposer->setChecked(settings.value(u"window/showComposer"_s, true).toBool());
    m_ui->actionShowPanels->setChecked(settings.value(u"window/showPanels"_s, true).toBool());
    m_composer->restoreState(settings.value(u"composer/state"_s).toMap());
    // Hidden columns, widths and order; a state that does not fit (an older version's) is ignored.
    m_columnChoosers.value(m_frameView)
        ->restoreState(settings.value(u"window/frameColumns"_s).toByteArray());
    m_columnChoosers.value(m_messageView)
        ->restoreState(settings.value(u"window/messageColumns"_s).toByteArray());
    m_columnChoosers.value(m_wireLogView)
        ->restoreState(settings.value(u"window/wireLogColumns"_s).toByteArray());
    m_connectionBar->restoreSettings(settings);
    const QString last = settings.value(u"connection/url"_s).toString();
    if (!last.isEmpty() && QUrl(last) != m_echoUrl)
        m_connectionBar->setUrl(last);
    const int theme = settings.value(u"window/theme"_s, 0).toInt();
    applyTheme(theme >= 0 && theme <= 2 ? Theme(theme) : Theme::System);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // First show: the wire views get nearly half the width, the composer and the panels the
    // rest; the composer fits its narrowest layout from the default window size on (a restored
    // window state keeps the user's own split instead).
    if (!m_splitterPlaced) {
        m_splitterPlaced = true;
        QSettings settings;
        const QByteArray saved = settings.value(u"window/splitter"_s).toByteArray();
        if (saved.isEmpty() || !m_mainSplitter->restoreState(saved)) {
            const int w = std::max(width(), 1000);
            m_mainSplitter->setSizes({w * 24 / 100, w * 49 / 100, w * 27 / 100});
        }
        // The sequence editor gets the height its buttons and list need (a short window takes it
        // from the composer, which scrolls); the composer keeps the rest.
        const int h = m_leftSplitter->height();
        const int sequence = std::clamp(m_sequence->sizeHint().height(), h * 35 / 100, h / 2);
        m_leftSplitter->setSizes({h - sequence, sequence});
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace wsi::gui
