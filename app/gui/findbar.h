// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QWidget>

#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace wsi::gui {

class TraceStore;

// Wireshark's Ctrl+F: finds text or hex octets inside the frames' payloads (unmasked, as they
// went over the wire), from the frame after the current one on, wrapping around the end with a
// notice. Hidden until findAction() shows it; Esc hides it again.
//
// The search walks the trace's frames in slices (at most kSliceFrames frames or kSliceOctets
// payload octets per event-loop turn), so a million frames never freeze the window; payloads are
// read in place where the trace holds them (no copy per frame). A match inside one payload only
// (not across frames).
//
// Actions, for the window to add (Qt::WindowShortcut; the bar's own field also takes Enter,
// Shift+Enter and Esc):
//   findAction()          "&Find in Payloads…"  Ctrl+F (QKeySequence::Find)
//   findNextAction()      "Find &Next"          F3
//   findPreviousAction()  "Find Pre&vious"      Shift+F3
class FindBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FindBar)

public:
    enum class Mode : quint8 {
        Text, // the UTF-8 octets of the text
        Hex,  // octets as hex digits, "de ad be ef" (spaces optional)
    };
    static constexpr int kSliceFrames = 65'536;
    static constexpr qint64 kSliceOctets = 8 * 1024 * 1024;

    explicit FindBar(const TraceStore *store, QWidget *parent = nullptr);
    ~FindBar() override;

    [[nodiscard]] QAction *findAction() const { return m_findAction; }
    [[nodiscard]] QAction *findNextAction() const { return m_nextAction; }
    [[nodiscard]] QAction *findPreviousAction() const { return m_previousAction; }

    void setText(const QString &text);
    [[nodiscard]] QString text() const;
    void setMode(Mode mode);
    [[nodiscard]] Mode mode() const;
    void setCaseSensitive(bool on);
    [[nodiscard]] bool caseSensitive() const;

    // The frame the user selected (index into Trace::frames(), -1 for none): the next search
    // starts after it (or after the match shown in it).
    void setCurrentFrame(int frameIndex);
    [[nodiscard]] int currentFrame() const { return m_currentFrame; }

    // True while a search is still walking the frames.
    [[nodiscard]] bool isSearching() const;
    // The bar's one-line status: "Frame 12, payload octet 5", "Not found in 1,000 frames", …
    [[nodiscard]] QString statusText() const;
    // True when the last match was found after wrapping around the end (or the start).
    [[nodiscard]] bool wrapped() const { return m_wrapped; }

public Q_SLOTS:
    // Shows the bar and puts the focus into its field, text selected.
    void activate();
    void findNext();
    void findPrevious();

Q_SIGNALS:
    // A match: the frame to select and the payload octets [payloadOffset, +length) to highlight
    // (FrameDetailPane::highlightPayload()).
    void frameFound(int frameIndex, qint64 payloadOffset, int length);
    // Nothing matched in the whole trace (the status says how many frames were searched).
    void notFound();
    // The bar was hidden (Esc): the window may give the focus back to its table.
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Search;
    void start(bool forward);
    void runSlice();
    void cancel();
    void setStatus(const QString &text, bool error = false);
    // The octets to find from the field and mode; empty with `error` set when the field is bad.
    [[nodiscard]] QByteArray needle(QString *error) const;
    void retranslate();

    const TraceStore *m_store;
    QLineEdit *m_field = nullptr;
    QComboBox *m_modeBox = nullptr;
    QCheckBox *m_caseBox = nullptr;
    QToolButton *m_nextButton = nullptr;
    QToolButton *m_previousButton = nullptr;
    QToolButton *m_closeButton = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_nextAction = nullptr;
    QAction *m_previousAction = nullptr;
    std::unique_ptr<Search> m_search;
    int m_currentFrame = -1;
    // The match shown last: Find Next goes on after it when its frame is still the current one.
    int m_matchFrame = -1;
    qint64 m_matchOffset = -1;
    bool m_wrapped = false;
};

} // namespace wsi::gui
