# KC_REQUIRE(VARIABLE-PREFIX, PKG-CONFIG-MODULES, DEBIAN-PACKAGE)
# -----------------------------------------------------------------
# Finds a library with pkg-config, or stops and names the Debian package
# that provides it, so a missing dependency is one apt-get away.
AC_DEFUN([KC_REQUIRE], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])])
])
