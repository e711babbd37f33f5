// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Icons for processes, as the desktop shows them: a process is matched to a
// .desktop entry (XDG data dirs, applications/) by its executable's or
// command's name against the entry's Exec program, StartupWMClass or file
// name, and the entry's Icon is looked up in the icon theme. The entries are
// read once; lookups are cached, so a picker refresh costs a hash lookup per
// process.

#include <QHash>
#include <QIcon>
#include <QSet>
#include <QString>
#include <QStringList>

namespace httptap {

class DesktopIcons
{
public:
    // Reads applications/*.desktop under these data directories (first wins).
    explicit DesktopIcons(const QStringList& dataDirs);
    // The data directories of this session ($XDG_DATA_HOME, $XDG_DATA_DIRS).
    static QStringList systemDataDirs();
    // The shared instance for this session's data directories.
    static DesktopIcons& instance();

    // The Icon= value for a process ("firefox-esr", or an absolute path), empty if none.
    QString iconName(const QString& executable, const QString& comm) const;
    QIcon icon(const QString& executable, const QString& comm) const;

private:
    void readEntry(const QString& path);

    QHash<QString, QString> m_iconByKey; // lower-case program / class / file name → Icon=
    QSet<QString> m_fromHidden; // keys whose entry is NoDisplay/Hidden
    mutable QHash<QString, QIcon> m_icons; // Icon= → loaded icon
};

} // namespace httptap
