// SPDX-License-Identifier: GPL-2.0-or-later
#include "largebodies.h"

#include <QActionGroup>
#include <QMenu>
#include <QSettings>

#include <mutex>

namespace httptap {

namespace {

constexpr uint64_t kDefaultLimit = 64 * 1024;
constexpr uint64_t kMaxSpillBytes = 64ull << 30; // address space and tmpfs, not the heap

const QString kModeKey = QStringLiteral("largeBodies/mode");

std::shared_ptr<SpillFile> processSpill(const QString& directory, QString* error)
{
    // One file per process and directory setting; the mappings it handed out stay valid regardless.
    static std::mutex mutex;
    static std::shared_ptr<SpillFile> spill;
    static QString openedIn;
    std::lock_guard lock(mutex);
    if (!spill || openedIn != directory) {
        spill = SpillFile::open(directory, kMaxSpillBytes, error);
        openedIn = directory;
    }
    return spill;
}

} // namespace

LargeBodyPolicy largeBodyPolicy(QString* warning)
{
    const QSettings settings;
    const QString mode = settings.value(kModeKey, QStringLiteral("spill")).toString();
    LargeBodyPolicy policy;
    policy.limitBytes = settings.value(QStringLiteral("largeBodies/limit"), qulonglong(kDefaultLimit)).toULongLong();
    if (policy.limitBytes == 0)
        policy.limitBytes = kDefaultLimit;
    if (mode == QLatin1String("drop")) {
        policy.mode = LargeBodyPolicy::Mode::Drop;
        return policy;
    }
    if (mode != QLatin1String("spill"))
        return policy; // keep
    QString directory = settings.value(QStringLiteral("largeBodies/directory")).toString();
    if (directory.isEmpty() && qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR"))
        return policy; // no tmpfs of the user's: nothing is written anywhere by default
    QString error;
    policy.mode = LargeBodyPolicy::Mode::Spill;
    policy.spill = processSpill(directory, &error);
    if (!policy.spill) {
        policy.mode = LargeBodyPolicy::Mode::Drop;
        if (warning)
            *warning = error;
    }
    return policy;
}

void addLargeBodiesMenu(QMenu* parent)
{
    QMenu* menu = parent->addMenu(QObject::tr("&Large Bodies"));
    menu->setObjectName(QStringLiteral("menuLargeBodies"));
    menu->setToolTip(QObject::tr("Where bodies over 64 KiB are kept; applies to captures started and files "
                                 "opened from now on"));
    auto* group = new QActionGroup(menu);
    const QString current = QSettings().value(kModeKey, QStringLiteral("spill")).toString();
    const struct {
        const char* mode;
        QString text;
        QString tip;
    } choices[] = {
        { "spill", QObject::tr("&Spill to a Temporary File"),
            QObject::tr("A private file in $XDG_RUNTIME_DIR (memory, never a disk), removed when httptap exits") },
        { "keep", QObject::tr("&Keep in Memory"), QObject::tr("Every body stays in httptap's heap") },
        { "drop", QObject::tr("&Drop Beyond 64 KiB"), QObject::tr("Keep the first 64 KiB; the flow is marked truncated") },
    };
    for (const auto& choice : choices) {
        QAction* action = menu->addAction(choice.text);
        action->setObjectName(QStringLiteral("actionLargeBodies_") + QLatin1String(choice.mode));
        action->setToolTip(choice.tip);
        action->setStatusTip(choice.tip);
        action->setCheckable(true);
        action->setChecked(current == QLatin1String(choice.mode));
        action->setActionGroup(group);
        const QString mode = QLatin1String(choice.mode);
        QObject::connect(action, &QAction::triggered, menu, [mode] { QSettings().setValue(kModeKey, mode); });
    }
}

} // namespace httptap
