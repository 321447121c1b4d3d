#!/usr/bin/env bash
# Builds (once per machine) the root filesystem of a "bare Debian VPS" for the
# `gangway setup` tests: Debian bookworm minbase + sshd + sudo + python3, an `admin`
# account with passwordless sudo, and a local file: apt repository holding nginx,
# certbot and its rfc2136 DNS plugin with their dependencies, so that `apt-get install -y nginx certbot` works
# inside the VPS with no network at all (the VPS only ever sees loopback and its veth).
#
#   bash scripts/vps-image.sh [CACHE_DIR]     (default $GANGWAY_VPS_CACHE or /var/cache/gangway)
#
# Prints the path of the cached tarball as the last line of stdout; logs go to stderr.
# The tarball name carries a hash of this script, so editing the package lists (or any
# build step) builds a new image and deletes the old one; an unchanged script costs
# nothing but the hash. Needs root and the host's Debian mirror (only while building).
set -euo pipefail

SUITE=bookworm
# What debootstrap installs. minbase already brings apt, dpkg and gpgv; procps because
# every real VPS has ps/pgrep and init scripts use them.
INCLUDE=openssh-server,sudo,python3,iproute2,ca-certificates,procps
# What the local repo inside the VPS offers (plus every dependency not yet installed).
REPO_PACKAGES="nginx certbot cron python3-certbot-dns-rfc2136"
REPO_DIR=/srv/gangway-apt   # path inside the VPS

log() { echo "vps-image: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }

CACHE=${1:-${GANGWAY_VPS_CACHE:-/var/cache/gangway}}
mkdir -p "$CACHE"
KEY=$(sha256sum "$0" | cut -c1-12)
EXT=tar.zst; command -v zstd >/dev/null || EXT=tar.gz
OUT="$CACHE/vps-$SUITE-$KEY.$EXT"

# Serialize concurrent builders (two test runs, CI retries) on one lock file.
exec 9>"$CACHE/.lock"
flock 9
if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi

need() { command -v "$1" >/dev/null || { apt-get update -qq >&2 || true; apt-get install -y -qq "$2" >&2; }; }
need debootstrap debootstrap
need dpkg-scanpackages dpkg-dev

# Same mirror as the host: the first URI whose suites include "$SUITE" (or "$SUITE-security"),
# from deb822 *.sources files or one-line sources.list entries.
mirror_for() {
  local suite=$1
  {
    awk -v s="$suite" 'BEGIN{RS=""; FS="\n"} {u="";ok=0
      for(i=1;i<=NF;i++){ if($i ~ /^URIs:/){sub(/^URIs:[ \t]*/,"",$i); split($i,a," "); u=a[1]}
        if($i ~ /^Suites:/){n=split($i,b,/[ \t]+/); for(j=2;j<=n;j++) if(b[j]==s) ok=1} }
      if(ok && u!="") print u}' /etc/apt/sources.list.d/*.sources 2>/dev/null
    grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/\[[^]]*\]//' | awk -v s="$suite" '$3==s{print $2}'
  } | head -n1 || true   # missing files are not an error: we fall back to deb.debian.org
}
MIRROR=$(mirror_for "$SUITE"); MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=$(mirror_for "$SUITE-security"); SECURITY=${SECURITY:-http://deb.debian.org/debian-security}
log "building $OUT from $MIRROR (security: $SECURITY)"

WORK=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
R="$WORK/root"
START=$(date +%s)

debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$R" "$MIRROR" >&2

# Runs a script inside the tree. A private mount namespace holds /proc and /dev, so
# nothing stays mounted on the host even if this script dies half-way.
in_root() {
  unshare --mount --propagation private --fork sh -euc '
    mount -t proc proc "$1/proc"; mount --rbind /dev "$1/dev"
    chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      LANG=C.UTF-8 /bin/sh -euc "$2"' in_root "$R" "$1" >&2
}

cp /etc/resolv.conf "$R/etc/resolv.conf"   # network only while building
cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF

in_root "
  apt-get update -qq
  apt-get -y -qq dist-upgrade                    # a VPS image is patched when you get it
  apt-get clean                                  # drop debootstrap's debs: the repo holds only what is missing
  apt-get -y -qq install --download-only $REPO_PACKAGES
  # The admin account a provider gives you: key login, passwordless sudo. '*' (not the
  # locked '!') so sshd accepts key logins for it whatever UsePAM says.
  useradd --create-home --shell /bin/bash --groups sudo admin
  usermod -p '*' admin
  echo 'admin ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/90-admin; chmod 0440 /etc/sudoers.d/90-admin
  rm -f /etc/ssh/ssh_host_*                      # every VPS gets its own host keys at start
  mkdir -p $REPO_DIR; mv /var/cache/apt/archives/*.deb $REPO_DIR/
"

(cd "$R$REPO_DIR" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
chmod -R a+rX "$R$REPO_DIR"
# From now on the VPS knows only its local repo: no DNS, no mirror, like the sandbox it lives in.
echo "deb [trusted=yes] file:$REPO_DIR ./" >"$R/etc/apt/sources.list"
: >"$R/etc/resolv.conf"
in_root "apt-get update -qq; apt-get clean; rm -rf /var/lib/apt/lists/partial/* /tmp/* /var/log/*.log"

TMP="$OUT.tmp.$$"
if [ "$EXT" = tar.zst ]; then tar --numeric-owner -C "$R" -cf - . | zstd -q -T0 -3 -o "$TMP"
else tar --numeric-owner -C "$R" -czf "$TMP" .; fi
mv "$TMP" "$OUT"
# Older images (other script hashes) are dead weight.
find "$CACHE" -maxdepth 1 -name "vps-$SUITE-*.tar.*" ! -name "$(basename "$OUT")" -delete
log "built in $(( $(date +%s) - START ))s: $(du -h "$OUT" | cut -f1)"
echo "$OUT"
