// SPDX-License-Identifier: GPL-2.0-or-later
#include "initiatorframe.h"

namespace httptap {

namespace {

// File name prefixes of the libraries that carry a request, not make it. Debian's python3.11
// links libpython statically, so the interpreter binary counts as libpython.
constexpr const char* kLibraryModules[] = { "libc.so", "libc-", "libpthread", "ld-linux", "libssl", "libcrypto",
    "libgnutls", "libcurl", "libnghttp2", "libpython", "python3" };
// Go packages that do the sending for the caller (function names start with the package path).
constexpr const char* kLibraryPackages[] = { "runtime.", "net/http.", "crypto/tls.", "net.", "bufio.",
    "internal/poll.", "syscall.", "io.", "golang.org/x/net/http2.", "google.golang.org/grpc." };

// The file name without a copy: this runs for every frame of every row the table builds.
QStringView fileName(const QString& path)
{
    return QStringView(path).mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

bool isLibc(const StackFrame& frame)
{
    const QStringView name = fileName(frame.module);
    return name.startsWith(QLatin1String("libc.so")) || name.startsWith(QLatin1String("libc-"))
        || name.startsWith(QLatin1String("libpthread"));
}

} // namespace

QString moduleName(const QString& modulePath)
{
    return modulePath.mid(modulePath.lastIndexOf(QLatin1Char('/')) + 1);
}

bool isLibraryFrame(const StackFrame& frame)
{
    const QStringView name = fileName(frame.module);
    for (const char* prefix : kLibraryModules)
        if (name.startsWith(QLatin1String(prefix)))
            return true;
    for (const char* prefix : kLibraryPackages)
        if (frame.symbol.startsWith(QLatin1String(prefix)))
            return true;
    return false;
}

int initiatorFrameIndex(const InitiatorStack& stack)
{
    if (stack.frames.isEmpty())
        return -1;
    for (int i = 0; i < stack.frames.size(); ++i)
        if (!isLibraryFrame(stack.frames[i]))
            return i;
    for (int i = 0; i < stack.frames.size(); ++i)
        if (!isLibc(stack.frames[i]))
            return i;
    return 0;
}

QString initiatorFrame(const InitiatorStack& stack)
{
    const int i = initiatorFrameIndex(stack);
    return i < 0 ? QString() : frameText(stack.frames[i]);
}

QString functionText(const StackFrame& frame)
{
    if (frame.symbol.isEmpty())
        return {};
    return frame.symbol + QStringLiteral("+0x") + QString::number(frame.symbolOffset, 16);
}

QString frameText(const StackFrame& frame)
{
    if (frame.module.isEmpty())
        return QStringLiteral("0x") + QString::number(frame.address, 16);
    if (frame.symbol.isEmpty())
        return moduleName(frame.module) + QStringLiteral("+0x") + QString::number(frame.moduleOffset, 16);
    return moduleName(frame.module) + QLatin1Char('!') + functionText(frame);
}

QString stackText(const InitiatorStack& stack)
{
    QString out = QStringLiteral("thread %1 (tid %2)%3\n")
                      .arg(stack.thread)
                      .arg(stack.tid)
                      .arg(stack.partial ? QStringLiteral(", partial: frame pointers missing") : QString());
    for (int i = 0; i < stack.frames.size(); ++i) {
        const StackFrame& f = stack.frames[i];
        out += QStringLiteral("#%1  0x%2  %3\n").arg(i, -2).arg(f.address, 16, 16, QLatin1Char('0')).arg(frameText(f));
    }
    return out;
}

} // namespace httptap
