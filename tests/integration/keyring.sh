#!/usr/bin/env bash
# keyring.sh — the chain of trust of bundles (firmware/sync/keyring.h) through the real tools:
# `kioskdb keyring` signs keyrings with root keys, `kioskdb bundle --keyring` carries the chain,
# `kiosk --sync-from` walks it from DATA/keyring. Checks: a first keyring under the image's root
# (sync_pubkey) is accepted and persisted; a bundle signed by a key not in the keyring, and one
# signed directly by the root once a keyring exists, are refused; a rotation (keyring 2 signed
# by the old and the new root) is accepted and a bundle of the new release key applies; the
# removed (compromised) release key's bundles are refused, also when they carry the older
# keyring (replay: DATA/keyring keeps version 2); a keyring signed only by its new root, or only
# by the old one, or edited after signing, is refused; a threshold of 2 roots is enforced; stock
# `minisign -V` checks a keyring signature; `kioskdb verify` walks the chain as a kiosk; and a
# SIGKILL at every write, fsync and rename of DATA/keyring leaves the old or the new keyring
# whole, after which the apply completes. Each refusal prints the apply path's Chinese message.
. "$(dirname "$0")/lib.sh"

D="$TMP/data"
"$KIOSKDB" gen --out "$TMP/gen" --documents 12 --guides 3 --seed 5 >/dev/null 2>&1 &&
	"$KIOSKDB" build --src "$TMP/gen" --out "$TMP/c.db" >/dev/null 2>&1 || fail "database builds"
for k in root1 root2 root3 root4 rel1 rel2 rel3; do
	"$KIOSKDB" keygen --out "$TMP/$k" >/dev/null || fail "keygen $k"
done
{ grep -vE '^(data_dir|sync_)' "$ROOT/assets/kiosk.conf"
  printf 'data_dir = %s\nsync_pubkey = %s\nkiosk_id = kr-1\n' "$D" "$TMP/root1.pub"; } >"$TMP/conf"
apply() { "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$@"; }
bundle() { # bundle DIR KEY SEQ [KEYRING_DIR]
	local kr=()
	[ -n "${4:-}" ] && kr=(--keyring "$4")
	"$KIOSKDB" bundle --db "$TMP/c.db" --key "$TMP/$2.key" --out "$1" --epoch 1 --seq "$3" "${kr[@]}" >/dev/null ||
		fail "bundle $1"
}
keyring_is() { # keyring_is WHAT N: DATA/keyring holds version N
	if grep -qx "version = $2" "$D/keyring" 2>/dev/null; then ok "$1"; else fail "$1 ($(grep '^version' "$D/keyring" 2>&1))"; fi
}
MSG_KEY="签名来自未授权的密钥，更新包已拒绝"
MSG_SIG="签名无效，更新包已拒绝"

# --- keyring 1 under the image's root ------------------------------------------------------
check_exit "kioskdb keyring: version 1 signed by root1" 0 \
	"$KIOSKDB" keyring --root "$TMP/root1.key" --release "$TMP/rel1.pub" --version 1 --expires 2020-01-01 --out "$TMP/K"
has "kioskdb keyring: one signature" "$TMP/out" "^signatures: 1$"
check_exit "stock minisign -V checks keyring.1 with root1.pub" 0 \
	minisign -V -p "$TMP/root1.pub" -m "$TMP/K/keyring.1" -x "$TMP/K/keyring.1.1.minisig"
check_exit "kioskdb keyring refuses to replace keyring.1" 1 \
	"$KIOSKDB" keyring --root "$TMP/root1.key" --release "$TMP/rel1.pub" --version 1 --out "$TMP/K"
check_exit "kioskdb keyring: threshold over the roots is a usage error" 2 \
	"$KIOSKDB" keyring --root "$TMP/root1.key" --release "$TMP/rel1.pub" --version 9 --threshold 2 --out "$TMP/Kx"
cp -a "$TMP/K" "$TMP/K1" # the chain as it was before the rotation

bundle "$TMP/b2" rel1 2 "$TMP/K"
check_exit "a bundle of release key 1 with keyring 1 applies" 0 apply "$TMP/b2"
has "the apply names the keyring" "$TMP/out" "^keyring: version 1$"
keyring_is "DATA/keyring persisted at version 1" 1
cmp -s "$D/keyring" "$TMP/K/keyring.1" && ok "DATA/keyring is the signed text" || fail "DATA/keyring is the signed text"
has "an expired keyring only warns" "$TMP/out" "expired on 2020-01-01T00:00:00Z"

