// SPDX-License-Identifier: MIT
#include "findbar.h"

#include "format.h"
#include "frametablemodel.h"
#include "protocol/hex.h"
#include "protocol/utf8validator.h"
#include "theme.h"
#include "tracestore.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

#include <algorithm>
#include <functional>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

constexpr char foldAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

struct FoldHash
{
    size_t operator()(char c) const { return std::hash<char>()(foldAscii(c)); }
};
struct FoldEqual
{
    bool operator()(char a, char b) const { return foldAscii(a) == foldAscii(b); }
};
using FoldSearcher = std::boyer_moore_horspool_searcher<const char *, FoldHash, FoldEqual>;

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

// A frame's unmasked payload where the trace holds it (the record, or one kept chunk of an
// unmasked frame), else a copy in `scratch`.
QByteArrayView payloadView(const Trace &trace, const FrameRecord &f, QByteArray &scratch)
{
    if (f.direction == Direction::Tx && f.tx && f.tx->repeatLength) {
        scratch = FrameTableModel::wirePayloadHead(trace, f, FrameTableModel::wirePayloadLength(f));
        return scratch;
    }
    if (!f.payloadDerived || f.streamOffset < 0)
        return f.payload;
    if (!f.hasKey) {
        const qint64 start = f.streamOffset + f.headerSize();
        const qint64 length = qint64(std::min<quint64>(f.payloadLength, quint64(1) << 40));
        const qsizetype c = trace.chunkAt(f.direction, start);
        if (c >= 0) {
            const OctetChunk &chunk = trace.chunks()[size_t(c)];
            const qint64 from = start - chunk.streamOffset;
            if (from + length <= chunk.data.size())
                return QByteArrayView(chunk.data.constData() + from, qsizetype(length));
        }
    }
    scratch = trace.framePayload(f);
    return scratch;
}

} // namespace

// One Find Next or Find Previous on its way through the frames.
struct FindBar::Search
{
    QByteArray needle;
    QString textNeedle; // text mode, case-insensitive, with non-ASCII letters: Unicode folding
    bool caseSensitive = true;
    bool forward = true;
    qint64 total = 0;  // frames when it started
    qint64 start = 0;  // the first frame visited (may be -1 or total: the wrap comes first)
    qint64 from = 0;   // forward: matches at or after; backward: at or before (first visit)
    qint64 visits = 0; // frames to visit (the first one twice when `from` cuts it)
    qint64 visited = 0;
    std::optional<FoldSearcher> folded;

    // The frame of visit k and whether the walk went round the end (or the start) to get there.
    [[nodiscard]] qint64 frameOf(qint64 k, bool *wrapped) const
    {
        const qint64 i = forward ? start + k : start - k;
        *wrapped = i >= total || i < 0;
        return ((i % total) + total) % total;
    }

    // The match in `hay` nearest to `limit` in the search's direction (limit < 0 backward: none).
    [[nodiscard]] qint64 find(QByteArrayView hay, qint64 limit, int *length) const
    {
        *length = int(needle.size());
        if (!textNeedle.isEmpty() &&
            Utf8Validator::firstInvalidOffset(hay.data(), hay.size()) < 0) {
            if ((forward && limit > hay.size()) || (!forward && limit < 0))
                return -1;
            const QString text = QString::fromUtf8(hay);
            // The octet limit as a character index (a cut code point counts as one more).
            const qsizetype fromChar =
                QString::fromUtf8(hay.first(qsizetype(std::min<qint64>(limit, hay.size())))).size();
            const qsizetype at = forward
                                     ? text.indexOf(textNeedle, fromChar, Qt::CaseInsensitive)
                                     : text.lastIndexOf(textNeedle, fromChar, Qt::CaseInsensitive);
            if (at < 0)
                return -1;
            *length = int(QStringView(text).mid(at, textNeedle.size()).toUtf8().size());
            return QStringView(text).first(at).toUtf8().size();
        }
        if (forward) {
            if (limit > hay.size())
                return -1;
            if (caseSensitive)
                return hay.indexOf(needle, qsizetype(limit));
            const auto [first, last] = (*folded)(hay.data() + limit, hay.data() + hay.size());
            return first == last && !needle.isEmpty() ? -1 : qint64(first - hay.data());
        }
        if (limit < 0)
            return -1;
        const qsizetype before = qsizetype(std::min<qint64>(limit, hay.size()));
        if (caseSensitive)
            return hay.lastIndexOf(needle, before);
        // The last match starting at or before `limit`: the forward matches up to there.
        qint64 found = -1;
        const char *end = hay.data() + hay.size();
        for (const char *at = hay.data(); at <= hay.data() + before;) {
            const auto [first, last] = (*folded)(at, end);
            if (first == last || first > hay.data() + before)
                break;
            found = first - hay.data();
            at = first + 1;
        }
        return found;
    }
};

