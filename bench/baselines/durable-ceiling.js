// The durable-write ceiling: the smallest uWebSockets.js server that commits one row per
// request to MariaDB and replies after the commit, with group commit — requests that
// arrive while a batch is being written go into the next batch, one multi-row INSERT (one
// transaction, one fsync: innodb_flush_log_at_trx_commit as the server has it) per batch,
// up to MAX_IN_FLIGHT batches at once (as hopgate's writer.maxConcurrentBatches). No
// validation, no idempotency, no reads: what durability alone costs on this box.
// Args: port. Env: DATABASE (table `hits` is created if missing), MYSQL_SOCKET (optional).
import uWS from 'uWebSockets.js';
import mysql from 'mysql2';

const MAX_IN_FLIGHT = 4;
const MAX_ROWS = 256;
const env = process.env;
const db = mysql.createPool({
  ...(env.MYSQL_SOCKET ? { socketPath: env.MYSQL_SOCKET } : { host: '127.0.0.1', port: 3306 }),
  user: 'root',
  password: '',
  database: env.DATABASE,
  connectionLimit: MAX_IN_FLIGHT,
});
await db.promise().query('CREATE TABLE IF NOT EXISTS hits (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, body VARCHAR(255) NOT NULL) ENGINE=InnoDB');

let pending = [];
let inFlight = 0;
let scheduled = false;

function flush() {
  scheduled = false;
  while (pending.length > 0 && inFlight < MAX_IN_FLIGHT) {
    const batch = pending.slice(0, MAX_ROWS);
    pending = pending.slice(MAX_ROWS);
    inFlight++;
    db.query(`INSERT INTO hits (body) VALUES ${batch.map(() => '(?)').join(',')}`, batch.map((w) => w.body), (err, result) => {
      inFlight--;
      batch.forEach((w, i) => w.done(err, err ? 0 : result.insertId + i));
      if (pending.length > 0) flush();
    });
  }
}

uWS
  .App()
  .post('/*', (res) => {
    let aborted = false;
    let body = '';
    res.onAborted(() => (aborted = true));
    res.onData((chunk, isLast) => {
      body += Buffer.from(chunk).toString();
      if (!isLast) return;
      pending.push({
        body: body.slice(0, 255),
        done: (err, id) => {
          if (aborted) return;
          res.cork(() => (err ? res.writeStatus('503 Service Unavailable').end() : res.writeStatus('201 Created').writeHeader('Content-Type', 'application/json').end(`{"id":${id}}`)));
        },
      });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  })
  .listen('127.0.0.1', Number(process.argv[2] ?? 0), (s) => {
    if (!s) process.exit(1);
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: uWS.us_socket_local_port(s) })}\n`);
  });