bundle "$TMP/b3x" rel3 3 "$TMP/K"
check_exit "a bundle signed by a key not in the keyring is refused" 4 apply "$TMP/b3x"
has "not in the keyring: the Chinese message" "$TMP/out" "$MSG_KEY"
bundle "$TMP/b3r" root1 3
check_exit "once a keyring exists the root no longer signs bundles directly" 4 apply "$TMP/b3r"
has "root-signed bundle: the Chinese message" "$TMP/out" "$MSG_KEY"

# --- rotation: keyring 2 signed by root1 (keyring 1) and root2 (its own root) ---------------
check_exit "kioskdb keyring: rotation to root2 and release key 2" 0 \
	"$KIOSKDB" keyring --root "$TMP/root2.key" --prev-root "$TMP/root1.key" --release "$TMP/rel2.pub" --version 2 --out "$TMP/K"
has "rotation: two signatures" "$TMP/out" "^signatures: 2$"
bundle "$TMP/b3" rel2 3 "$TMP/K"
check_exit "kioskdb verify walks the chain from the image root" 0 "$KIOSKDB" verify "$TMP/b3" --pub "$TMP/root1.pub"
has "kioskdb verify names keyring 2" "$TMP/out" "keyring 2$"
check_exit "after the rotation release key 2's bundle applies" 0 apply "$TMP/b3"
keyring_is "DATA/keyring advanced to version 2" 2

bundle "$TMP/b4old" rel1 4 "$TMP/K"
check_exit "the removed (compromised) release key 1 is refused" 4 apply "$TMP/b4old"
has "compromised key: the Chinese message" "$TMP/out" "$MSG_KEY"
bundle "$TMP/b4replay" rel1 4 "$TMP/K1"
check_exit "release key 1 with the older keyring 1 replayed is refused" 4 apply "$TMP/b4replay"
has "replayed keyring: the Chinese message" "$TMP/out" "$MSG_KEY"
keyring_is "a replayed older keyring does not lower DATA/keyring" 2

# --- refused keyrings ---------------------------------------------------------------------
chain3() { # chain3 DIR: a copy of the chain up to 2, to which one keyring 3 is added
	rm -rf "$1"; cp -a "$TMP/K" "$1"
}
chain3 "$TMP/Knew"
"$KIOSKDB" keyring --root "$TMP/root3.key" --release "$TMP/rel2.pub" --version 3 --out "$TMP/Knew" >/dev/null ||
	fail "keyring 3 signed only by the new root"
bundle "$TMP/b5a" rel2 5 "$TMP/Knew"
check_exit "keyring 3 signed only by its new root is refused" 4 apply "$TMP/b5a"
has "only the new root: the Chinese message and the reason" "$TMP/out" "$MSG_SIG.*KEYRING.*1 root\(s\)|$MSG_SIG.*KEYRING"
has "only the new root: the old roots are missing" "$TMP/out" "signed by 0 root\(s\) of keyring 2, 1 needed"

chain3 "$TMP/Kold"
"$KIOSKDB" keyring --root "$TMP/root3.key" --prev-root "$TMP/root2.key" --release "$TMP/rel2.pub" --version 3 --out "$TMP/Kold" >/dev/null ||
	fail "keyring 3 of root3 signed by root2 and root3"
for f in "$TMP"/Kold/keyring.3.*.minisig; do # keep only root2's signature
	minisign -V -p "$TMP/root3.pub" -m "$TMP/Kold/keyring.3" -x "$f" >/dev/null 2>&1 && rm -f "$f"
done
bundle "$TMP/b5b" rel2 5 "$TMP/Kold"
check_exit "keyring 3 signed only by the old root is refused" 4 apply "$TMP/b5b"
has "only the old root: its own roots are missing" "$TMP/out" "signed by 0 of its own roots, 1 needed"

chain3 "$TMP/Kedit"
"$KIOSKDB" keyring --root "$TMP/root2.key" --prev-root "$TMP/root2.key" --release "$TMP/rel2.pub" --version 3 --out "$TMP/Kedit" >/dev/null ||
	fail "keyring 3 to edit"
rel3=$(tail -n 1 "$TMP/rel3.pub")
sed -i "s|^release = .*|release = $rel3|" "$TMP/Kedit/keyring.3"
bundle "$TMP/b5c" rel3 5 "$TMP/Kedit"
check_exit "a keyring edited after signing (release key swapped) is refused" 4 apply "$TMP/b5c"
has "edited keyring: the Chinese message" "$TMP/out" "$MSG_SIG"
keyring_is "refused keyrings leave DATA/keyring at version 2" 2
bundle "$TMP/b5" rel2 5 "$TMP/K"
check_exit "release key 2 still applies after the refusals" 0 apply "$TMP/b5"

