// Loaded into Azurite's node process with `node --require` by BackupControlPlane's AzuriteLauncher.
//
// Why: Azurite 3.x keeps its blob metadata (containers, blobs, snapshots, extents) in LokiJS databases in memory and
// saves them to disk every 5 s. Whatever it acknowledged in the last seconds is gone when its process is killed
// (SIGKILL of the whole process tree, the OOM killer, a container runtime's kill); the blob bytes themselves are in
// extent files, but nothing points to them any more. BackupControlPlane must not record a recovery point, a vault copy
// or a task whose blobs could vanish that way.
//
// What: one extra route on Azurite's own port, `POST /__bcp/flush`. It saves every LokiJS database of this process now
// and answers 200 once the change is in the files. LokiJS queues a save asked for during another one and runs it for
// all who asked, so every write Azurite acknowledged before the flush request arrived is in the files when it
// answers: a group commit. The service calls it before it commits a database row that relies on blobs ("flush, then
// commit"). `__bcp` is not a valid storage account name, so no storage request can reach this route.
//
// How a save costs what changed, not the whole database: LokiJS's own file adapter writes the whole database on every
// save, so a backup round, which flushes at every stage, cost the square of its size (a 1,000-VM round spent 146 CPU-
// seconds in Azurite). Here each database is saved as its usual file (the base, LokiJS's own format) plus a journal
// beside it (`<file>.journal`): a save appends one line with the documents changed or removed since the last save
// (LokiJS's "incremental" adapter mode tracks them per collection). When the journal outgrows the base, the next save
// writes a new base (`<file>~`, renamed over `<file>`) and empties the journal. Loading replays the journal over the
// base. Each base carries a generation and each journal line the generation it extends, so lines left by a kill between
// writing a new base and emptying the journal are skipped; a torn last line (a kill mid-append) was never acknowledged
// and is dropped. Nothing else in Azurite changes.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const FLUSH_PATH = "/__bcp/flush";
const JOURNAL_SUFFIX = ".journal";
// A new base is written when the journal is larger than the base, and never for a journal under this size, so the
// bytes written stay proportional to the changes (the base is rewritten at most once per base-sized amount of them).
// (BCP_AZURITE_JOURNAL_MIN_BYTES moves it: tests use it to reach a new base in a few saves.)
const MIN_JOURNAL_BYTES_BEFORE_COMPACTION = Number(process.env.BCP_AZURITE_JOURNAL_MIN_BYTES) || 8 * 1024 * 1024;

const main = process.argv[1];
const Loki = require(require.resolve("lokijs", { paths: [path.dirname(main)] }));

class JournalAdapter {
  constructor(db) {
    this.db = db;
    this.mode = "incremental"; // makes LokiJS record each collection's changed $loki ids in `dirtyIds`
    this.generation = 0;
    this.baseBytes = 0;
    this.journalBytes = 0;
    this.layout = null; // the collection names the files hold; another set of collections needs a new base
    this.needsBase = true;
  }

  loadDatabase(dbname, callback) {
    let base;
    try {
      base = JSON.parse(fs.readFileSync(dbname, "utf8"));
    } catch (err) {
      callback(err.code === "ENOENT" ? null : err);
      return;
    }
    const replayed = this.replay(base, readJournal(dbname + JOURNAL_SUFFIX));
    this.generation = base.bcpJournalGeneration || 0;
    callback(base); // LokiJS loads the object synchronously (loadJSONObject) inside this call
    // Replayed documents moved in their collections: rebuild the binary indices from the data.
    if (replayed) for (const collection of this.db.collections) collection.ensureAllIndexes(true);
    // The next save writes a new base: the journal may end in a torn line no append may follow.
    this.needsBase = true;
  }

