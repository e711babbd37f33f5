// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// "Copy as cURL (bash)": a bash command that sends the captured request again.
// The rules are a browser's, with the changes needed to replay byte for byte:
//
// - `curl 'URL'`, single-quoted; a URL holding [ ] { } gets --globoff (curl
//   would otherwise expand them as globs) rather than escapes, so the URL is
//   sent exactly as captured.
// - Quoting: '…' normally; ANSI-C $'…' when the text holds a control
//   character, '!', '\'' or a byte that is not valid UTF-8 (escaped as \xHH,
//   \n, \r, \t, \\, \').
// - The method: curl infers GET without a body, POST with one; -X METHOD
//   otherwise; HEAD becomes --head (curl -X HEAD would wait for a body).
// - Headers in captured order, except HTTP/2 pseudo-headers, Host (curl sends
//   the URL's authority), Content-Length (curl computes it), Accept-Encoding
//   (replaced by --compressed, so curl decodes; curl then sends its own list)
//   and, for HTTP/2, Connection-specific fields. An empty value is written
//   `-H 'Name;'` (curl's syntax for an empty header). Headers curl adds by
//   itself and the original did not send (User-Agent, Accept; Content-Type
//   for a body; Expect for a body over 1 KiB on HTTP/1.1) are suppressed
//   with `-H 'Name:'`, so the server sees the same header list.
// - Body: --data-raw 'text' for valid UTF-8 without NUL (--data-raw sends it
//   as is, no '@' file interpretation); a binary body goes through
//   `--data-binary @<(printf '\x00…')` (bash strings cannot hold NUL), or, on
//   request (CurlOptions::binaryBodyToFile), `--data-binary @'FILE'` — the
//   caller writes the body to FILE. A binary or truncated body is announced by
//   a "# " comment line before the command.
// - --http1.0 / --http1.1 / --http2 (TLS) / --http2-prior-knowledge (h2c)
//   to match the captured version.
// - One option per line, lines joined by " \\\n  ".
//
// Sensitive headers (Authorization, Cookie…) are kept: the command must
// replay. Callers showing it should say so.

#include "flow/flow.h"

#include <QByteArray>
#include <QString>

namespace httptap {

struct CurlOptions {
    bool binaryBodyToFile = false; // binary body as @bodyFilePath instead of inline printf
    QString bodyFilePath; // where the caller will write the body (binaryBodyToFile)
};

QString curlCommand(const Flow& flow, const CurlOptions& options = {});

// bash quoting of one word: 'text' or $'text' (see above).
QString curlShellQuote(const QByteArray& bytes);

} // namespace httptap
