// SPDX-License-Identifier: GPL-2.0-or-later
#include "launchcommanddialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

namespace httptap {

LaunchCommandDialog::LaunchCommandDialog(QWidget* parent)
    : QDialog(parent)
    , m_command(new QLineEdit)
    , m_directory(new QLineEdit(QDir::currentPath()))
    , m_follow(new QCheckBox(tr("Follow child processes")))
    , m_problem(new QLabel)
{
    setWindowTitle(tr("Launch a Command"));
    m_command->setObjectName(QStringLiteral("launchCommand"));
    m_command->setPlaceholderText(tr("curl -s https://example.com/"));
    m_command->setMinimumWidth(420);
    m_directory->setObjectName(QStringLiteral("launchDirectory"));
    m_follow->setObjectName(QStringLiteral("launchFollowChildren"));
    m_follow->setChecked(true);
    m_problem->setObjectName(QStringLiteral("launchProblem"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d93f3f;"));

    auto* browse = new QToolButton;
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the working directory"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Working Directory"), m_directory->text());
        if (!dir.isEmpty())
            m_directory->setText(dir);
    });
    auto* directoryRow = new QHBoxLayout;
    directoryRow->addWidget(m_directory);
    directoryRow->addWidget(browse);

    auto* form = new QFormLayout;
    form->addRow(tr("&Command:"), m_command);
    auto* directoryLabel = new QLabel(tr("&Working directory:"));
    directoryLabel->setBuddy(m_directory);
    form->addRow(directoryLabel, directoryRow);
    form->addRow(QString(), m_follow);
    auto* note = new QLabel(tr("The command is captured from its first instruction and runs as you, with a minimal "
                               "environment; its output is discarded."));
    note->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_launch = buttons->button(QDialogButtonBox::Ok);
    m_launch->setText(tr("Launch and Capture"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_command, &QLineEdit::textChanged, this, &LaunchCommandDialog::validate);
    connect(m_directory, &QLineEdit::textChanged, this, &LaunchCommandDialog::validate);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    validate();
}

QStringList LaunchCommandDialog::arguments() const
{
    return splitCommandLine(m_command->text());
}

QStringList LaunchCommandDialog::splitCommandLine(const QString& commandLine)
{
    QStringList words;
    QString word;
    bool inWord = false;
    enum { Plain, Single, Double } state = Plain;
    for (qsizetype i = 0; i < commandLine.size(); ++i) {
        const QChar c = commandLine[i];
        if (state == Single) {
            if (c == u'\'')
                state = Plain;
            else
                word += c;
        } else if (state == Double) {
            if (c == u'"')
                state = Plain;
            else if (c == u'\\' && i + 1 < commandLine.size() && QStringView(u"\"\\$`").contains(commandLine[i + 1]))
                word += commandLine[++i];
            else
                word += c;
        } else if (c == u' ' || c == u'\t' || c == u'\n') {
            if (inWord)
                words << std::exchange(word, QString());
            inWord = false;
        } else {
            inWord = true;
            if (c == u'\'')
                state = Single;
            else if (c == u'"')
                state = Double;
            else if (c == u'\\' && i + 1 < commandLine.size())
                word += commandLine[++i];
            else
                word += c;
        }
    }
    if (state != Plain)
        return {};
    if (inWord)
        words << word;
    return words;
}

QString LaunchCommandDialog::workingDirectory() const
{
    return m_directory->text().trimmed();
}

bool LaunchCommandDialog::followChildren() const
{
    return m_follow->isChecked();
}

QString LaunchCommandDialog::problem(const QString& commandLine, const QString& directory)
{
    const QStringList argv = splitCommandLine(commandLine);
    if (argv.isEmpty() && !commandLine.trimmed().isEmpty())
        return tr("A quote is never closed.");
    if (argv.isEmpty())
        return tr("Type the command to run, for example: curl -s https://example.com/");
    const QString program = argv.first();
    if (program.contains(QLatin1Char('/'))) {
        const QFileInfo file(QDir(directory).absoluteFilePath(program));
        if (!file.exists())
            return tr("%1 does not exist.").arg(program);
        // Any x bit, as execve wants even for root (QFileInfo::isExecutable asks access(), which root passes).
        const auto anyExec = QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
        if (file.isDir() || !(file.permissions() & anyExec))
            return tr("%1 is not an executable program.").arg(program);
    } else if (QStandardPaths::findExecutable(program).isEmpty()) {
        return tr("No program called %1 in PATH. Give its full path, or check its name.").arg(program);
    }
    const QFileInfo dir(directory.trimmed());
    if (directory.trimmed().isEmpty() || !dir.isAbsolute())
        return tr("The working directory must be an absolute path.");
    if (!dir.isDir())
        return tr("The working directory %1 does not exist.").arg(directory.trimmed());
    return {};
}

void LaunchCommandDialog::validate()
{
    const QString why = problem(m_command->text(), workingDirectory());
    // An empty field is not an error yet: only the button says it is not ready.
    m_problem->setText(m_command->text().trimmed().isEmpty() ? QString() : why);
    m_launch->setEnabled(why.isEmpty());
}

} // namespace httptap
