# SPDX-License-Identifier: GPL-2.0-or-later
# CPack: the Debian package (./x package; cpack -G DEB in the build tree).
#
# The package always installs under /usr whatever CMAKE_INSTALL_PREFIX the tree
# was configured with (./x setup's /usr/local stays as it is): CPack re-runs the
# install scripts with CMAKE_INSTALL_PREFIX=/usr and DESTDIR set to its staging
# dir (CPACK_SET_DESTDIR), so the absolute /usr/share destinations of the D-Bus
# and polkit files land in the package too, and the service file's Exec= is
# configured for /usr/libexec/httptap (see resources/CMakeLists.txt). The
# programs find the helper relative to themselves (../libexec/httptap), so the
# configure-time prefix compiled into them is only a last resort.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME httptap)
set(CPACK_PACKAGE_VENDOR "The httptap developers")
set(CPACK_PACKAGE_CONTACT "The httptap developers <httptap@httptap.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Show the HTTP traffic of Linux processes, like a browser's Network tab")
set(CPACK_PACKAGE_DESCRIPTION
  "httptap shows the HTTP requests and responses of processes on this machine
(HTTP/1.x, HTTP/2, gRPC; plaintext and TLS from OpenSSL, GnuTLS and Go) without
a proxy or certificates: the bytes are read with eBPF. The package contains the
httptap window, the httptap-record command-line recorder, and the privileged
capture helper as a D-Bus system service authorized by polkit.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# With CPACK_SET_DESTDIR the install scripts see CPACK_INSTALL_PREFIX as CMAKE_INSTALL_PREFIX.
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
# Users get stripped programs (installed size 2.6 MB instead of 53 MB of RelWithDebInfo); the
# build tree keeps the unstripped ones for debugging.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # httptap_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://httptap.org/")
# Declared by hand (Debian 12 names, from the binaries' NEEDED entries) rather
# than by dpkg-shlibdeps, so the package does not need dpkg-dev to build; polkitd
# and dbus run the helper's system service.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6 (>= 2.36), libstdc++6 (>= 12), libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), libqt6widgets6 (>= 6.4), \
libqt6charts6 (>= 6.4), libqt6dbus6 (>= 6.4), libbpf1 (>= 1:1.0), libnghttp2-14, libelf1, libzydis4.0, zlib1g, libbrotli1, libzstd1, \
libyaml-cpp0.7, libprometheus-cpp-core1.0, libprometheus-cpp-pull1.0, procps, polkitd, dbus")
# The detail pane shows SVG (QtSvg's image plugin) and WebP images when these are installed.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pkexec, libqt6svg6, qt6-image-formats-plugins")

include(CPack)
