#!/usr/bin/env bash
# Make dist/Desktop-Editor-<version>.dmg from "dist/Desktop Editor.app" (macOS only: hdiutil).
#
#   bash packaging/macos/make_dmg.sh "dist/Desktop Editor.app" 0.1.0
#
# `python3 packaging/build.py macos` builds the app (the spec's BUNDLE section: .icns icon,
# Info.plist with the version, image and .deproj document types) and then runs this script.
# The disk image holds the app and a link to /Applications to drag it onto. Signing and
# notarisation are separate steps: set DESKTOP_EDITOR_CODESIGN_IDENTITY before building to sign
# the app, then `xcrun notarytool submit dist/Desktop-Editor-<version>.dmg --wait` and
# `xcrun stapler staple` it.
set -euo pipefail

app="${1:?usage: make_dmg.sh APP_PATH [VERSION]}"
version="${2:-}"
if [ "$(uname -s)" != "Darwin" ]; then
    echo "make_dmg.sh: hdiutil exists on macOS only" >&2
    exit 2
fi
if [ ! -d "$app" ]; then
    echo "make_dmg.sh: $app not found (run: python3 packaging/build.py macos)" >&2
    exit 2
fi
if [ -z "$version" ]; then  # the version the app itself carries
    version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
fi

dist="$(cd "$(dirname "$app")" && pwd)"
dmg="$dist/Desktop-Editor-$version.dmg"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Desktop Editor $version" -srcfolder "$staging" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 -ov "$dmg"
hdiutil verify "$dmg"
echo "$dmg"
