// Loaded into Azurite's node process with `node --require` by BackupControlPlane's AzuriteLauncher.
//
// Why: Azurite 3.x keeps its blob metadata (containers, blobs, snapshots, extents) in LokiJS databases in memory and
// saves them to disk every 5 s. Whatever it acknowledged in the last seconds is gone when its process is killed
// (SIGKILL of the whole process tree, the OOM killer, a container runtime's kill); the blob bytes themselves are in
// extent files, but nothing points to them any more. BackupControlPlane must not record a recovery point, a vault copy
// or a task whose blobs could vanish that way.
//
// What: one extra route on Azurite's own port, `POST /__bcp/flush`. It saves every LokiJS database of this process now
// and answers 200 once the files are written (LokiJS writes `name~`, then renames it over `name`). LokiJS serialises
// the database when the save starts and queues a save asked for during another one, so every write Azurite
// acknowledged before the flush request arrived is in the files when it answers: a group commit. The service calls it
// before it commits a database row that relies on blobs ("flush, then commit"). `__bcp` is not a valid storage
// account name, so no storage request can reach this route. Nothing else in Azurite changes.
"use strict";
const http = require("http");
const path = require("path");

const FLUSH_PATH = "/__bcp/flush";
const main = process.argv[1];
const Loki = require(require.resolve("lokijs", { paths: [path.dirname(main)] }));

// Every LokiJS database this process opens (Azurite opens one for blob metadata and one for extents).
const databases = new Set();
const configureOptions = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (initialConfig) databases.add(this);
  return configureOptions.apply(this, arguments);
};

function saveAll() {
  const saves = [...databases]
    .filter((db) => db.persistenceMethod === "fs")
    .map((db) => new Promise((resolve, reject) => db.saveDatabase((err) => (err ? reject(err) : resolve()))));
  return Promise.all(saves);
}

function flush(req, res) {
  req.resume();
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  saveAll().then(
    () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ saved: databases.size })),
    (err) => res.writeHead(500, { "content-type": "text/plain" }).end(String(err && err.message)),
  );
}

// Azurite creates its server with http.createServer() and then adds its Express app as the "request" listener.
const createServer = http.createServer;
http.createServer = function () {
  const server = createServer.apply(this, arguments);
  const on = server.on;
  server.on = server.addListener = function (event, listener) {
    if (event !== "request" || typeof listener !== "function") return on.apply(this, arguments);
    return on.call(this, event, (req, res) => (req.url === FLUSH_PATH ? flush(req, res) : listener(req, res)));
  };
  return server;
};