FindBar::FindBar(const TraceStore *store, QWidget *parent) : QWidget(parent), m_store(store)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_field = new QLineEdit(this);
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_modeBox = new QComboBox(this);
    m_modeBox->addItem(QString(), int(Mode::Text));
    m_modeBox->addItem(QString(), int(Mode::Hex));
    m_caseBox = new QCheckBox(this);
    m_previousButton = new QToolButton(this);
    m_previousButton->setArrowType(Qt::UpArrow);
    m_nextButton = new QToolButton(this);
    m_nextButton->setArrowType(Qt::DownArrow);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_closeButton = new QToolButton(this);
    m_closeButton->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_closeButton->setAutoRaise(true);
    layout->addWidget(m_field, 3);
    layout->addWidget(m_modeBox);
    layout->addWidget(m_caseBox);
    layout->addWidget(m_previousButton);
    layout->addWidget(m_nextButton);
    layout->addWidget(m_status, 2);
    layout->addWidget(m_closeButton);

    m_findAction = new QAction(this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_nextAction = new QAction(this);
    m_nextAction->setShortcut(QKeySequence(Qt::Key_F3));
    m_previousAction = new QAction(this);
    m_previousAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3));
    retranslate();

    connect(m_findAction, &QAction::triggered, this, &FindBar::activate);
    connect(m_nextAction, &QAction::triggered, this, &FindBar::findNext);
    connect(m_previousAction, &QAction::triggered, this, &FindBar::findPrevious);
    connect(m_nextButton, &QToolButton::clicked, this, &FindBar::findNext);
    connect(m_previousButton, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(m_closeButton, &QToolButton::clicked, this, [this] {
        cancel();
        hide();
        Q_EMIT closed();
    });
    // A changed question: what is under way answers the old one.
    const auto changed = [this] {
        cancel();
        setStatus({});
    };
    connect(m_field, &QLineEdit::textChanged, this, changed);
    connect(m_caseBox, &QCheckBox::toggled, this, changed);
    connect(m_modeBox, &QComboBox::currentIndexChanged, this, [this, changed] {
        changed();
        m_caseBox->setEnabled(mode() == Mode::Text);
        retranslate(); // the placeholder names the mode
    });
    if (store) {
        connect(store, &TraceStore::aboutToReset, this, [this] {
            cancel();
            setStatus({});
            m_currentFrame = -1;
            m_matchFrame = -1;
        });
    }
    hide();
}

FindBar::~FindBar() = default;

void FindBar::retranslate()
{
    m_findAction->setText(tr("&Find in Payloads…"));
    m_nextAction->setText(tr("Find &Next"));
    m_previousAction->setText(tr("Find Pre&vious"));
    m_modeBox->setItemText(0, tr("Text"));
    m_modeBox->setItemText(1, tr("Hex octets"));
    m_modeBox->setToolTip(tr("Find the UTF-8 octets of a text, or octets given as hex digits"));
    m_caseBox->setText(tr("Match case"));
    m_field->setPlaceholderText(mode() == Mode::Hex ? tr("Hex octets, e.g. de ad be ef")
                                                    : tr("Text in the payloads"));
    m_previousButton->setToolTip(tr("Find the previous match (Shift+F3, Shift+Enter)"));
    m_nextButton->setToolTip(tr("Find the next match (F3, Enter)"));
    m_closeButton->setToolTip(tr("Close the find bar (Esc)"));
}

void FindBar::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        retranslate();
}

void FindBar::setText(const QString &text)
{
    m_field->setText(text);
}

QString FindBar::text() const
{
    return m_field->text();
}

void FindBar::setMode(Mode mode)
{
    m_modeBox->setCurrentIndex(mode == Mode::Hex ? 1 : 0);
}

FindBar::Mode FindBar::mode() const
{
    return m_modeBox->currentIndex() == 1 ? Mode::Hex : Mode::Text;
}

void FindBar::setCaseSensitive(bool on)
{
    m_caseBox->setChecked(on);
}

bool FindBar::caseSensitive() const
{
    return m_caseBox->isChecked();
}

void FindBar::setCurrentFrame(int frameIndex)
{
    m_currentFrame = frameIndex;
}

bool FindBar::isSearching() const
{
    return m_search != nullptr;
}

QString FindBar::statusText() const
{
    return m_status->text();
}

void FindBar::activate()
{
    show();
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

void FindBar::findNext()
{
    start(true);
}

void FindBar::findPrevious()
{
    start(false);
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            start(!(key->modifiers() & Qt::ShiftModifier));
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            cancel();
            hide();
            Q_EMIT closed();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        cancel();
        hide();
        Q_EMIT closed();
        return;
    }
    QWidget::keyPressEvent(event);
}

