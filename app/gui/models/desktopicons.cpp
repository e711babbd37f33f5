// SPDX-License-Identifier: GPL-2.0-or-later
#include "desktopicons.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace httptap {

namespace {

QString key(const QString& name)
{
    return QFileInfo(name).fileName().toLower();
}

} // namespace

DesktopIcons::DesktopIcons(const QStringList& dataDirs)
{
    for (const QString& dir : dataDirs) {
        const QDir apps(dir + QStringLiteral("/applications"));
        for (const QString& file : apps.entryList({ QStringLiteral("*.desktop") }, QDir::Files, QDir::Name))
            readEntry(apps.filePath(file));
    }
}

QStringList DesktopIcons::systemDataDirs()
{
    QString home = qEnvironmentVariable("XDG_DATA_HOME");
    if (home.isEmpty())
        home = QDir::homePath() + QStringLiteral("/.local/share");
    QStringList dirs { home };
    QString shared = qEnvironmentVariable("XDG_DATA_DIRS");
    if (shared.isEmpty())
        shared = QStringLiteral("/usr/local/share:/usr/share");
    dirs << shared.split(QLatin1Char(':'), Qt::SkipEmptyParts);
    return dirs;
}

DesktopIcons& DesktopIcons::instance()
{
    static DesktopIcons icons(systemDataDirs());
    return icons;
}

void DesktopIcons::readEntry(const QString& path)
{
    QFile file(path);
    if (file.size() > 256 * 1024 || !file.open(QIODevice::ReadOnly | QIODevice::Text))
        return;
    QString icon, exec, wmClass;
    bool inEntry = false;
    bool hidden = false;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine(4096)).trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            inEntry = line == QLatin1String("[Desktop Entry]");
            continue;
        }
        if (!inEntry)
            continue;
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString name = line.left(eq).trimmed();
        const QString value = line.mid(eq + 1).trimmed();
        if (name == QLatin1String("Icon"))
            icon = value;
        else if (name == QLatin1String("Exec"))
            exec = value;
        else if (name == QLatin1String("StartupWMClass"))
            wmClass = value;
        else if (name == QLatin1String("NoDisplay") || name == QLatin1String("Hidden"))
            hidden |= value == QLatin1String("true");
    }
    if (icon.isEmpty())
        return;
    // `env FOO=1 prog %U` and `sh -c …` wrappers: the program is the first word that is neither.
    QStringList words = QProcess::splitCommand(exec);
    while (!words.isEmpty() && (key(words.first()) == QLatin1String("env") || words.first().contains(QLatin1Char('='))))
        words.removeFirst();
    QStringList keys;
    if (!words.isEmpty())
        keys << key(words.first());
    if (!wmClass.isEmpty())
        keys << wmClass.toLower();
    keys << QFileInfo(path).completeBaseName().toLower();
    for (const QString& k : std::as_const(keys)) {
        // A visible entry wins over a hidden one (a MIME handler's NoDisplay entry, say).
        if (k.isEmpty() || (m_iconByKey.contains(k) && (hidden || !m_fromHidden.contains(k))))
            continue;
        m_iconByKey.insert(k, icon);
        if (hidden)
            m_fromHidden.insert(k);
        else
            m_fromHidden.remove(k);
    }
}

QString DesktopIcons::iconName(const QString& executable, const QString& comm) const
{
    for (const QString& name : { executable, comm }) {
        if (name.isEmpty())
            continue;
        // The kernel cuts comm to 15 bytes and deleted executables end in " (deleted)".
        QString k = key(name);
        k.remove(QStringLiteral(" (deleted)"));
        if (auto it = m_iconByKey.constFind(k); it != m_iconByKey.constEnd())
            return *it;
    }
    return {};
}

QIcon DesktopIcons::icon(const QString& executable, const QString& comm) const
{
    const QString name = iconName(executable, comm);
    if (name.isEmpty())
        return {};
    auto it = m_icons.find(name);
    if (it == m_icons.end())
        it = m_icons.insert(name, QFileInfo(name).isAbsolute() ? QIcon(name) : QIcon::fromTheme(name));
    return *it;
}

} // namespace httptap
