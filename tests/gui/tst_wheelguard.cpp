// SPDX-License-Identifier: MIT
// The mouse wheel over a spin box or combo box scrolls the form around it, unless the box has the
// keyboard focus: scrolling the composer must never change a value on the way.
#include "gui/composerwidget.h"
#include "gui/sequencewidget.h"
#include "gui/wheelguard.h"
#include "guitestutils.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTest>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsi::gui;
using wsi::test::turnWheel;

namespace {

// A form taller than its scroll area: a line edit, a spin box and a combo box at the top, then
// room to scroll.
struct Form
{
    QScrollArea area;
    QLineEdit *edit = nullptr;
    QSpinBox *spin = nullptr;
    QComboBox *combo = nullptr;

    explicit Form(bool guarded)
    {
        auto *contents = new QWidget;
        auto *layout = new QVBoxLayout(contents);
        edit = new QLineEdit(contents);
        spin = new QSpinBox(contents);
        spin->setRange(0, 100);
        spin->setValue(50);
        combo = new QComboBox(contents);
        combo->addItems({u"one"_s, u"two"_s, u"three"_s, u"four"_s, u"five"_s});
        combo->setCurrentIndex(2);
        layout->addWidget(edit);
        layout->addWidget(spin);
        layout->addWidget(combo);
        layout->addSpacing(2000);
        area.setWidget(contents);
        area.setWidgetResizable(true);
        if (guarded)
            guardWheel(&area);
        area.resize(300, 300);
        area.show();
        area.activateWindow();
    }
    [[nodiscard]] int scrolled() const { return area.verticalScrollBar()->value(); }
};

} // namespace

class TestWheelGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unguardedBoxesTakeTheWheel();
    void unfocusedBoxesLetTheAreaScroll();
    void focusedBoxesTakeTheWheel();
    void laterWidgetsAreGuarded();
    void composerScrollsOverEveryBox();
    void sequenceSecondsKeepTheirValue();
};

// The control: without the guard the same wheel changes both values (so the tests below would
// fail without it) and a wheel over the spin box gives it the focus.
void TestWheelGuard::unguardedBoxesTakeTheWheel()
{
    Form form(false);
    QVERIFY(QTest::qWaitForWindowActive(&form.area));
    turnWheel(form.spin, -1);
    QCOMPARE(form.spin->value(), 49);
    turnWheel(form.combo, -1);
    QCOMPARE(form.combo->currentIndex(), 3);
    QCOMPARE(form.scrolled(), 0);
}

void TestWheelGuard::unfocusedBoxesLetTheAreaScroll()
{
    Form form(true);
    QVERIFY(QTest::qWaitForWindowActive(&form.area));
    form.edit->setFocus();
    QTRY_VERIFY(form.edit->hasFocus());
    QCOMPARE(form.spin->focusPolicy(), Qt::StrongFocus);
    QCOMPARE(form.combo->focusPolicy(), Qt::StrongFocus);

    turnWheel(form.spin, -1);
    QCOMPARE(form.spin->value(), 50);
    QVERIFY(!form.spin->hasFocus()); // a wheel does not take the focus
    const int afterSpin = form.scrolled();
    QVERIFY2(afterSpin > 0, "the scroll area did not scroll");

    // The combo box is still under the pointer after a small scroll; find it where it is now.
    turnWheel(form.combo, -1);
    QCOMPARE(form.combo->currentIndex(), 2);
    QVERIFY(form.scrolled() > afterSpin);
    QVERIFY(form.edit->hasFocus());
}

void TestWheelGuard::focusedBoxesTakeTheWheel()
{
    Form form(true);
    QVERIFY(QTest::qWaitForWindowActive(&form.area));
    form.spin->setFocus();
    QTRY_VERIFY(form.spin->hasFocus());
    turnWheel(form.spin, 1);
    QCOMPARE(form.spin->value(), 51);
    QCOMPARE(form.scrolled(), 0);

    form.combo->setFocus();
    QTRY_VERIFY(form.combo->hasFocus());
    turnWheel(form.combo, 1);
    QCOMPARE(form.combo->currentIndex(), 1);
    QCOMPARE(form.scrolled(), 0);

    // An editable combo box has its line edit focused: that counts.
    form.combo->setEditable(true);
    form.combo->lineEdit()->setFocus();
    QTRY_VERIFY(form.combo->lineEdit()->hasFocus());
    turnWheel(form.combo, 1);
    QCOMPARE(form.combo->currentIndex(), 0);
}

