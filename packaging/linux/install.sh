#!/bin/sh
# Install the Huddle bundle for the current user, with its menu entry and icons.
#
#     packaging/linux/install.sh [BUNDLE]    # BUNDLE defaults to dist/huddle (`make bundle`)
#     packaging/linux/install.sh --uninstall
#
# Everything goes under ~/.local (XDG_DATA_HOME when set); no root needed:
#   ~/.local/lib/huddle/                       the bundle
#   ~/.local/bin/huddle                        a link to it, for the terminal
#   ~/.local/share/applications/io.github.huddle.Huddle.desktop
#   ~/.local/share/icons/hicolor/*/apps/huddle.png, scalable/apps/huddle{,-symbolic}.svg
#   ~/.local/share/metainfo/io.github.huddle.Huddle.metainfo.xml
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
app_id=io.github.huddle.Huddle
data=${XDG_DATA_HOME:-$HOME/.local/share}
lib=$HOME/.local/lib/huddle
bin=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$lib"
    rm -f "$bin/huddle" "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml"
    rm -f "$data"/icons/hicolor/*/apps/huddle.png "$data"/icons/hicolor/*/apps/huddle*.svg
    echo "Huddle removed."
    exit 0
fi

bundle=${1:-$root/dist/huddle}
if [ ! -x "$bundle/huddle" ]; then
    echo "No bundle at $bundle: build it first with \`make bundle\`." >&2
    exit 1
fi

rm -rf "$lib"
mkdir -p "$(dirname "$lib")" "$bin" "$data/applications" "$data/metainfo"
cp -R "$bundle" "$lib"
ln -sf "$lib/huddle" "$bin/huddle"

for png in "$root"/icons/hicolor/*/apps/huddle.png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    install -D -m 644 "$png" "$data/icons/hicolor/$size/apps/huddle.png"
done
install -D -m 644 "$root/icons/huddle.svg" "$data/icons/hicolor/scalable/apps/huddle.svg"
install -D -m 644 "$root/icons/huddle-symbolic.svg" \
    "$data/icons/hicolor/symbolic/apps/huddle-symbolic.svg"
install -m 644 "$here/$app_id.metainfo.xml" "$data/metainfo/"

# The menu entry runs the bundle by its full path: ~/.local/bin is not on every
# desktop session's PATH.
sed "s|^Exec=huddle|Exec=\"$lib/huddle\"|" "$here/$app_id.desktop" \
    > "$data/applications/$app_id.desktop"
chmod 644 "$data/applications/$app_id.desktop"

# Menus and docks pick the new entry and icons up sooner with these (optional).
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true

echo "Huddle installed: find it in your applications menu, or run $bin/huddle."
