// The reference: Digital Bazaar's verifier on the same credentials bench/run_all.py verifies.
//
//   node verify.mjs CREDENTIALS.json SECONDS
//
// CREDENTIALS.json is {"now": "...", "suites": {"eddsa-rdfc-2022": [vc, ...], ...}} (run_all.py
// writes it). Each suite's credentials are verified round-robin with @digitalbazaar/vc
// `verifyCredential` for about SECONDS (after a warm-up); the output is one JSON object,
// {"node": version, "suites": {suite: verifications per second}, "cpu": {suite: verifications
// per second of this process's CPU time}}.
// Contexts come from vcverifier/contexts/data (the same files vcverifier bundles), served by a
// static document loader that never touches the network; did:key URLs resolve to a DID
// document with one Multikey verification method (what did:key defines for Multikey).
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {dirname, join} from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {createVerifyCryptosuite as eddsaJcs2022} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', '..', 'vcverifier', 'contexts', 'data');

// The same URL -> file mapping as vcverifier/contexts/loader.py BUNDLED_CONTEXTS.
const BUNDLED = {
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/ns/credentials/undefined-terms/v2': 'credentials-undefined-terms-v2.jsonld',
  'https://www.w3.org/2018/credentials/examples/v1': 'credentials-examples-v1.jsonld',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/security/suites/ed25519-2020/v1': 'ed25519-signature-2020-v1.jsonld',
  'https://w3id.org/security/suites/jws-2020/v1': 'jws-2020-v1.jsonld',
  'https://w3id.org/security/v1': 'security-v1.jsonld',
  'https://w3id.org/security/v2': 'security-v2.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'vc-bitstring-status-list-v1.jsonld',
  'https://w3id.org/vc/status-list/2021/v1': 'vc-status-list-2021-v1.jsonld',
  'https://w3id.org/citizenship/v4rc1': 'citizenship-v4rc1.jsonld',
  'https://www.w3.org/ns/odrl.jsonld': 'odrl.jsonld'
};
const contexts = new Map(Object.entries(BUNDLED).map(
  ([url, file]) => [url, JSON.parse(readFileSync(join(dataDir, file), 'utf8'))]));

function didKey(url) {
  const did = url.split('#')[0];
  const multibase = did.slice('did:key:'.length);
  const id = `${did}#${multibase}`;
  const method = {id, type: 'Multikey', controller: did, publicKeyMultibase: multibase};
  if(url.includes('#')) {
    return {'@context': 'https://w3id.org/security/multikey/v1', ...method};
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [method],
    authentication: [id],
    assertionMethod: [id]
  };
}

const documentLoader = async url => {
  const document = contexts.get(url);
  if(document !== undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: didKey(url)};
  }
  throw new Error(`document not available offline: ${url}`);
};

const SUITES = {
  'eddsa-rdfc-2022': () => new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  'ecdsa-rdfc-2019': () => new DataIntegrityProof({cryptosuite: ecdsaRdfc2019}),
  'eddsa-jcs-2022': () => new DataIntegrityProof({cryptosuite: eddsaJcs2022()})
};

async function verifyOne(credential, suite, now) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, now});
  if(!result.verified) {
    throw new Error(`reference verifier rejected a credential: ${JSON.stringify(result.error)}`);
  }
}

async function rate(credentials, suite, now, seconds) {
  // Warm-up long enough for V8 to optimize the hot paths (a fair reference).
  for(let i = 0; i < 300; i++) {
    await verifyOne(credentials[i % credentials.length], suite, now);
  }
  let count = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  for(;;) {
    for(let i = 0; i < 20; i++, count++) {
      await verifyOne(credentials[count % credentials.length], suite, now);
    }
    const t = process.hrtime.bigint();
    if(t >= deadline) {
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      return {wall: count / (Number(t - start) / 1e9), cpu: count / cpuSeconds};
    }
  }
}

const [file, secondsArg] = process.argv.slice(2);
const input = JSON.parse(readFileSync(file, 'utf8'));
const seconds = Number(secondsArg ?? '2');
const out = {node: process.version, suites: {}, cpu: {}};
for(const [name, credentials] of Object.entries(input.suites)) {
  if(SUITES[name] === undefined) {
    continue;
  }
  const measured = await rate(credentials, SUITES[name](), new Date(input.now), seconds);
  out.suites[name] = measured.wall;
  out.cpu[name] = measured.cpu;
}
console.log(JSON.stringify(out));
