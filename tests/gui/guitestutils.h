// SPDX-License-Identifier: MIT
#pragma once

// Input as the window system delivers it, and finding what the window shows, for its tests.

#include <QApplication>
#include <QLabel>
#include <QTextDocument>
#include <QtTest/qtestspontaneevent.h>
#include <QWheelEvent>
#include <QWidget>

namespace wsi::test {

// The child of `parent` with this object name; a missing one ends the test run (a renamed widget
// is a broken test, not a failed check).
template <typename T>
T *child(const QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

// What a rich-text label shows, as plain text with white space collapsed.
inline QString shown(const QLabel *label)
{
    QTextDocument doc;
    doc.setHtml(label->text());
    return doc.toPlainText().simplified();
}

// One notch of the wheel over the centre of `widget`, delivered as the window system delivers
// it: to the innermost widget under the pointer, and spontaneous. (QApplication passes an
// ignored wheel event on to the parents only when it is spontaneous; QCoreApplication::sendEvent
// would clear that, so the event goes to notify() itself.) `notches` > 0 turns the wheel away from
// the user (up), < 0 towards the user (down).
inline void turnWheel(QWidget *widget, int notches)
{
    QWidget *window = widget->window();
    const QPoint global = widget->mapToGlobal(widget->rect().center());
    QWidget *target = window->childAt(window->mapFromGlobal(global));
    if (!target)
        target = window;
    QWheelEvent event(QPointF(target->mapFromGlobal(global)), QPointF(global), QPoint(),
                      QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                      false);
    QSpontaneKeyEvent::setSpontaneous(&event);
    QApplication::instance()->notify(target, &event);
}

} // namespace wsi::test
