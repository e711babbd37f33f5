// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The dark look (`httptap --dark`, HTTPTAP_DARK=1, the dark screenshots):
// the Fusion style with a dark palette, for desktops whose own style has none.

#include <QPalette>

namespace httptap {

QPalette darkPalette();
// Fusion with darkPalette(), application-wide.
void applyDarkLook();

} // namespace httptap