QByteArray FindBar::needle(QString *error) const
{
    const QString text = m_field->text();
    if (mode() == Mode::Text)
        return text.toUtf8();
    QByteArray octets;
    const HexError e = parseHex(text, octets);
    if (!e.ok()) {
        switch (e.kind) {
        case HexError::Kind::OddDigitCount:
            *error = tr("Hex octets need two digits each (%1 digits given).").arg(e.digits);
            break;
        default:
            *error = tr("'%1' is not a hex digit (position %2).")
                         .arg(QString::fromUcs4(&e.character, 1))
                         .arg(e.position);
            break;
        }
        return {};
    }
    return octets;
}

void FindBar::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text); // the label may be cut in a narrow window
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, theme::findErrorText());
    m_status->setPalette(palette);
}

void FindBar::cancel()
{
    m_search.reset();
}

void FindBar::start(bool forward)
{
    cancel();
    if (!isVisible())
        show();
    if (m_field->text().isEmpty()) {
        activate();
        return;
    }
    QString error;
    QByteArray octets = needle(&error);
    if (octets.isEmpty()) {
        setStatus(error.isEmpty() ? tr("Nothing to find.") : error, true);
        return;
    }
    const qint64 total = m_store ? qint64(m_store->trace().frames().size()) : 0;
    if (total == 0) {
        setStatus(tr("No frames to search."), true);
        Q_EMIT notFound();
        return;
    }
    auto search = std::make_unique<Search>();
    search->forward = forward;
    search->total = total;
    // Octets given as hex are the octets: case applies to text only.
    search->caseSensitive = caseSensitive() || mode() == Mode::Hex;
    if (!search->caseSensitive) {
        const QString text = m_field->text();
        if (!isAscii(text))
            search->textNeedle = text;
        for (char &c : octets)
            c = foldAscii(c);
    }
    search->needle = octets;
    if (!search->caseSensitive) {
        search->folded.emplace(search->needle.constData(),
                               search->needle.constData() + search->needle.size());
    }
    // After the match shown in the current frame, else after (before) the current frame.
    const bool inMatchFrame =
        m_matchFrame >= 0 && m_matchFrame == m_currentFrame && m_matchFrame < total;
    if (inMatchFrame) {
        search->start = m_matchFrame;
        search->from = forward ? m_matchOffset + 1 : m_matchOffset - 1;
        search->visits = total + 1; // the rest of it first, the part before it last
    } else {
        const qint64 current = m_currentFrame >= 0 && m_currentFrame < total ? m_currentFrame
                               : forward                                     ? -1
                                                                             : total;
        search->start = forward ? current + 1 : current - 1;
        search->from = forward ? 0 : std::numeric_limits<qint64>::max();
        search->visits = total;
    }
    m_search = std::move(search);
    runSlice();
}

void FindBar::runSlice()
{
    if (!m_search || !m_store)
        return;
    Search &s = *m_search;
    const Trace &trace = m_store->trace();
    const auto &frames = trace.frames();
    if (qint64(frames.size()) < s.total) { // the trace was replaced under us
        cancel();
        return;
    }
    QByteArray scratch;
    qint64 octets = 0;
    int framesDone = 0;
    while (s.visited < s.visits) {
        if (framesDone >= kSliceFrames || octets >= kSliceOctets) {
            const qint64 total = s.total;
            setStatus(tr("Searching… %1 of %2 frames")
                          .arg(QLocale().toString(s.visited), QLocale().toString(total)));
            QTimer::singleShot(0, this, [this, search = m_search.get()] {
                if (m_search.get() == search)
                    runSlice();
            });
            return;
        }
        bool wrapped = false;
        const qint64 k = s.visited++;
        const qint64 index = s.frameOf(k, &wrapped);
        const FrameRecord &frame = frames[size_t(index)];
        const QByteArrayView hay = payloadView(trace, frame, scratch);
        octets += hay.size();
        ++framesDone;
        if (hay.size() < s.needle.size() && s.textNeedle.isEmpty())
            continue;
        const qint64 limit = k == 0 ? s.from : (s.forward ? 0 : hay.size());
        int length = 0;
        const qint64 at = s.find(hay, limit, &length);
        if (at < 0)
            continue;
        // The frame visited a second time (k == total) is a wrap even without crossing the end.
        m_wrapped = wrapped || k >= s.total;
        m_matchFrame = int(index);
        m_matchOffset = at;
        m_currentFrame = int(index);
        const bool forward = s.forward;
        cancel();
        QString status = tr("Frame %1, payload octet %2").arg(index + 1).arg(at);
        if (m_wrapped)
            status += u" — "_s + (forward ? tr("wrapped around the end")
                                          : tr("wrapped around "
                                               "the start"));
        setStatus(status);
        Q_EMIT frameFound(int(index), at, length);
        return;
    }
    const qint64 total = s.total;
    cancel();
    m_matchFrame = -1;
    setStatus(format::resolvePlural(
                  tr("Not found in %1 frame(s).", nullptr, format::pluralCount(total)), total)
                  .arg(QLocale().toString(total)),
              true);
    Q_EMIT notFound();
}

} // namespace wsi::gui
