// Create a blob container with a Shared Key signed request (node's standard library
// only): object_store cannot create containers, and Azurite starts with none.
// usage: node azure-create-container.js ENDPOINT ACCOUNT KEY CONTAINER
"use strict";
const crypto = require("crypto");
const http = require("http");
const [endpoint, account, key, container] = process.argv.slice(2);
const url = new URL(`${endpoint}/${container}?restype=container`);
const headers = { "x-ms-date": new Date().toUTCString(), "x-ms-version": "2021-08-06" };
const canonicalHeaders = Object.keys(headers).sort().map((h) => `${h}:${headers[h]}\n`).join("");
const resource = `/${account}${url.pathname}\nrestype:container`;
const toSign = ["PUT", "", "", "", "", "", "", "", "", "", "", ""].join("\n") + "\n" + canonicalHeaders + resource;
const signature = crypto.createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest("base64");
headers.Authorization = `SharedKey ${account}:${signature}`;
headers["Content-Length"] = 0;
const req = http.request(url, { method: "PUT", headers }, (res) => {
  let body = "";
  res.on("data", (d) => (body += d));
  res.on("end", () => {
    if (res.statusCode === 201 || res.statusCode === 409) process.exit(0);
    console.error(`create container: HTTP ${res.statusCode} ${body}`);
    process.exit(1);
  });
});
req.on("error", (e) => { console.error(`create container: ${e.message}`); process.exit(1); });
req.end();
