// SPDX-License-Identifier: MIT
#include "wheelguard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QChildEvent>
#include <QComboBox>
#include <QPointer>
#include <QWidget>

namespace wsi::gui {

namespace {

[[nodiscard]] bool takesWheelValues(const QObject *object)
{
    return qobject_cast<const QAbstractSpinBox *>(object) ||
           qobject_cast<const QComboBox *>(object);
}

[[nodiscard]] bool focusedWithin(const QWidget *widget)
{
    if (widget->hasFocus()) // follows a focus proxy (a spin box's line edit)
        return true;
    const QWidget *focus = QApplication::focusWidget();
    return focus && widget->isAncestorOf(focus);
}

// One filter for every guarded widget. It watches every widget below a guarded root, so that
// widgets added later are guarded too: ChildAdded arrives while the child is still being
// constructed (not yet a spin box), so the child is only watched then, and judged once it is
// polished (before it is first shown).
class WheelGuard final : public QObject
{
public:
    using QObject::QObject;

    void watch(QWidget *widget)
    {
        widget->installEventFilter(this); // once per widget: installing again only moves it
        adjust(widget);
        for (QWidget *child : widget->findChildren<QWidget *>())
            watch(child);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        switch (event->type()) {
        case QEvent::ChildAdded:
            if (QObject *child = static_cast<QChildEvent *>(event)->child();
                child && child->isWidgetType()) {
                auto *widget = static_cast<QWidget *>(child);
                // A widget built elsewhere and moved here is complete: guard it and its
                // children now (it will not be polished again).
                if (widget->testAttribute(Qt::WA_WState_Polished))
                    watch(widget);
                else
                    widget->installEventFilter(this);
            }
            break;
        case QEvent::Polish:
            if (watched->isWidgetType())
                watch(static_cast<QWidget *>(watched));
            break;
        case QEvent::Wheel:
            if (takesWheelValues(watched) && !focusedWithin(static_cast<QWidget *>(watched))) {
                // Ignored and handled: QApplication offers it to the parents, up to the
                // scroll area (a spontaneous wheel event propagates while it is ignored).
                event->ignore();
                return true;
            }
            break;
        default:
            break;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    static void adjust(QWidget *widget)
    {
        if (takesWheelValues(widget) && widget->focusPolicy() == Qt::WheelFocus)
            widget->setFocusPolicy(Qt::StrongFocus);
    }
};

} // namespace

void guardWheel(QWidget *root)
{
    if (!root)
        return;
    static QPointer<WheelGuard> guard;
    if (!guard)
        guard = new WheelGuard(QCoreApplication::instance());
    guard->watch(root);
}

} // namespace wsi::gui
