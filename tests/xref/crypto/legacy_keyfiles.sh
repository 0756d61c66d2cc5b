#!/bin/sh
# legacy_keyfiles.sh: writes the legacy-encrypted keyfile fixtures under
# tests/vectors/wallet/ with the real tools, from the plaintext testdata
# hotkey (../shared/testdata/chain/wallet/hotkeys/default):
#   ansible_vault_hotkey  `ansible-vault encrypt` (Debian ansible-core), password below
#   fernet_hotkey_1000    Python `cryptography` Fernet, key = PBKDF2-HMAC-SHA256(password,
#                         bittensor's legacy salt, 1000 rounds) (bittensor 7 uses 10,000,000;
#                         the C test passes legacy_iterations = 1000)
# Needs: apt-get install ansible-core python3-cryptography
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$ROOT/tests/vectors/wallet
PLAIN=$ROOT/../shared/testdata/chain/wallet/hotkeys/default
PW='legacy-password-42'
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%s' "$PW" > "$TMP/pw"
cp "$PLAIN" "$TMP/hotkey"
ansible-vault encrypt --vault-password-file "$TMP/pw" "$TMP/hotkey" >/dev/null
cp "$TMP/hotkey" "$OUT/ansible_vault_hotkey"
python3 - "$PLAIN" "$PW" "$OUT/fernet_hotkey_1000" <<'PY'
import base64, sys
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
plain, pw, out = open(sys.argv[1], "rb").read(), sys.argv[2].encode(), sys.argv[3]
salt = b"Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins"
key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=1000).derive(pw)
open(out, "wb").write(Fernet(base64.urlsafe_b64encode(key)).encrypt(plain))
PY
printf 'ansible-vault %s; python3-cryptography %s; password %s\n' \
  "$(ansible-vault --version 2>/dev/null | sed -n 1p)" "$(python3 -c 'import cryptography; print(cryptography.__version__)')" \
  "$PW" > "$OUT/legacy_keyfiles.source"
echo "wrote $OUT/ansible_vault_hotkey $OUT/fernet_hotkey_1000"
