// SPDX-License-Identifier: MIT
#pragma once

#include "trace/closing.h"

#include <QColor>
#include <QWidget>

#include <memory>
#include <optional>

namespace wsi::gui {

namespace Ui {
class ClosingPanel;
}

// How the connection closed: the verdict line "<resultClose> (<behaviorClose>)" coloured by
// verdict, the report's 13 closing-behaviour fields with their descriptions (report strings,
// docs/closing.md §1.1), and the close timings. setClosing() may be called on every update.
class ClosingPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClosingPanel)

public:
    explicit ClosingPanel(QWidget *parent = nullptr);
    ~ClosingPanel() override;

    // `progress`: what a connection that is not closed yet waits for (shown instead of a
    // PENDING verdict).
    void setClosing(const ClosingBehavior &behavior, const std::optional<ClosingVerdict> &verdict,
                    const ClosingProgress &progress = {});
    void clear();

    // The verdict line as shown (the report's line, untranslated).
    [[nodiscard]] QString verdictText() const;
    // The headline above it: what the verdict means, in the window's language; hidden while
    // there is no verdict.
    [[nodiscard]] QString headline() const;
    [[nodiscard]] static QString headlineText(std::optional<CloseVerdict> verdict);
    // By the verdict's tone (the reports' colours): OK and FAILED BY CLIENT green, WRONG CODE
    // amber, FAILED and UNCLEAN red, others the text colour; in shades that read on `palette`'s
    // window colour.
    [[nodiscard]] static QColor verdictColor(CloseVerdict verdict, const QPalette &palette);
    // The panel's line for a connection that is not closed yet, in the user's language.
    [[nodiscard]] static QString progressText(const ClosingProgress &progress);
    // How TCP ended, in the user's language: the words of the core's tcpEndText().
    [[nodiscard]] static QString tcpEndWords(TcpEnd end, const QString &socketText);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showVerdict();
    void showTimings();

    std::unique_ptr<Ui::ClosingPanel> m_ui;
    ClosingBehavior m_behavior;
    std::optional<ClosingVerdict> m_verdict; // none: nothing to judge (no connection shown)
    ClosingProgress m_progress;
};

} // namespace wsi::gui
