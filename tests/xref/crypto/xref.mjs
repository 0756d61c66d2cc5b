// xref.mjs: cross-checks libaif's sr25519 against polkadot-js and writes
// tests/vectors/crypto/polkadotjs_xref.txt. Run through run.sh, which builds
// aif_sign and installs the npm packages outside the repository.
//
// 1. Signatures made by aif (fixed witness bytes) are verified with
//    @polkadot/util-crypto sr25519Verify (@scure/sr25519) and with
//    @polkadot/wasm-crypto sr25519Verify (Rust schnorrkel), and re-made with
//    @scure/sr25519 sign() given the same witness bytes (it must agree byte
//    for byte). The script stops if any check fails.
// 2. Vectors made by polkadot-js alone: SS58 addresses for several prefixes
//    (one and two bytes), fresh mnemonics -> mini secret / keys, and keyring
//    derivation paths (hard, soft, numeric, long, ///password).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cryptoWaitReady, sr25519Verify, sr25519PairFromSeed, encodeAddress, mnemonicGenerate,
         mnemonicToMiniSecret, mnemonicToEntropy } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex, hexToU8a, stringToU8a } from '@polkadot/util';
import * as wasm from '@polkadot/wasm-crypto';
import * as scure from '@scure/sr25519';

const [,, signTool, outFile] = process.argv;
await cryptoWaitReady();
await wasm.waitReady();
const hex = (u) => u8aToHex(u).slice(2);
const fail = (m) => { console.error('xref: ' + m); process.exit(1); };
const out = [];
const pkgv = (p) => JSON.parse(execFileSync('npm', ['ls', '--json', p], { encoding: 'utf8' })).dependencies?.[p]?.version;

out.push(`# source: npm @polkadot/util-crypto ${pkgv('@polkadot/util-crypto')} (sr25519 via @scure/sr25519), ` +
         `@polkadot/wasm-crypto ${pkgv('@polkadot/wasm-crypto')} (Rust schnorrkel), @polkadot/keyring ` +
         `${pkgv('@polkadot/keyring')}; written by tests/xref/crypto/run.sh (xref.mjs)`);
out.push('# kind = sign: signature made by libaif with witness bytes `rng` and secret `secret` (x8 form, as');
out.push('#   polkadot-js; a soft-derived nonce is random); verify_scure / verify_wasm are');
out.push('#   polkadot-js verdicts on it; scure_signature is @scure/sr25519 sign() with the same rng.');
out.push('# kind = ss58 / mnemonic / derive: made by polkadot-js alone.');
out.push('');

const DEV = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const suris = ['//Alice', '//Bob//stash', 'old leopard transfer rib spatial phone calm indicate online fire caution review',
               '/soft/1'];
const msgs = [new Uint8Array(0), stringToU8a('hello'), stringToU8a('a'.repeat(300)),
              Uint8Array.from({ length: 256 }, (_, i) => i),
              hexToU8a('0x0702d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d0b00a0724e1809')];
let k = 0;
for (const suri of suris) {
  for (const m of msgs) {
    const rng = Uint8Array.from({ length: 32 }, (_, i) => (k * 37 + i * 11 + 1) & 0xff);
    k++;
    const [pub, sec, sig] = execFileSync(signTool, [suri, hex(m) || '', hex(rng)], { encoding: 'utf8' }).trim().split(' ');
    const pk = hexToU8a('0x' + pub), sg = hexToU8a('0x' + sig);
    const v1 = sr25519Verify(m, sg, pk), v2 = wasm.sr25519Verify(sg, m, pk);
    if (!v1 || !v2) fail(`aif signature for ${suri} / ${hex(m)} rejected: scure ${v1}, wasm ${v2}`);
    // the public key aif derived must be polkadot-js's too
    const kr = new Keyring({ type: 'sr25519' });
    const pj = kr.addFromUri(suri.startsWith('/') ? DEV + suri : suri);
    if (hex(pj.publicKey) !== pub) fail(`public key of ${suri}: aif ${pub}, polkadot-js ${hex(pj.publicKey)}`);
    const ssig = scure.sign(hexToU8a('0x' + sec), m, () => rng);
    if (hex(ssig) !== sig) fail(`scure sign with the same rng differs for ${suri}: ${hex(ssig)} vs ${sig}`);
    // a flipped message must fail in both
    const bad = new Uint8Array([...m, 0]);
    if (sr25519Verify(bad, sg, pk) || wasm.sr25519Verify(sg, bad, pk)) fail('altered message verified');
    out.push('kind = sign', `suri = ${suri}`, `public = ${pub}`, `secret = ${sec}`, `message = ${hex(m)}`, `rng = ${hex(rng)}`,
             `signature = ${sig}`, `scure_signature = ${hex(ssig)}`, `verify_scure = ${v1 ? 'valid' : 'invalid'}`,
             `verify_wasm = ${v2 ? 'valid' : 'invalid'}`, '');
  }
}

// SS58 for several prefixes, public keys from fixed seeds
for (const [i, prefix] of [0, 2, 42, 63, 64, 255, 2207, 16383].entries()) {
  const pair = sr25519PairFromSeed(Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 0xff));
  out.push('kind = ss58', `public = ${hex(pair.publicKey)}`, `prefix = ${prefix}`,
           `address = ${encodeAddress(pair.publicKey, prefix)}`, '');
}

// Fresh mnemonics of every length (random each run; the file records them)
for (const words of [12, 15, 18, 21, 24]) {
  const m = mnemonicGenerate(words);
  const mini = mnemonicToMiniSecret(m), mini2 = mnemonicToMiniSecret(m, 'pass phrase');
  const pair = sr25519PairFromSeed(mini), pair2 = sr25519PairFromSeed(mini2);
  if (hex(wasm.bip39ToMiniSecret(m, '')) !== hex(mini)) fail('wasm bip39ToMiniSecret disagrees');
  out.push('kind = mnemonic', `phrase = ${m}`, `entropy = ${hex(mnemonicToEntropy(m))}`, `mini = ${hex(mini)}`,
           `public = ${hex(pair.publicKey)}`, `secret = ${hex(pair.secretKey)}`, `password = pass phrase`,
           `mini_with_password = ${hex(mini2)}`, `public_with_password = ${hex(pair2.publicKey)}`, '');
}

// Derivation paths through the keyring (sp_core SURI rules)
const paths = ['//0', '/0', '//1//2/3', '//hard/soft//again', '//42/x', '//' + 'long'.repeat(10), '/soft//hard///pw',
               '//Alice///secret', '///only-password', '//-1', '//18446744073709551615'];
// Not '//18446744073709551616': polkadot-js encodes any decimal junction as a 256-bit number, while
// sp_core (Substrate, bittensor-wallet) parses u64 and falls back to the SCALE string on overflow;
// aif follows sp_core (tests/crypto/test_mnemonic.c chain_codes).
for (const base of [DEV, 'old leopard transfer rib spatial phone calm indicate online fire caution review']) {
  for (const p of paths) {
    const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const pair = kr.addFromUri(base + p);
    out.push('kind = derive', `suri = ${base + p}`, `public = ${hex(pair.publicKey)}`, `address = ${pair.address}`, '');
  }
}
writeFileSync(outFile, out.join('\n'));
console.log(`xref: ${k} aif signatures verified by scure and wasm and equal to scure's; wrote ${outFile}`);
