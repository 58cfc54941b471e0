#!/bin/sh
# Builds the nDPI shim: native/build.sh OUTDIR  ->  OUTDIR/libndpishim.so
#
# Run by src/Tocsin.Ndpi's build. nDPI is linked dynamically only (libndpi.so.4.2, LGPL-3.0-or-later; see
# licenses/nDPI.md): never against libndpi.a. Without the build tools or nDPI 4.2's headers it prints one line
# naming the Debian packages and exits 0 without building, so the .NET build still succeeds; Tocsin then
# reports at start that nDPI is unavailable.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: native/build.sh OUTDIR}
packages="apt-get install -y libndpi-dev gcc pkg-config"

missing=""
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
if [ -z "$missing" ] && ! pkg-config --exists libndpi; then
  missing=" libndpi-dev"
fi
if [ -n "$missing" ]; then
  echo "ndpishim: not built (missing:$missing); to enable nDPI: $packages"
  exit 0
fi

# The shim reads nDPI 4.2's structures: another release's headers would not compile.
version=$(pkg-config --modversion libndpi)
case "$version" in
  4.2|4.2.*) ;;
  *)
    echo "ndpishim: not built (libndpi-dev $version found, nDPI 4.2 needed, as in Debian 12): $packages"
    exit 0
    ;;
esac

mkdir -p "$out"
# Build beside the target and rename, so a concurrent build or a running test never sees half a file.
tmp="$out/libndpishim.so.$$"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
gcc -O2 -g -fPIC -shared -Wall -Wextra -Werror -fvisibility=hidden -pthread \
  $(pkg-config --cflags libndpi) "$here/ndpishim.c" -o "$tmp" \
  $(pkg-config --libs libndpi) -Wl,-z,defs -Wl,-soname,libndpishim.so
mv -f "$tmp" "$out/libndpishim.so"
