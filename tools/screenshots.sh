#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerates docs/screenshots in light and dark: the main window, the
# process picker, the Launch a Command dialog, the detail pane and the
# Compare dialog (rendered offscreen from canned captures and process lists,
# Fusion style; dark is a dark palette like `httptap --dark`). Look at every
# PNG before committing them.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
./x build
export QT_QPA_PLATFORM=offscreen HTTPTAP_UPDATE_SCREENSHOTS=1
build/bin/tst_mainwindow screenshots
build/bin/tst_processpicker screenshots
build/bin/tst_comparedialog screenshots # the detail pane and Compare
build/bin/tst_initiator screenshot # the Initiator tab (issue 12)
ls -l docs/screenshots
