// Azurite serves a blob's old bytes under its new ETag (no npystore involved).
//
// usage: node scripts/azurite-torn-read.js [ENDPOINT ACCOUNT KEY CONTAINER [SECONDS]]
//   (empty arguments: from what `eval "$(scripts/azurite.sh start)"` exports)
//
// One writer replaces a block blob again and again by Put Block + Put Block List
// (what object_store's multipart upload does); each generation's bytes are all the
// generation's number, and the writer notes the ETag each Put Block List answer
// names. Readers meanwhile GET the first 4 KiB, unconditionally (as a header probe
// does) and with If-Match on the ETag of the generation they last saw. Every answer
// is checked: the generation its ETag names must be the one its bytes are.
//
// Azurite 3.37.0 fails this: downloadBlockBlobOrAppendBlob (dist/src/blob/handlers/
// BlobHandler.js) takes the block list from the blob's Loki document, reads (and,
// for ranges up to 4 MiB, hashes) the body, and only then copies the ETag out of the
// same document, which a commitBlockList (LokiBlobMetadataStore.js) running in
// between has changed in place. The answer pairs the old bytes with the new ETag.
// Exit status 1 when an answer no client can catch was seen (to a GET without
// If-Match, or one naming the pinned ETag), 0 when none was in SECONDS.
"use strict";
const crypto = require("crypto");
const http = require("http");

const env = process.env;
const cs = env.NPYSTORE_AZURE_CONNECTION_STRING || "";
const part = (name) => (cs.split(";").find((p) => p.startsWith(name + "=")) || "").slice(name.length + 1);
const args = process.argv.slice(2);
const endpoint = args[0] || part("BlobEndpoint");
const account = args[1] || part("AccountName");
const key = args[2] || part("AccountKey");
const container = args[3] || env.NPYSTORE_AZURE_CONTAINER;
const seconds = Number(args[4] || 20);
if (!endpoint || !account || !key || !container) {
  console.error("usage: node azurite-torn-read.js ENDPOINT ACCOUNT KEY CONTAINER [SECONDS]");
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const BLOCK = 256 << 10; // two blocks per generation
const PROBE = 4096;

/// One Shared Key signed request; resolves to { status, headers, body }.
function request(method, blob, query, headers, body = Buffer.alloc(0)) {
  const url = new URL(`${endpoint.replace(/\/$/, "")}/${container}/${blob}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const h = { "x-ms-date": new Date().toUTCString(), "x-ms-version": "2021-08-06", ...headers };
  const ms = Object.keys(h).filter((k) => k.startsWith("x-ms-")).sort();
  const canonicalHeaders = ms.map((k) => `${k}:${h[k]}\n`).join("");
  const q = Object.keys(query).sort().map((k) => `\n${k.toLowerCase()}:${query[k]}`).join("");
  const resource = `/${account}${url.pathname}${q}`; // path-style: the account twice
  const toSign = [method, "", "", body.length ? String(body.length) : "", "", h["Content-Type"] || "",
    "", "", h["If-Match"] || "", "", "", ""].join("\n") + "\n" + canonicalHeaders + resource;
  const sig = crypto.createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest("base64");
  h.Authorization = `SharedKey ${account}:${sig}`;
  h["Content-Length"] = body.length;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const blob = `torn-read/${process.pid}-${Date.now()}.bin`;
const etags = new Map(); // ETag -> generation it was committed as
let stop = false;

async function commit(generation) {
  const ids = [0, 1].map((i) => Buffer.from(`block-${String(i).padStart(6, "0")}`).toString("base64"));
  for (const id of ids) {
    const r = await request("PUT", blob, { comp: "block", blockid: id }, {}, Buffer.alloc(BLOCK, generation));
    if (r.status !== 201) throw new Error(`Put Block: HTTP ${r.status} ${r.body}`);
  }
  const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
  const r = await request("PUT", blob, { comp: "blocklist" }, { "Content-Type": "application/xml" }, Buffer.from(list));
  if (r.status !== 201) throw new Error(`Put Block List: HTTP ${r.status} ${r.body}`);
  etags.set(r.headers.etag, generation);
}

const seen = []; // { pinned, etag, status, contentRange, bytes }
async function reader() {
  let pin;
  while (!stop) {
    const headers = { "x-ms-range": `bytes=0-${PROBE - 1}` };
    if (pin && seen.length % 2) headers["If-Match"] = pin;
    const r = await request("GET", blob, {}, headers);
    if (r.status === 206) pin = r.headers.etag;
    seen.push({ pinned: headers["If-Match"], etag: r.headers.etag, status: r.status,
      contentRange: r.headers["content-range"], bytes: new Set(r.body) });
  }
}

(async () => {
  await commit(1);
  const readers = Array.from({ length: 4 }, reader);
  const until = Date.now() + seconds * 1000;
  let generation = 1, commits = 1;
  while (Date.now() < until) {
    await commit((generation = (generation % 250) + 1));
    commits++;
  }
  stop = true;
  await Promise.all(readers);
  // Answers whose bytes are of another generation than the one their ETag names:
  // to an unconditional GET (nothing can tell), to a GET with If-Match whose answer
  // names another ETag than the pin (a client comparing tags can tell), and to one
  // whose answer names the pin (nothing can tell: the If-Match promise broken).
  const lies = { unconditional: 0, "pinned, other tag": 0, "pinned, same tag": 0 };
  let refused = 0, shown = 0;
  for (const s of seen) {
    if (s.status === 412) { refused++; continue; }
    const named = etags.get(s.etag);
    const held = [...s.bytes];
    if (s.status === 206 && held.length === 1 && named === held[0]) continue;
    const kind = !s.pinned ? "unconditional" : s.pinned === s.etag ? "pinned, same tag" : "pinned, other tag";
    lies[kind]++;
    if (shown++ < 6) {
      console.log(`GET Range: bytes=0-${PROBE - 1}, If-Match: ${s.pinned || "(none)"} -> ${s.status}, ` +
        `ETag: ${s.etag} (generation ${named}), Content-Range: ${s.contentRange}, ` +
        `bytes of generation ${held.join(",")}`);
    }
  }
  console.log(`${commits} commits, ${seen.length} reads (${refused} refused with 412); answers whose ` +
    `ETag names another generation than their bytes: ${JSON.stringify(lies)}`);
  process.exit(lies.unconditional + lies["pinned, same tag"] ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
