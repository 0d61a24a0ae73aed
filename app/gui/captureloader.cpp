// SPDX-License-Identifier: MIT
#include "captureloader.h"

#include <QMetaObject>

namespace wsi::gui {

CaptureLoader::CaptureLoader(const QString &path, const capture::CaptureLoadOptions &options,
                             QObject *parent)
    : QObject(parent), m_path(path), m_load(path, options)
{
}

CaptureLoader::~CaptureLoader()
{
    // The reader's last calls post to this object; once it is gone they are dropped with it.
    m_load.cancel();
    m_load.wait();
}

bool CaptureLoader::open()
{
    return m_load.open();
}

void CaptureLoader::start()
{
    capture::CaptureLoad::Callbacks callbacks;
    // In the reader's thread: each one posts to this object, in the window's thread.
    callbacks.batch = [this](TraceBatchPtr batch) {
        QMetaObject::invokeMethod(
            this, [this, batch = std::move(batch)] { Q_EMIT batchReady(batch); },
            Qt::QueuedConnection);
    };
    callbacks.progress = [this](qint64 read, qint64 total) {
        const int percent = total > 0 ? int(read * 100 / total) : 0;
        QMetaObject::invokeMethod(
            this,
            [this, percent] {
                if (percent == m_percent)
                    return;
                m_percent = percent;
                Q_EMIT progressed(percent);
            },
            Qt::QueuedConnection);
    };
    callbacks.finished = [this](std::shared_ptr<capture::CaptureLoadResult> result) {
        QMetaObject::invokeMethod(
            this,
            [this, result = std::move(result)] {
                m_load.wait(); // it has ended: join it
                Q_EMIT finished(result);
            },
            Qt::QueuedConnection);
    };
    m_load.start(std::move(callbacks));
}

} // namespace wsi::gui