  replay(base, lines) {
    const generation = base.bcpJournalGeneration || 0;
    const byName = new Map((base.collections || []).map((c) => [c.name, { collection: c, docs: null }]));
    let replayed = false;
    for (const line of lines) {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        break; // a torn last line: its save never answered
      }
      if (entry.g !== generation) continue; // written before the current base
      for (const change of entry.c) {
        const target = byName.get(change.n);
        if (!target) continue;
        target.docs ??= new Map(target.collection.data.map((d) => [d.$loki, d]));
        for (const doc of change.u) target.docs.set(doc.$loki, doc);
        for (const id of change.r) target.docs.delete(id);
        target.collection.maxId = Math.max(target.collection.maxId || 0, change.m);
        replayed = true;
      }
    }
    for (const { collection, docs } of byName.values()) {
      collection.dirtyIds = [];
      if (docs) collection.data = [...docs.values()].sort((a, b) => a.$loki - b.$loki); // LokiJS keeps $loki order
    }
    return replayed;
  }

  // LokiJS passes getLokiCopy, a whole copy of the database, for adapters that serialize it themselves; this one
  // reads the live database instead, in this same tick, so the copy (the cost this adapter avoids) is never made.
  saveDatabase(dbname, getLokiCopy, callback) {
    const db = this.db;
    db.ignoreAutosave = false; // what getLokiCopy would have reset
    const taken = db.collections.map((c) => [c.dirty, c.dirtyIds]);
    for (const c of db.collections) {
      c.dirty = false;
      c.dirtyIds = [];
    }
    const giveBack = () =>
      db.collections.forEach((c, i) => {
        if (!taken[i]) return;
        c.dirty = c.dirty || taken[i][0];
        c.dirtyIds = taken[i][1].concat(c.dirtyIds);
      });
    const layout = db.collections.map((c) => c.name).join("\n");
    const done = (err) => {
      if (err) {
        giveBack();
        this.needsBase = true; // a failed append may have left part of a line
      }
      callback(err || null);
    };
    if (this.needsBase || layout !== this.layout ||
        this.journalBytes > Math.max(MIN_JOURNAL_BYTES_BEFORE_COMPACTION, this.baseBytes)) {
      this.writeBase(dbname, layout, done);
    } else {
      this.append(dbname, taken, done);
    }
  }

  writeBase(dbname, layout, done) {
    const generation = this.generation + 1;
    this.db.bcpJournalGeneration = generation; // serialized with the database, read back by loadDatabase
    const text = this.db.serialize();
    fs.writeFile(dbname + "~", text, (writeErr) => {
      if (writeErr) return done(writeErr);
      fs.rename(dbname + "~", dbname, (renameErr) => {
        if (renameErr) return done(renameErr);
        // From here the base holds everything; the old journal's lines carry the old generation and are skipped.
        this.generation = generation;
        this.baseBytes = text.length;
        this.layout = layout;
        fs.truncate(dbname + JOURNAL_SUFFIX, 0, (truncateErr) => {
          if (truncateErr && truncateErr.code !== "ENOENT") return done(truncateErr);
          this.journalBytes = 0;
          this.needsBase = false;
          done(null);
        });
      });
    });
  }

  append(dbname, taken, done) {
    const changes = [];
    this.db.collections.forEach((collection, i) => {
      const ids = taken[i][1];
      if (ids.length === 0) return;
      const change = { n: collection.name, m: collection.maxId, u: [], r: [] };
      for (const id of new Set(ids)) {
        const doc = collection.get(id);
        if (doc) change.u.push(doc);
        else change.r.push(id);
      }
      changes.push(change);
    });
    if (changes.length === 0) return done(null);
    // Serialized now, in the tick the dirty ids were taken: the line is the state LokiJS acknowledged until now.
    const line = JSON.stringify({ g: this.generation, c: changes }) + "\n";
    fs.appendFile(dbname + JOURNAL_SUFFIX, line, (err) => {
      if (!err) this.journalBytes += line.length;
      done(err);
    });
  }
}

function readJournal(file) {
  try {
    return fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0);
  } catch (err) {
    if (err.code === "ENOENT") return [];
    throw err;
  }
}

// Every file-backed LokiJS database this process opens (Azurite opens one for blob metadata and one for extents) is
// given the journal adapter in place of LokiJS's whole-file one.
const databases = new Set();
const configureOptions = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (initialConfig && options && options.persistenceMethod === "fs") {
    options = { ...options, adapter: new JournalAdapter(this) };
    delete options.persistenceMethod;
    databases.add(this);
  }
  return configureOptions.call(this, options, initialConfig);
};

function saveAll() {
  const saves = [...databases].map(
    (db) => new Promise((resolve, reject) => db.saveDatabase((err) => (err ? reject(err) : resolve()))));
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
