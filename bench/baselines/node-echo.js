// The node:http ceiling: a JSON echo on Node's own HTTP server, nothing else (the uWS one
// is bench/echo-server.js). Arg: port.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const echoed = JSON.stringify({ echo: JSON.parse(Buffer.concat(chunks).toString() || 'null') });
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(echoed) });
    res.end(echoed);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.address().port })}\n`);
});
