// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The window's setting for large bodies (View ▸ Large Bodies; bodyspill.h has
// the mechanism). Flows the window keeps are kept for the whole session, so by
// default bodies over 64 KiB go to a spill file in $XDG_RUNTIME_DIR — a
// per-user tmpfs: memory the kernel may swap, never a disk — and stay on the
// heap when there is no such directory. The user may instead keep every body
// on the heap, or drop large bodies (first 64 KiB kept, flow marked
// truncated). QSettings keys: largeBodies/mode (spill, keep, drop),
// largeBodies/limit (bytes), largeBodies/directory (a spill directory of the
// user's choosing, possibly on disk: only when set explicitly).

#include "flow/bodyspill.h"

#include <QString>

class QMenu;

namespace httptap {

// The policy for assemblers started now. One spill file serves the whole process, opened on
// first use; if it cannot be opened, large bodies are dropped and *warning says why.
LargeBodyPolicy largeBodyPolicy(QString* warning = nullptr);

// View ▸ Large Bodies: keep / spill / drop, applied to captures started and files opened afterwards.
void addLargeBodiesMenu(QMenu* parent);

} // namespace httptap
