#!/usr/bin/env node
// A Node.js client of the cinesynth gateway, written from proto/ and the README only.
// It shows: a field-level error decoded from google.rpc.BadRequest, an idempotent CreateVideo,
// WatchJob with sequence checking and resume (after_sequence), and DownloadArtifact with a sha256 check.
//
//   npm ci && node make_film.js --out film.mp4 [--prompt TEXT] [--duration 10] [--scenes 3] [--fps 12]
//                                              [--size 320x180] [--tier TIER_DRAFT]
//   env: CINESYNTH_GATEWAY (host:port, default localhost:50051), CINESYNTH_API_KEY (when the gateway has keys)
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

// The contract is self-contained: proto/ holds cinesynth/v1 and the google/rpc protos it imports.
const PROTO_DIR = process.env.CINESYNTH_PROTO_DIR || path.resolve(__dirname, '..', '..', 'proto');

function loadApi() {
  const definition = protoLoader.loadSync('cinesynth/v1/video_service.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true, // the proto's own field names: duration_s, after_sequence, ...
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).cinesynth.v1;
}

// google.rpc.Status and its details (BadRequest, ErrorInfo, ...) from the same vendored protos.
function loadRichErrors() {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTO_DIR, target));
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  return root;
}

function statusDetails(errorTypes, error) {
  const raw = error.metadata && error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return [];
  const status = errorTypes.lookupType('google.rpc.Status').decode(raw);
  return status.details.map((any) => {
    const typeName = any.type_url.split('/').pop();
    return { type: typeName, value: errorTypes.lookupType(typeName).toObject(errorTypes.lookupType(typeName).decode(any.value)) };
  });
}

function unary(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 30_000 }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

// Every event of the job until it is terminal; on a dropped stream, resume after the last sequence seen.
async function watchToEnd(client, name, metadata, onEvent) {
  let after = 0;
  let reconnects = 0;
  for (;;) {
    try {
      const stream = client.WatchJob({ name, after_sequence: after }, metadata);
      let terminal = null;
      for await (const response of stream) {
        const event = response.event;
        const sequence = Number(event.sequence);
        if (after && sequence !== after + 1) {
          throw new Error(`event sequence jumped from ${after} to ${sequence} (missed ${event.missed_events})`);
        }
        after = sequence;
        onEvent(event);
        if (['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'].includes(event.state)) terminal = event;
      }
      if (terminal) return terminal.job;
      throw Object.assign(new Error('watch ended before a terminal state'), { code: grpc.status.UNAVAILABLE });
    } catch (err) {
      if (err.code !== grpc.status.UNAVAILABLE || reconnects >= 5) throw err;
      reconnects += 1;
      await new Promise((r) => setTimeout(r, 200 * reconnects));
    }
  }
}

async function download(client, name, kind, metadata, outPath) {
  const stream = client.DownloadArtifact({ name, kind }, metadata);
  const file = fs.createWriteStream(outPath);
  const hash = crypto.createHash('sha256');
  let artifact = null;
  let offset = 0;
  for await (const chunk of stream) {
    if (chunk.artifact) artifact = chunk.artifact;
    if (Number(chunk.offset) !== offset) throw new Error(`chunk at offset ${chunk.offset}, expected ${offset}`);
    offset += chunk.data.length;
    hash.update(chunk.data);
    if (!file.write(chunk.data)) await new Promise((r) => file.once('drain', r));
  }
  await new Promise((resolve, reject) => file.end((err) => (err ? reject(err) : resolve())));
  if (!artifact) throw new Error('no artifact header in the download');
  if (offset !== Number(artifact.size_bytes)) throw new Error(`got ${offset} bytes, artifact says ${artifact.size_bytes}`);
  if (artifact.sha256 && hash.digest('hex') !== artifact.sha256) throw new Error('sha256 mismatch');
  return artifact;
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'film.mp4' },
      prompt: { type: 'string', default: 'a lighthouse keeper finds a map in a bottle and sails to a hidden island' },
      duration: { type: 'string', default: '10' },
      scenes: { type: 'string', default: '3' },
      fps: { type: 'string', default: '12' },
      size: { type: 'string', default: '320x180' },
      tier: { type: 'string', default: 'TIER_DRAFT' },
    },
  });
  const [width, height] = values.size.split('x').map(Number);
  const target = process.env.CINESYNTH_GATEWAY || 'localhost:50051';
  const metadata = new grpc.Metadata();
  if (process.env.CINESYNTH_API_KEY) metadata.set('authorization', `Bearer ${process.env.CINESYNTH_API_KEY}`);

  const api = loadApi();
  const errorTypes = loadRichErrors();
  const client = new api.VideoService(target, grpc.credentials.createInsecure());
  const log = (what, data) => console.error(`${what} ${JSON.stringify(data)}`);

  // 1. A bad request names its fields (google.rpc.BadRequest) and creates nothing.
  const bad = await unary(client, 'CreateVideo', { prompt: 'x', spec: { fps: 1000 } }, metadata).then(
    () => { throw new Error('fps 1000 was accepted'); },
    (err) => err,
  );
  if (bad.code !== grpc.status.INVALID_ARGUMENT) throw bad;
  const violations = statusDetails(errorTypes, bad)
    .filter((d) => d.type === 'google.rpc.BadRequest')
    .flatMap((d) => d.value.field_violations || []);
  log('bad-request', violations);
  if (!violations.some((v) => v.field === 'spec.fps')) throw new Error('no field violation for spec.fps');

  // 2. Create, idempotently: the same request_id with the defaults written out is the same job.
  const requestId = crypto.randomUUID();
  const spec = { duration_s: Number(values.duration), scene_count: Number(values.scenes), fps: Number(values.fps), width, height, tier: values.tier };
  const request = { request_id: requestId, prompt: values.prompt, spec, labels: { example: 'node' } };
  const { job } = await unary(client, 'CreateVideo', request, metadata);
  const again = await unary(client, 'CreateVideo', { ...request, spec: { ...spec, captions: true, allow_degrade: false } }, metadata);
  if (again.job.name !== job.name) throw new Error(`request_id reuse made a second job ${again.job.name}`);
  log('created', { name: job.name, state: job.state, request_id: requestId });

  // 3. Watch to the end.
  let events = 0;
  const done = await watchToEnd(client, job.name, metadata, (event) => {
    events += 1;
    log('event', {
      sequence: Number(event.sequence), state: event.state, stage: event.stage,
      progress: Number(event.progress.toFixed(3)), eta_s: Number(event.eta_s.toFixed(1)), message: event.message,
    });
  });
  if (done.state !== 'JOB_STATE_SUCCEEDED') {
    throw new Error(`job ${done.name} ended ${done.state}: ${done.error ? done.error.message : ''}`);
  }

  // 4. Download the film.
  const artifact = await download(client, job.name, 'ARTIFACT_KIND_VIDEO', metadata, values.out);
  client.close();
  console.log(JSON.stringify({
    job: done.name, state: done.state, events, out: values.out,
    artifact: { name: artifact.name, mime_type: artifact.mime_type, size_bytes: Number(artifact.size_bytes), sha256: artifact.sha256 },
    warnings: done.warnings.map((w) => w.code),
  }));
}

main().catch((err) => {
  console.error(`error: ${err.code !== undefined ? `${grpc.status[err.code] || err.code}: ` : ''}${err.details || err.message}`);
  process.exit(1);
});
