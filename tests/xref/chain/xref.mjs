// xref.mjs: decode the extrinsics that libaif built (aif_extrinsic) with
// polkadot-js (@polkadot/types 16.5.6) under the same subtensor metadata
// (spec 343), rebuild their calls with polkadot-js, verify their sr25519
// signatures over the polkadot-js signing payload, and write the vectors
// that tests/chain/test_xref.c checks (so CI needs no npm).
// Usage: node xref.mjs METADATA_V15_HEX_FILE CASES_JSON AIF_OUTPUT OUT_JSON
import { readFileSync, writeFileSync } from 'node:fs';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata';
import { hexToU8a, u8aToHex, compactFromU8a } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, sr25519Verify, encodeAddress } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';

const [mdFile, casesFile, aifFile, outFile] = process.argv.slice(2);
await cryptoWaitReady();

// Option<OpaqueMetadata>: 01 || Compact(len) || "meta" || 0f || V15
const raw = hexToU8a(readFileSync(mdFile, 'utf8').trim());
if (raw[0] !== 1) throw new Error('metadata: not Some');
const [off, len] = compactFromU8a(raw.subarray(1));
const metaBytes = raw.subarray(1 + off, 1 + off + len.toNumber());
const registry = new TypeRegistry();
const metadata = new Metadata(registry, metaBytes);
registry.setMetadata(metadata);
const tx = expandMetadata(registry, metadata).tx;

const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
const aif = Object.fromEntries(readFileSync(aifFile, 'utf8').trim().split('\n').map((l) => l.split(' ')));
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

const out = [];
for (const c of cases) {
  const hex = aif[c.name];
  if (!hex) throw new Error(`no aif output for ${c.name}`);
  const ex = registry.createType('Extrinsic', hex);
  const section = camel(c.pallet.charAt(0).toLowerCase() + c.pallet.slice(1));
  const args = Array.isArray(c.args) ? c.args : Object.values(c.args);
  const pjsCall = tx[section][camel(c.call)](...args);
  const payload = registry.createType('ExtrinsicPayload', {
    method: ex.method.toHex(), era: ex.era.toHex(), nonce: ex.nonce.toNumber(), tip: ex.tip.toString(),
    specVersion: c.spec, transactionVersion: c.txv, genesisHash: c.genesis, blockHash: c.birth_hash,
    mode: 0, signedExtensions: registry.signedExtensions, version: 4,
  }, { version: 4 });
  const u8 = payload.toU8a({ method: true });
  const signed = u8.length > 256 ? blake2AsU8a(u8, 256) : u8;
  const signer = keyring.addFromUri(c.suri);
  // the signer's key as decoded from the extrinsic (MultiAddress::Id: last 32 bytes)
  const signerPk = ex.signer.toU8a().subarray(ex.signer.toU8a().length - 32);
  const sigValid = sr25519Verify(signed, ex.signature.toU8a(), signerPk);
  // a tampered copy must fail (the verifier is not vacuous)
  const bad = new Uint8Array(signed); bad[0] ^= 1;
  const sigBadRejected = !sr25519Verify(bad, ex.signature.toU8a(), signerPk);
  const r = {
    ...c,
    aif_extrinsic: hex,
    polkadotjs: {
      reencode_equal: ex.toHex() === hex,
      is_signed: ex.isSigned,
      version: ex.version,
      section: ex.method.section,
      method: ex.method.method,
      args: ex.method.toJSON().args,
      call_hex: ex.method.toHex(),
      pjs_built_call_hex: pjsCall.toHex(),
      call_equal: pjsCall.toHex() === ex.method.toHex(),
      signer: ex.signer.toString(),
      signer_matches_suri: ex.signer.toString() === encodeAddress(signer.publicKey, 42),
      era: ex.era.toJSON(),
      nonce: ex.nonce.toNumber(),
      tip: ex.tip.toString(),
      signing_payload_hex: u8aToHex(u8),
      signing_payload_len: u8.length,
      signature_valid: sigValid,
      tampered_payload_rejected: sigBadRejected,
      signed_extensions: registry.signedExtensions,
    },
  };
  for (const k of ['reencode_equal', 'is_signed', 'call_equal', 'signer_matches_suri', 'signature_valid', 'tampered_payload_rejected'])
    if (!r.polkadotjs[k]) console.error(`${c.name}: ${k} is false`);
  out.push(r);
}
writeFileSync(outFile, JSON.stringify({
  tool: '@polkadot/types@16.5.6 @polkadot/util-crypto@14.0.3 @polkadot/keyring@14.0.3',
  metadata: 'testdata chain/subtensor_metadata_at_version_15.hex (spec 343)',
  cases: out,
}, null, 1) + '\n');
console.log(`wrote ${out.length} cases to ${outFile}`);