// Widgets that arrive after guardWheel(): built straight into the form, and a whole subtree built
// elsewhere, shown, and moved in.
void TestWheelGuard::laterWidgetsAreGuarded()
{
    Form form(true);
    QVERIFY(QTest::qWaitForWindowActive(&form.area));
    form.edit->setFocus();
    QTRY_VERIFY(form.edit->hasFocus());
    auto *layout = static_cast<QVBoxLayout *>(form.area.widget()->layout());

    auto *added = new QDoubleSpinBox(form.area.widget());
    added->setValue(5);
    layout->insertWidget(0, added);

    auto elsewhere = std::make_unique<QWidget>();
    auto *elsewhereLayout = new QVBoxLayout(elsewhere.get());
    auto *moved = new QComboBox(elsewhere.get());
    moved->addItems({u"a"_s, u"b"_s, u"c"_s});
    moved->setCurrentIndex(1);
    elsewhereLayout->addWidget(moved);
    elsewhere->show();
    QVERIFY(QTest::qWaitForWindowExposed(elsewhere.get()));
    QWidget *subtree = elsewhere.release();
    layout->insertWidget(0, subtree); // reparented into the form
    subtree->show();
    QTRY_VERIFY(added->isVisible() && moved->isVisible());
    form.area.verticalScrollBar()->setValue(0);

    turnWheel(added, -1);
    QCOMPARE(added->value(), 5.0);
    QVERIFY(form.scrolled() > 0);
    form.area.verticalScrollBar()->setValue(0);
    turnWheel(moved, -1);
    QCOMPARE(moved->currentIndex(), 1);
    QVERIFY(form.scrolled() > 0);
    QCOMPARE(added->focusPolicy(), Qt::StrongFocus);
    QCOMPARE(moved->focusPolicy(), Qt::StrongFocus);
}

// What the user tripped over: in a composer too short for its contents, the wheel over any spin
// box or combo box scrolls the composer and changes nothing.
void TestWheelGuard::composerScrollsOverEveryBox()
{
    ComposerWidget composer;
    composer.resize(600, 420);
    composer.show();
    composer.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&composer));
    auto *area = composer.findChild<QScrollArea *>(u"scrollArea"_s);
    QVERIFY(area);
    QScrollBar *bar = area->verticalScrollBar();
    QVERIFY2(bar->maximum() > 0, "the composer does not need to scroll at this size");
    composer.setFocus();

    QStringList checked;
    int scrolls = 0;
    const auto boxes = area->widget()->findChildren<QWidget *>();
    for (QWidget *box : boxes) {
        auto *spin = qobject_cast<QAbstractSpinBox *>(box);
        auto *combo = qobject_cast<QComboBox *>(box);
        if ((!spin && !combo) || !box->isVisible() || !box->isEnabled())
            continue;
        area->ensureWidgetVisible(box);
        const QString before = spin ? spin->text() : combo->currentText();
        const int scrolledBefore = bar->value();
        const int notches = scrolledBefore > 0 ? 1 : -1; // towards where there is room
        turnWheel(box, notches);
        QCOMPARE(spin ? spin->text() : combo->currentText(), before);
        QVERIFY2(!box->hasFocus(), qPrintable(box->objectName()));
        if (bar->value() != scrolledBefore)
            ++scrolls;
        checked << box->objectName();
    }
    qInfo() << "checked" << checked;
    QVERIFY(checked.contains(u"chopSpin"_s));
    QVERIFY(checked.contains(u"opcodeCombo"_s));
    QVERIFY(checked.contains(u"closeCodeCombo"_s));
    QCOMPARE(scrolls, checked.size());
}

// The sequence editor's seconds box does not change under a passing wheel either.
void TestWheelGuard::sequenceSecondsKeepTheirValue()
{
    QScrollArea area;
    auto *sequence = new SequenceWidget;
    sequence->setMinimumHeight(1200);
    area.setWidget(sequence);
    area.setWidgetResizable(true);
    area.resize(500, 300);
    area.show();
    area.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&area));
    auto *seconds = sequence->findChild<QDoubleSpinBox *>(u"secondsSpin"_s);
    auto *timer = sequence->findChild<QComboBox *>(u"timerKindCombo"_s);
    QVERIFY(seconds && timer);
    area.ensureWidgetVisible(seconds);
    const double value = seconds->value();
    const int index = timer->currentIndex();
    turnWheel(seconds, -1);
    turnWheel(timer, -1);
    QCOMPARE(seconds->value(), value);
    QCOMPARE(timer->currentIndex(), index);
}

QTEST_MAIN(TestWheelGuard)
#include "tst_wheelguard.moc"
