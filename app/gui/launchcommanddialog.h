// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// "Launch a command…": a new program started under capture, traced from its
// first instruction (so its first request is seen). Asks for the command
// line and the working directory; Capture is enabled only for a command
// whose program exists and a directory that does. The command runs as the
// user running httptap (through the httptap service when not root).

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace httptap {

class LaunchCommandDialog : public QDialog
{
    Q_OBJECT
public:
    explicit LaunchCommandDialog(QWidget* parent = nullptr);

    // The command split into argv as a shell would (quotes, backslashes; no expansion).
    QStringList arguments() const;
    QString workingDirectory() const;
    bool followChildren() const;

    QLineEdit* commandEdit() const { return m_command; }
    QLineEdit* directoryEdit() const { return m_directory; }
    QLabel* problemLabel() const { return m_problem; }
    QPushButton* launchButton() const { return m_launch; }

    // Words as a POSIX shell splits them: blanks separate, '…' is literal, "…" keeps blanks (\" \\ \$ \`
    // escaped), a backslash quotes the next character; no expansion of any kind. Empty on an unclosed quote.
    static QStringList splitCommandLine(const QString& commandLine);
    // Why this command line and directory cannot be launched, in words; empty when they can.
    static QString problem(const QString& commandLine, const QString& directory);

private:
    void validate();

    QLineEdit* m_command;
    QLineEdit* m_directory;
    QCheckBox* m_follow;
    QLabel* m_problem;
    QPushButton* m_launch = nullptr;
};

} // namespace httptap
