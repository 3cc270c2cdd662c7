// Drives the dashboard with Infisical's own Node SDK (@infisical/sdk, pinned in package.json), as a service that reads
// its secrets with it would. Started by InfisicalSdkTests (RotationDashboard.Web.Tests), which passes the dashboard's
// address and a machine identity in the environment, prints "READY" once the checks that need no rotation passed, then
// rotates; on "stop" (stdin) it prints one line "SUMMARY {json}" and exits 0, or exits 1 on the first failed check.
// Values are never printed: the summary carries SHA-256 prefixes of them.
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import readline from "node:readline";
import { InfisicalSDK } from "@infisical/sdk";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const siteUrl = env("DASHBOARD_URL");
const projectId = env("PROJECT_ID");
const environment = env("ENVIRONMENT");
const staticPath = env("STATIC_PATH");
const rotationPath = env("ROTATION_PATH");
const currentKey = env("CURRENT_KEY");
const nextKey = env("NEXT_KEY");
const fingerprint = (value) => (value === "" ? "" : createHash("sha256").update(value).digest("hex").slice(0, 16));

const client = new InfisicalSDK({ siteUrl });

// Universal Auth: client id and client secret for a short-lived access token.
await client.auth().universalAuth.login({ clientId: env("CLIENT_ID"), clientSecret: env("CLIENT_SECRET") });
assert.match(client.auth().getAccessToken(), /^rdat_/);
await client.auth().universalAuth.renew();
console.log("logged in and renewed");

// listSecrets: Infisical's fields, values, one folder or the folders below it.
const listed = await client.secrets().listSecrets({ projectId, environment, secretPath: staticPath });
assert.deepEqual(listed.secrets.map((s) => s.secretKey), ["SDK_ALPHA", "SDK_BETA"]);
assert.deepEqual(listed.imports, []);
const alpha = listed.secrets[0];
assert.equal(alpha.secretValue, "alpha-value");
assert.equal(alpha.type, "shared");
assert.equal(alpha.environment, environment);
assert.equal(alpha.workspace, projectId);
assert.equal(alpha.secretPath, staticPath);
assert.equal(typeof alpha.version, "number");
assert.equal(alpha.secretValueHidden, false);
assert.equal(alpha.isRotatedSecret, false);

const recursive = await client.secrets().listSecrets({ projectId, environment, secretPath: staticPath, recursive: true });
assert.ok(recursive.secrets.some((s) => s.secretKey === "SDK_NESTED" && s.secretPath === `${staticPath}/nested`));

const hidden = await client.secrets().listSecrets({ projectId, environment, secretPath: staticPath, viewSecretValue: false });
assert.ok(hidden.secrets.every((s) => s.secretValueHidden === true && s.secretValue === "<hidden-by-infisical>"));

// listSecrets with attachToProcessEnv, the SDK's way to fill process.env.
await client.secrets().listSecrets({ projectId, environment, secretPath: staticPath, attachToProcessEnv: true });
assert.equal(process.env.SDK_BETA, "beta-value");

console.log("listed");

// getSecret: one secret, the same shape.
const beta = await client.secrets().getSecret({ projectId, environment, secretPath: staticPath, secretName: "SDK_BETA" });
assert.equal(beta.secretKey, "SDK_BETA");
assert.equal(beta.secretValue, "beta-value");

// Refusals reach the caller as the SDK's own InfisicalSDKRequestError, because every error body carries Infisical's
// message member; the SDK keeps the status only inside its message: "[URL=…] [Method=…] [StatusCode=404] <message>".
const refusedWith = (status, text) => (error) =>
  error.name === "InfisicalSDKRequestError"
  && error.message.includes(`[StatusCode=${status}]`)
  && (text === undefined || text.test(error.message));
await assert.rejects(
  client.secrets().getSecret({ projectId, environment, secretPath: staticPath, secretName: "SDK_MISSING" }),
  refusedWith(404, /SDK_MISSING/),
);
await assert.rejects(client.secrets().listSecrets({ projectId, environment, secretPath: "/" }), refusedWith(403));
await assert.rejects(
  new InfisicalSDK({ siteUrl }).auth().universalAuth.login({ clientId: env("CLIENT_ID"), clientSecret: "rdcs_wrong" }),
  refusedWith(401),
);

// The rotation's CURRENT and NEXT entries, read the way a single-value consumer reads them, until told to stop.
const readRotation = async () => {
  const { secrets } = await client.secrets().listSecrets({ projectId, environment, secretPath: rotationPath });
  const byKey = Object.fromEntries(secrets.map((s) => [s.secretKey, s.secretValue]));
  assert.ok(currentKey in byKey && nextKey in byKey, `both ${currentKey} and ${nextKey} are listed`);
  return { current: byKey[currentKey], next: byKey[nextKey] };
};

console.log("refusals checked");
const initial = await readRotation();
assert.notEqual(initial.current, "");
assert.equal(initial.next, "");

let stopping = false;
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "stop") stopping = true;
});
console.log("READY");

const currents = new Set([fingerprint(initial.current)]);
const nexts = new Set();
const failures = [];
let reads = 0;
let overlaps = 0;
let last = initial;
while (!stopping) {
  try {
    last = await readRotation();
    reads++;
    currents.add(fingerprint(last.current));
    if (last.next !== "") {
      overlaps++;
      nexts.add(fingerprint(last.next));
      assert.notEqual(last.next, last.current, "NEXT differs from CURRENT while it is filled");
    }
  } catch (error) {
    failures.push(String(error?.message ?? error));
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}

console.log(
  "SUMMARY " +
    JSON.stringify({
      reads,
      failures,
      overlaps,
      currents: [...currents],
      nexts: [...nexts],
      finalCurrent: fingerprint(last.current),
      finalNext: fingerprint(last.next),
    }),
);
process.exit(0);
