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
    const std::lock_guard lock(m_mailMutex);
    m_mail.clear();
}

void CaptureLoader::post(std::function<void()> call)
{
    const std::lock_guard lock(m_mailMutex);
    m_mail.push_back(std::move(call));
    QMetaObject::invokeMethod(this, "deliverOne", Qt::QueuedConnection);
}

void CaptureLoader::deliverOne()
{
    std::function<void()> call;
    {
        const std::lock_guard lock(m_mailMutex);
        if (m_mail.empty())
            return;
        call = std::move(m_mail.front());
        m_mail.pop_front();
    }
    call(); // a receiver may delete this object: nothing of it is touched after this
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
        post([this, batch = std::move(batch)] { Q_EMIT batchReady(batch); });
    };
    callbacks.progress = [this](qint64 read, qint64 total) {
        const int percent = total > 0 ? int(read * 100 / total) : 0;
        post([this, percent] {
            if (percent == m_percent)
                return;
            m_percent = percent;
            Q_EMIT progressed(percent);
        });
    };
    callbacks.finished = [this](std::shared_ptr<capture::CaptureLoadResult> result) {
        post([this, result = std::move(result)] {
            m_load.wait(); // it has ended: join it
            Q_EMIT finished(result);
        });
    };
    m_load.start(std::move(callbacks));
}

} // namespace wsi::gui
