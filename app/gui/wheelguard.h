// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace wsi::gui {

// Spin boxes and combo boxes under `root` (those there now and those added later) take the mouse
// wheel only while they have the keyboard focus; otherwise the wheel goes on to what surrounds
// them, so scrolling a form never changes a value on the way. They get Qt::StrongFocus, so a
// wheel does not give them the focus either. Calling it again, or on a nested root, is harmless.
void guardWheel(QWidget *root);

} // namespace wsi::gui