# --- a threshold of two roots ---------------------------------------------------------------
check_exit "keyring 3: roots 2 and 3, threshold 2" 0 \
	"$KIOSKDB" keyring --root "$TMP/root2.key,$TMP/root3.key" --threshold 2 --release "$TMP/rel2.pub" --version 3 --out "$TMP/K"
bundle "$TMP/b6" rel2 6 "$TMP/K"
check_exit "keyring 3 (threshold 2) applies" 0 apply "$TMP/b6"
keyring_is "DATA/keyring at version 3" 3
chain4() { rm -rf "$1"; cp -a "$TMP/K" "$1"; }
chain4 "$TMP/K4one"
"$KIOSKDB" keyring --root "$TMP/root4.key" --prev-root "$TMP/root2.key" --release "$TMP/rel2.pub" --version 4 --out "$TMP/K4one" >/dev/null ||
	fail "keyring 4 with one of two old roots"
bundle "$TMP/b7a" rel2 7 "$TMP/K4one"
check_exit "keyring 4 signed by 1 of the 2 roots keyring 3 requires is refused" 4 apply "$TMP/b7a"
has "threshold: the reason" "$TMP/out" "signed by 1 root\(s\) of keyring 3, 2 needed"
chain4 "$TMP/K4"
"$KIOSKDB" keyring --root "$TMP/root4.key" --prev-root "$TMP/root2.key,$TMP/root3.key" --release "$TMP/rel1.pub,$TMP/rel2.pub" --version 4 --out "$TMP/K4" >/dev/null ||
	fail "keyring 4 with both old roots"
bundle "$TMP/b7" rel1 7 "$TMP/K4"
check_exit "keyring 4 signed by both old roots and the new one applies" 0 apply "$TMP/b7"
keyring_is "DATA/keyring at version 4" 4

# --- crash safety of the DATA/keyring write -----------------------------------------------
cp -a "$D" "$TMP/base"
"$KIOSKDB" keyring --root "$TMP/root4.key" --prev-root "$TMP/root4.key" --release "$TMP/rel2.pub" --version 5 --out "$TMP/K4" >/dev/null ||
	fail "keyring 5"
bundle "$TMP/b8" rel2 8 "$TMP/K4"
# the keyring is written first (create, write, fsync, rename, fsync of DATA: steps 1-5), so
# killing at steps 1..8 covers it and the first steps of the payload copy after it
bad=0
for n in 1 2 3 4 5 6 7 8; do
	rm -rf "$D"; cp -a "$TMP/base" "$D"
	{ KK_FAULT_AT=$n KK_FAULT_MODE=kill timeout 60 "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$TMP/b8" >/dev/null 2>&1; rc=$?; } 2>/dev/null
	[ $rc = 137 ] || { bad=$((bad + 1)); echo "#   step $n: exit $rc, not killed"; }
	if ! cmp -s "$D/keyring" "$TMP/K4/keyring.4" && ! cmp -s "$D/keyring" "$TMP/K4/keyring.5"; then
		bad=$((bad + 1)); echo "#   step $n: DATA/keyring neither keyring 4 nor 5"
	fi
	timeout 60 "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$TMP/b8" >/dev/null 2>&1
	rc=$?
	if [ $rc != 0 ] || ! cmp -s "$D/keyring" "$TMP/K4/keyring.5"; then
		bad=$((bad + 1)); echo "#   step $n: the apply after the crash: exit $rc, keyring 5: $(cmp -s "$D/keyring" "$TMP/K4/keyring.5" && echo yes || echo no)"
	fi
done
[ $bad = 0 ] && ok "killed at each of steps 1-8: DATA/keyring is keyring 4 or 5 whole, and the apply then completes" ||
	fail "crash safety of DATA/keyring ($bad problems)"
rm -rf "$D"; cp -a "$TMP/base" "$D"
check_exit "EIO while writing DATA/keyring: the apply fails, content unchanged" 5 \
	env KK_FAULT_AT=2 KK_FAULT_MODE=eio "$KIOSK" --config "$TMP/conf" --data "$D" --sync-from "$TMP/b8"
keyring_is "after EIO DATA/keyring is still version 4" 4

# --- a damaged DATA/keyring fails closed ------------------------------------------------------
echo "version = 99" >"$D/keyring"
check_exit "a damaged DATA/keyring refuses every bundle (fails closed)" 5 apply "$TMP/b8"
finish
